import logging
import os
import signal
from pathlib import Path

import pytest

from kb.config import load_config
from search import writer
from search.storage import index_ready, live_path
from search.writer import update_index
from tests.conftest import engine_for, write_article
from tests.conftest import ask


@pytest.fixture
def setup(content_dir, tmp_path):
    config = load_config(content_dir=content_dir, index_dir=tmp_path / "index")
    report = update_index(config)
    assert report.rebuilt and report.articles >= 10
    return config


def slugs(config, q):
    service = engine_for(config.content_dir, config.index_path)
    try:
        return [h.slug for h in ask(service, q, limit=50).hits]
    finally:
        service.close()


def test_nothing_changed_means_nothing_done(setup):
    report = update_index(setup)
    assert (report.added, report.changed, report.removed, report.rebuilt) == (0, 0, 0, False)


def test_edited_added_and_removed_articles_are_updated_incrementally(setup):
    content = setup.content_dir
    path = content / "guides" / "office-service-work.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n## 九、新增\n\n示例词甲乙丙丁戊。\n", encoding="utf-8")
    write_article(content, "guides/new-one.md", "## 一、新文章\n\n独一无二的新内容己庚辛。\n", slug="new-one")
    (content / "guides" / "ten-awareness.md").unlink()
    report = update_index(setup)
    assert (report.added, report.changed, report.removed, report.rebuilt) == (1, 1, 1, False)
    assert slugs(setup, "甲乙丙丁戊") == ["office-service-work"]
    assert slugs(setup, "己庚辛") == ["new-one"]
    assert "ten-awareness" not in slugs(setup, "参谋意识")


def test_a_broken_article_is_skipped_with_its_message_and_the_rest_indexed(setup, caplog):
    bad = setup.content_dir / "guides" / "broken.md"
    bad.write_text("---\ntitle: 坏文件\nslug: [\n---\n正文\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="search.writer"):
        report = update_index(setup)
    assert any(p.path == "guides/broken.md" and p.line for p in report.skipped)
    assert "guides/broken.md" in caplog.text
    assert "office-service-work" in slugs(setup, "请示汇报")


def test_crash_during_rebuild_leaves_the_previous_index_serving(setup, monkeypatch):
    """A build that cannot finish (here: its segment cannot be written, as on a full disk)."""
    before = live_path(setup.index_path).resolve()

    def failing(self, folder):
        raise OSError(28, "No space left on device (simulated)")

    monkeypatch.setattr(writer.SegmentBuilder, "write", failing)
    with pytest.raises(OSError):
        update_index(setup, rebuild=True)
    assert live_path(setup.index_path).resolve() == before
    assert index_ready(setup.index_path)
    assert "office-service-work" in slugs(setup, "请示汇报")
    assert len(list(setup.index_path.glob("gen-*"))) == 1  # the half-built generation is gone


def test_dictionary_change_rebuilds_by_itself(setup):
    dictionary = setup.content_dir / "_dictionary.txt"
    dictionary.write_text(dictionary.read_text(encoding="utf-8") + "\n知密早\n", encoding="utf-8")
    assert update_index(setup).rebuilt


def test_index_inside_content_is_refused(content_dir):
    with pytest.raises(ValueError, match="不能放在内容目录"):
        load_config(content_dir=content_dir, index_dir=content_dir / "index")


def test_default_index_location_is_outside_the_content_folder(content_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = load_config(content_dir=content_dir)
    assert str(config.index_path).startswith(str(tmp_path / "cache"))


def test_a_new_file_with_a_taken_slug_is_not_indexed(setup):
    write_article(setup.content_dir, "guides/copycat.md", "## 一、冒名\n\n冒名顶替的内容卯辰。\n", slug="office-service-work")
    report = update_index(setup)
    assert any(p.path == "guides/copycat.md" and "已被" in p.message for p in report.skipped)
    assert slugs(setup, "卯辰") == []
    assert "office-service-work" in slugs(setup, "请示汇报")


def test_an_article_that_breaks_leaves_the_index(setup):
    path = setup.content_dir / "guides" / "ten-awareness.md"
    path.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    report = update_index(setup)
    assert report.removed == 1 and any(p.path == "guides/ten-awareness.md" for p in report.skipped)
    assert "ten-awareness" not in slugs(setup, "参谋意识")


def test_many_edits_merge_small_segments_and_leave_no_stale_folders(setup):
    import json

    from search.storage import MATRIX

    files = sorted(setup.content_dir.glob("guides/*.md"))[:10]
    for n, path in enumerate(files):
        path.write_text(path.read_text(encoding="utf-8") + f"\n\n追加的标记词 zqmark{n}x 。\n", encoding="utf-8")
        update_index(setup, paths=[str(path.relative_to(setup.content_dir))])
    gen = live_path(setup.index_path).resolve()
    manifest = json.loads((gen / "manifest.json").read_text())
    assert len(manifest["segments"]) <= writer.MAX_SEGMENTS
    assert sorted(p.name for p in (gen / MATRIX).iterdir()) == sorted(manifest["segments"])
    for n, path in enumerate(files):
        slug = next(line.split(":", 1)[1].strip() for line in path.read_text(encoding="utf-8").splitlines()
                    if line.startswith("slug:"))
        assert slugs(setup, f"zqmark{n}x")[:1] == [slug]
    assert "office-service-work" in slugs(setup, "请示汇报")


def test_idle_build_workers_die_with_a_killed_builder(tmp_path):
    """A build worker waiting for a share holds both ends of the pool's queue, so it never sees
    its parent go: killed then, the keeper left it (and multiprocessing's resource tracker)
    running for ever. Each worker now has the kernel kill it with its parent from the start."""
    import subprocess
    import sys

    from tests.serving import survivors

    script = (
        "import multiprocessing, os\n"
        "from search import writer\n"
        "if __name__ == '__main__':\n"
        "    pool = writer._pool(2)\n"
        "    [f.result() for f in [pool.submit(os.getpid) for _ in range(8)]]\n"  # the workers started, now idle
        "    print(*[p.pid for p in multiprocessing.active_children()], flush=True)\n"
        "    os._exit(9)\n"
    )
    builder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                               cwd=str(Path(__file__).resolve().parents[2]))
    workers = {int(pid) for pid in builder.stdout.readline().split()}
    builder.wait(30)
    assert len(workers) >= 2  # the pool's workers (and the resource tracker)
    left = survivors(workers, 10)
    for pid in workers:  # so that a failure leaves nothing running
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not left


@pytest.mark.parametrize("cores", [1, 2])
def test_a_build_with_more_text_than_a_share_holds_finds_the_same(setup, monkeypatch, tmp_path, cores):
    """Beyond SHARE_BYTES of text a cold build makes more shares than workers (a worker holds
    its share in memory), on one core too: the index answers exactly as one built in one piece."""
    import json

    queries = ["请示汇报", "保密", "会议 筹备", "办公室主任的基本要求", "\"大局意识\"", "type:checklist 接待"]
    before = {q: slugs(setup, q) for q in queries}
    monkeypatch.setattr(writer, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(writer, "SHARE_BYTES", 1000)
    monkeypatch.setattr(writer.os, "cpu_count", lambda: cores)
    config = load_config(content_dir=setup.content_dir, index_dir=tmp_path / "shared-index")
    assert update_index(config, rebuild=True).rebuilt
    manifest = json.loads((live_path(config.index_path).resolve() / "manifest.json").read_text())
    assert len(manifest["segments"]) == writer.MAX_SEGMENTS // 2
    assert {q: slugs(config, q) for q in queries} == before


def test_a_cold_build_is_searchable_before_whooshs_record_which_then_takes_the_edits_made_meanwhile(content_dir, tmp_path):
    """search.record: the matrix is switched in first; edits made while Whoosh's record is written
    go to the matrix alone, and the record, once written, holds exactly what the matrix holds —
    the reference (Whoosh's own matching and scoring) agrees with the fast engine again."""
    from search.record import complete_record, record_complete

    config = load_config(content_dir=content_dir, index_dir=tmp_path / "index")
    report = update_index(config, record=False)
    assert report.rebuilt and not record_complete(config.index_path)
    from search.interface import open_engine

    fast = engine_for(content_dir, config.index_path)
    reference = open_engine(load_config(content_dir=content_dir, index_dir=config.index_path, search_backend="reference"))
    try:
        assert fast.ready() and not reference.ready()
        edited = content_dir / "guides" / "office-service-work.md"
        edited.write_text(edited.read_text(encoding="utf-8") + "\n\n## 九、新增\n\n示例词甲乙丙丁戊。\n", encoding="utf-8")
        (content_dir / "guides" / "ten-awareness.md").unlink()
        assert update_index(config, paths=["guides/office-service-work.md", "guides/ten-awareness.md"]).changed_anything
        assert not record_complete(config.index_path)  # a save's update leaves the record to the keeper
        assert [h.slug for h in ask(fast, "甲乙丙丁戊").hits] == ["office-service-work"]
        assert complete_record(config) > 0 and record_complete(config.index_path)
        assert reference.ready()
        for query in ("甲乙丙丁戊", "十种意识", "办公室 工作", "保密"):
            ours, theirs = ask(fast, query, limit=20), ask(reference, query, limit=20)
            assert (ours.total, [h.slug for h in ours.hits]) == (theirs.total, [h.slug for h in theirs.hits]), query
        assert "ten-awareness" not in [h.slug for h in ask(reference, "大局意识", limit=50).hits]
    finally:
        fast.close()
        reference.close()


def _matrix_documents(config) -> dict:
    """Every live document of the index's matrix, keyed by its id, with its terms' weights and
    positions, what it shows and its article: the index as searches read it, whatever its
    segments."""
    import json

    import numpy as np

    from search.matrix import Segment
    from search.storage import MATRIX

    gen = live_path(config.index_path).resolve()
    manifest = json.loads((gen / "manifest.json").read_text())
    found = {}
    for name in manifest["segments"]:
        seg = Segment(gen / MATRIX / name)
        post_tid = np.repeat(np.arange(len(seg.terms)), np.diff(seg.term_ptr))
        terms: dict[int, list] = {}
        for p, (tid, doc) in enumerate(zip(post_tid.tolist(), seg.post_doc.tolist())):
            positions = seg.positions[seg.pos_ptr[p]:seg.pos_ptr[p + 1]].tolist()
            terms.setdefault(doc, []).append((seg.terms[tid], float(seg.post_w[p]), int(seg.post_head[p]), positions))
        for doc, key in enumerate(seg.keys):
            article = dict(seg.articles[int(seg.doc_article[doc])])
            found[key] = (sorted(terms.get(doc, [])), int(seg.doc_len[doc]), int(seg.doc_head[doc]),
                          int(seg.doc_kind[doc]), seg.sections[doc], seg.heads_pinyin[doc], seg.shown(doc), article)
    return found


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_build_in_several_processes_indexes_exactly_what_one_process_does(setup, monkeypatch, tmp_path, method):
    """Several build workers (forked, each with its share; spawned where there is no fork) make
    the same documents, terms, weights and positions as a build in one process, and Whoosh's
    record answers alike."""
    import multiprocessing

    from search.interface import open_engine

    one = _matrix_documents(setup)
    monkeypatch.setattr(writer, "PARALLEL_THRESHOLD", 1)
    if method == "spawn":
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    config = load_config(content_dir=setup.content_dir, index_dir=tmp_path / "forked")
    report = update_index(config, rebuild=True, workers=2)
    assert report.rebuilt and not report.skipped
    manifest = (live_path(config.index_path).resolve() / "manifest.json").read_text()
    assert manifest.count("seg-") == 2  # two shares, one per worker
    assert _matrix_documents(config) == one
    queries = ["请示汇报", "保密", "会议 筹备", "\"大局意识\"", "type:checklist 接待"]
    answers = []
    for folder in (setup.index_path, config.index_path):
        reference = open_engine(load_config(content_dir=setup.content_dir, index_dir=folder, search_backend="reference"))
        try:
            answers.append([(r.total, [(h.slug, h.anchor) for h in r.hits])
                            for r in (ask(reference, q, limit=20) for q in queries)])
        finally:
            reference.close()
    assert answers[0] == answers[1] and answers[0][0][0] > 0


def test_build_workers_take_the_articles_the_builder_read_unless_their_file_changed_since(setup, monkeypatch,
                                                                                          tmp_path):
    """The workers are handed the articles the building process read instead of reading and
    parsing every file again; a file changed since it was read is read again (the index records
    each file's digest and stamp as the build ends, so the next look would not take it)."""
    from kb.store import load_catalog

    monkeypatch.setattr(writer, "PARALLEL_THRESHOLD", 1)
    config = load_config(content_dir=setup.content_dir, index_dir=tmp_path / "forked")
    catalog = load_catalog(config.content_dir, cross_checks=False)
    catalog.by_path["guides/ten-awareness.md"].meta["title"] = "交给工作进程的标题"  # as read, not as on disk
    path = config.content_dir / "guides" / "office-service-work.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n## 九、后来写的\n\n后来写进文件的词甲乙丙丁戊。\n", encoding="utf-8")
    report = update_index(config, rebuild=True, catalog=catalog, workers=2)
    assert report.articles == len(catalog.articles) + len(catalog.paths)
    assert slugs(config, "交给工作进程的标题")[:1] == ["ten-awareness"]
    assert slugs(config, "甲乙丙丁戊") == ["office-service-work"]
    assert not update_index(config).changed_anything


def test_an_article_that_fails_in_a_build_worker_is_named_and_the_others_are_indexed(setup, monkeypatch, tmp_path,
                                                                                    caplog):
    """An unforeseen failure while one article's documents are made (in a forked worker) leaves
    that article out with a Chinese message naming its file; every other article is indexed, and
    the failed one is taken again at the next look. A file that cannot be read (parsed by the
    forked readers) is named with its line, as in one process."""
    real = writer.documents

    def failing(article, *args):
        if article.rel_path == "guides/ten-awareness.md":
            raise ValueError("无法处理的内容")
        return real(article, *args)

    monkeypatch.setattr(writer, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(writer, "documents", failing)
    config = load_config(content_dir=setup.content_dir, index_dir=tmp_path / "forked")
    (setup.content_dir / "guides" / "broken.md").write_text("---\ntitle: 坏文件\nslug: [\n---\n正文\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="search.writer"):
        report = update_index(config, rebuild=True, workers=2)
    assert any(p.path == "guides/broken.md" and p.line for p in report.skipped)
    assert [(p.path, p.message) for p in report.skipped if p.path == "guides/ten-awareness.md"] == [
        ("guides/ten-awareness.md", "建立索引时出错：无法处理的内容，本文未收录（请把这个文件报告给维护者）")]
    assert "guides/ten-awareness.md" in report.summary() and "guides/ten-awareness.md" in caplog.text
    assert "ten-awareness" not in slugs(config, "参谋意识")
    assert "office-service-work" in slugs(config, "请示汇报")
    monkeypatch.setattr(writer, "documents", real)
    assert update_index(config).added == 1
    assert "ten-awareness" in slugs(config, "参谋意识")


def test_whooshs_record_written_a_block_at_a_time_is_the_file_whoosh_writes_posting_by_posting(setup, tmp_path,
                                                                                               monkeypatch):
    """search.record hands Whoosh the content field's postings a block at a time
    (search.segment_writer, ``BULK``): every file of the segment is the one Whoosh's own
    posting-by-posting loop writes."""
    import json
    import shutil

    from whoosh import index as whoosh_index

    from search.record import write_record
    from search.segment_writer import FastSegmentWriter
    from search.storage import MATRIX

    gen = live_path(setup.index_path).resolve()
    name = json.loads((gen / "manifest.json").read_text())["segments"][0]
    schema = whoosh_index.open_dir(str(gen)).schema
    written = {}
    for bulk in (True, False):
        folder = tmp_path / f"bulk-{bulk}"
        shutil.copytree(gen / MATRIX / name, folder / MATRIX / name)
        whoosh_index.create_in(str(folder), schema)
        monkeypatch.setattr(FastSegmentWriter, "BULK", bulk)
        segment = write_record(str(folder), name)
        written[bulk] = {p.name.replace(segment.segment_id(), ""): p.read_bytes() for p in folder.iterdir()
                         if segment.segment_id() in p.name}
    assert {".pst", ".trm"} <= set(written[True])
    assert written[True] == written[False]


def test_a_build_in_a_server_process_leaves_what_it_froze_frozen(setup, monkeypatch, tmp_path):
    """A server's processes freeze what they loaded at start so that forked workers share its
    pages (web.server); a cold build there (the keeper's, after a dictionary change) forks its
    own workers without undoing that."""
    import gc

    monkeypatch.setattr(writer, "PARALLEL_THRESHOLD", 1)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        config = load_config(content_dir=setup.content_dir, index_dir=tmp_path / "forked")
        assert update_index(config, rebuild=True, workers=2).rebuilt
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        gc.unfreeze()
