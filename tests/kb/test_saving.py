"""Saves of one article from several processes at once (issue 8.5, store level): in every round
exactly one lands and the others are told of the conflict; nothing half-written, nothing lost."""
import datetime as dt
import multiprocessing
import re

from kb.saving import save_article
from kb.store import ContentStore, load_article
from tests.conftest import write_article

PROCESSES = 3
ROUNDS = 15


def _writer(root, number, gate, results):
    store = ContentStore(root)
    path = root / "guides" / "shared.md"
    for n in range(ROUNDS):
        gate.wait()
        opened = load_article(path, root)[0]  # everyone opens the same version...
        gate.wait()  # ...before anyone saves
        text = path.read_text(encoding="utf-8") + f"\n第 {n} 轮，进程 {number} 的修改。\n"
        try:
            result = save_article(store, "guides/shared.md", text, base_digest=opened.digest)
            outcome = "saved" if result.article is not None else ("conflict" if result.conflict else "refused")
        except Exception as exc:  # noqa: BLE001 — reported to the test, which fails on it
            outcome = f"crash: {exc!r}"
        gate.wait()  # the round is over: what is on disk now?
        found = re.findall(r"第 (\d+) 轮，进程 (\d+) 的修改。", path.read_text(encoding="utf-8"))
        results.put((n, number, outcome, found[-1] if found else None))


def test_saves_from_several_processes_one_lands_per_round(tmp_path):
    root = tmp_path / "content"
    write_article(root, "guides/shared.md", "## 一、正文\n\n大家一起改的文章。\n", slug="shared-article")
    context = multiprocessing.get_context("spawn")
    gate, results = context.Barrier(PROCESSES), context.Queue()
    workers = [context.Process(target=_writer, args=(root, i, gate, results)) for i in range(PROCESSES)]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=120) for _ in range(PROCESSES * ROUNDS)]
    for w in workers:
        w.join(30)
    for n in range(ROUNDS):
        this_round = [o for o in outcomes if o[0] == n]
        kinds = sorted(outcome for _, _, outcome, _ in this_round)
        assert kinds == ["conflict"] * (PROCESSES - 1) + ["saved"], (n, kinds)
        (winner,) = [number for _, number, outcome, _ in this_round if outcome == "saved"]
        assert {last for *_, last in this_round} == {(str(n), str(winner))}  # the winner's text is on disk
    assert not list((root / "guides").glob(".*.saving"))
    article, problems = load_article(root / "guides" / "shared.md", root)
    assert article is not None and article.updated == dt.date.today()


def test_a_save_in_a_folder_under_git_leaves_the_lock_folder_ignored(tmp_path):
    root = tmp_path / "content"
    path = write_article(root, "guides/one.md", "## 一、正文\n\n正文。\n", slug="one-article")
    opened = load_article(path, root)[0]
    result = save_article(ContentStore(root), "guides/one.md", path.read_text(encoding="utf-8") + "\n改。\n",
                          base_digest=opened.digest)
    assert result.article is not None
    assert (root / ".kb-locks" / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert [a.rel_path for a in ContentStore(root).catalog().articles] == ["guides/one.md"]


def test_a_stale_save_is_a_conflict_and_writes_nothing(tmp_path):
    root = tmp_path / "content"
    path = write_article(root, "guides/one.md", "## 一、正文\n\n正文。\n", slug="one-article")
    opened = load_article(path, root)[0]
    path.write_text(path.read_text(encoding="utf-8") + "\n别人的修改。\n", encoding="utf-8")
    theirs = path.read_text(encoding="utf-8")
    result = save_article(ContentStore(root), "guides/one.md", "我的版本", base_digest=opened.digest)
    assert result.article is None and result.conflict and "已被别人修改" in result.problems[0].message
    assert path.read_text(encoding="utf-8") == theirs


def test_the_synonyms_list_is_saved_like_an_article(tmp_path):
    """Checked first, never over a change made meanwhile, recorded in the history."""
    import hashlib

    from kb.article import Problem
    from kb.saving import save_text

    root = tmp_path / "content"
    root.mkdir()
    path = root / "_synonyms.txt"
    path.write_text("会议 开会\n", encoding="utf-8")
    opened = hashlib.sha1(path.read_bytes()).hexdigest()

    def check(text):
        return [Problem("_synonyms.txt", "只有一个词", 2)] if "单独" in text else []

    recorded = []
    refused = save_text(root, "_synonyms.txt", "会议 开会\n单独\n", opened, check, lambda: recorded.append(1))
    assert not refused.saved and refused.problems[0].line == 2 and path.read_text(encoding="utf-8") == "会议 开会\n"
    saved = save_text(root, "_synonyms.txt", "会议 开会 碰头会", opened, check, lambda: recorded.append(1) or "abc")
    assert saved.saved and saved.revision == "abc" and recorded == [1]
    assert path.read_text(encoding="utf-8") == "会议 开会 碰头会\n"
    late = save_text(root, "_synonyms.txt", "会议 开会 办会\n", opened, check)  # opened before the save above
    assert late.conflict and not late.saved and "已被别人修改" in late.problems[0].message
    assert late.digest == saved.digest and path.read_text(encoding="utf-8") == "会议 开会 碰头会\n"


def test_temporary_files_of_saves_cut_short_are_swept_and_articles_kept(tmp_path):
    from kb.saving import sweep_unfinished

    (tmp_path / "guides").mkdir()
    article = tmp_path / "guides" / "a.md"
    article.write_text("原文\n", encoding="utf-8")
    left = tmp_path / "guides" / ".a.md.x1y2z3.saving"
    left.write_text("写了一半", encoding="utf-8")
    assert sweep_unfinished(tmp_path) == 1
    assert not left.exists() and article.read_text(encoding="utf-8") == "原文\n"
