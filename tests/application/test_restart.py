"""Restarts in seconds: a site with an index opens its catalog from the articles kept with the
index's current version instead of reading every file, serves that consistent version at once,
and takes what changed in the folder while it was down incrementally, once the keeper has looked."""
from application import Site
from search.interface import Query
from tests.web.conftest import settings


def _indexed(content_dir, tmp_path) -> Site:
    site = Site(settings(content_dir, tmp_path))
    site.prepare()
    site.index()
    site.close()
    return Site(settings(content_dir, tmp_path))


def _retitle(path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(f"title: {old}", f"title: {new}", 1), encoding="utf-8")


def test_a_restarted_site_opens_the_indexed_version_and_takes_a_change_made_while_it_was_down(content_dir, tmp_path):
    site = _indexed(content_dir, tmp_path)
    try:
        article = site.catalog().get("ten-awareness")
        assert site.store.opened, "the catalog was read from the folder, not opened from the index"
        # changed while the site was down: search has it once the keeper has looked; a worker
        # told that the folder changed looks at the folder itself (sizes and times after one read)
        _retitle(article.path, article.title, "十种意识（修订）")
        assert site.search.search(Query("修订")).total == 0
        keeper = site.keeper_for()
        keeper.update_now(None)  # the keeper's first look at the folder, after serving began
        site.follow_changes()
        assert site.catalog().get("ten-awareness").title == "十种意识（修订）"
        assert [h.slug for h in site.search.search(Query("十种意识 修订")).hits][:1] == ["ten-awareness"]
    finally:
        site.close()


def test_a_file_broken_while_the_site_was_down_leaves_the_others_listed(content_dir, tmp_path):
    site = _indexed(content_dir, tmp_path)
    try:
        before = {a.slug for a in site.catalog().articles}
        broken = site.catalog().get("ten-awareness").path
        broken.write_bytes(b"---\ntitle: [unclosed\n---\n\nbody\n")
        site.keeper_for().update_now(None)
        site.follow_changes()
        assert {a.slug for a in site.catalog().articles} == before - {"ten-awareness"}
        problems = [p for p in site.check().problems if p.path == "guides/ten-awareness.md"]
        assert problems and problems[0].severity == "error"
    finally:
        site.close()


def test_a_save_is_listed_at_once_from_the_index_it_updated(site):
    from kb.history import Author

    site.index()
    article = site.catalog().get("ten-awareness")
    assert site.store.opened
    text = article.path.read_text(encoding="utf-8").replace(f"title: {article.title}", "title: 十种意识新版", 1)
    saved = site.save(article.rel_path, text, article.digest, Author.named("editor"), "改标题")
    assert saved.done
    assert site.catalog().get("ten-awareness").title == "十种意识新版"
    assert site.store.opened


def test_the_first_look_at_the_folder_reads_only_the_files_changed_since_they_were_indexed(content_dir, tmp_path,
                                                                                           monkeypatch):
    """A file changed by hand that the index does not have yet, and a look at the folder asked
    for (``store.invalidate``: no keeper to index it): it reads that file, not every file (16 s
    at 10,000 articles, in an editor's request), and still sees the change and keeps every other
    article."""
    from kb import store

    site = _indexed(content_dir, tmp_path)
    try:
        before = {a.slug: a.title for a in site.catalog().articles}
        assert site.store.opened
        article = site.catalog().get("ten-awareness")
        _retitle(article.path, article.title, "十种意识（手改）")
        read = []
        real = store.load_article
        monkeypatch.setattr(store, "load_article", lambda path, *a, **k: read.append(path.name) or real(path, *a, **k))
        site.store.invalidate()  # a look at the folder; the index has no new version
        after = {a.slug: a.title for a in site.catalog().articles}
        assert read == [article.path.name]
        assert after == {**before, "ten-awareness": "十种意识（手改）"}
    finally:
        site.close()


def _as_if_cloned(content_dir) -> None:
    """Every file of the folder gets a new modification time, its bytes unchanged: what a git
    clone (or a copy) of the folder is to an index made from another one."""
    import os
    import time

    later = time.time_ns() + 5_000_000_000
    for path in content_dir.rglob("*.md"):
        os.utime(path, ns=(later, later))


def _counting_reads(monkeypatch) -> list[str]:
    from kb import store

    read = []
    real = store.load_article
    monkeypatch.setattr(store, "load_article", lambda path, *a, **k: read.append(path.name) or real(path, *a, **k))
    return read


def test_a_worker_told_of_a_save_opens_the_index_and_reads_no_file_on_an_index_made_elsewhere(content_dir, tmp_path,
                                                                                            monkeypatch):
    """Two workers and the keeper of one node whose index came from another clone: a save in one
    worker, then the keeper's look at the saved file (the index has it already), each tell the
    other worker that the content changed. It opens the index's version again and reads no file
    — it used to look at the folder at the second word, reading every file of the clone (10,000
    in the two-node benchmark, in an editor's request)."""
    from kb.history import Author

    site = _indexed(content_dir, tmp_path)
    other = Site(settings(content_dir, tmp_path))  # the worker that saves
    try:
        _as_if_cloned(content_dir)
        assert site.catalog().get("ten-awareness") is not None and site.store.opened
        article = other.catalog().get("ten-awareness")
        text = article.path.read_text(encoding="utf-8").replace(f"title: {article.title}", "title: 十种意识第二版", 1)
        assert other.save(article.rel_path, text, other.opened(article)[1], Author.named("editor"), "改标题").done
        read = _counting_reads(monkeypatch)  # by the worker told, from here on
        site.follow_changes()  # the saving worker's word
        assert site.catalog().get("ten-awareness").title == "十种意识第二版"
        other.keeper_for().update_now([article.rel_path])  # the keeper saw the file: the index has it already
        del read[:]  # the keeper's own reading (the addresses' look at the saved article) is not the worker's
        site.follow_changes()  # the keeper's word
        assert site.catalog().get("ten-awareness").title == "十种意识第二版"
        assert read == [], "the worker looked at the folder"
        assert site.store.opened
    finally:
        other.close()
        site.close()


def test_the_keepers_first_look_at_a_cloned_folder_records_what_it_found_unchanged(content_dir, tmp_path, monkeypatch):
    """An index made from another clone: the keeper's first look at the folder hashes each file
    whose time differs from the index's record once, and records the new times of those the index
    has; afterwards neither its next look nor a worker's look at the folder reads them again —
    only the file really changed."""
    from search import writer

    site = _indexed(content_dir, tmp_path)
    try:
        _as_if_cloned(content_dir)
        article = site.catalog().get("ten-awareness")
        _retitle(article.path, article.title, "十种意识（克隆后手改）")
        keeper = site.keeper_for()
        keeper.update_now(None)
        assert [h.slug for h in site.search.search(Query("克隆后手改")).hits] == ["ten-awareness"]
        hashed = []
        real = writer._file_digest
        monkeypatch.setattr(writer, "_file_digest", lambda root, rel: hashed.append(rel) or real(root, rel))
        keeper.update_now(None)
        assert hashed == []
        site.follow_changes()
        assert site.catalog().get("ten-awareness").title == "十种意识（克隆后手改）"  # opened from the index
        read = _counting_reads(monkeypatch)
        site.store.invalidate()  # a look at the folder, asked for
        assert site.catalog().get("ten-awareness").title == "十种意识（克隆后手改）"
        assert read == []
        other = site.catalog().get("meeting-preparation")
        _retitle(other.path, other.title, "会前准备（又改）")
        site.store.invalidate()
        assert site.catalog().get("meeting-preparation").title == "会前准备（又改）"
        assert read == [other.path.name]
    finally:
        site.close()
