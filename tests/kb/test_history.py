"""The content folder's history in real git repositories under tmp_path."""
import shutil
import subprocess

import pytest

from kb.history import History, HistoryError
from kb.saving import save_article
from kb.store import ContentStore
from tests.conftest import write_article


def git(folder, *args) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def folder(tmp_path):
    content = tmp_path / "content"
    write_article(content, "guides/a.md", "## 一、原则\n\n做好保密工作。\n", slug="a-article")
    return content


def test_a_folder_outside_any_repository_becomes_one_with_its_files_committed(folder):
    history = History(folder)
    assert history.mode() == "none"
    history.prepare()
    assert history.mode() == "own" and history.commits
    assert "guides/a.md" in git(folder, "ls-files")
    assert [c.message for c in history.log("guides/a.md")] == ["开始记录历史：已有的文件"]


def test_a_commit_has_the_editor_as_author_and_their_message(folder):
    history = History(folder)
    history.prepare()
    (folder / "guides/a.md").write_text((folder / "guides/a.md").read_text() + "\n补充。\n", encoding="utf-8")
    rev = history.commit(["guides/a.md"], "张三", "zhangsan@example.org", "补充一句")
    change = history.log("guides/a.md")[0]
    assert change.rev == rev and change.author == "张三" and change.message == "补充一句"
    assert change.paths == ["guides/a.md"]
    assert "补充。" in history.show(rev, "guides/a.md")
    assert "补充。" not in history.show(history.log("guides/a.md")[1].rev, "guides/a.md")
    assert history.commit(["guides/a.md"], "张三", "z@example.org", "没有改动") is None


def test_only_the_saved_file_is_committed_not_other_changes_in_the_folder(folder):
    history = History(folder)
    history.prepare()
    write_article(folder, "guides/b.md", "## 一、另一篇\n\n外面放进来的。\n", slug="b-article")
    (folder / "guides/a.md").write_text((folder / "guides/a.md").read_text() + "\n改。\n", encoding="utf-8")
    history.commit(["guides/a.md"], "李四", "l@example.org", "改 a")
    assert "guides/b.md" not in git(folder, "ls-files")


def test_a_folder_inside_another_repository_gets_no_nested_repository_and_no_commits(tmp_path):
    outer = tmp_path / "project"
    content = outer / "content"
    write_article(content, "guides/a.md", "## 一、原则\n\n正文。\n", slug="a-article")
    git(outer, "init", "-q")
    git(outer, "add", ".")
    subprocess.run(["git", "-C", str(outer), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "项目"], check=True)
    history = History(content)
    history.prepare()
    assert history.mode() == "parent" and not history.commits
    assert not (content / ".git").exists()
    (content / "guides/a.md").write_text((content / "guides/a.md").read_text() + "\n改。\n", encoding="utf-8")
    assert history.commit(["guides/a.md"], "x", "x@x", "不该提交") is None
    assert git(outer, "rev-list", "--count", "HEAD").strip() == "1"
    assert [c.message for c in history.log("guides/a.md")] == ["项目"]  # the enclosing history is shown
    assert History(content, commit_in_parent=True).commits


def test_a_save_stands_when_git_fails_and_says_why(folder):
    history = History(folder)
    history.prepare()
    shutil.rmtree(folder / ".git" / "objects")  # a broken repository
    (folder / ".git" / "objects").mkdir()
    store = ContentStore(folder)
    text = (folder / "guides/a.md").read_text() + "\n一定要保存下来的句子。\n"
    digest = store.catalog().get("a-article").digest
    result = save_article(store, "guides/a.md", text, digest,
                          record=lambda article: history.commit([article.rel_path], "x", "x@x", "m"))
    assert result.article is not None and result.history_error
    assert "一定要保存下来的句子。" in (folder / "guides/a.md").read_text()


def test_a_failed_first_commit_leaves_no_half_made_repository_and_the_next_start_retries(folder, monkeypatch):
    # git cannot write its index (as when the first commit of a large folder was cut short):
    # a repository without the files would stay so for ever, its index.lock failing every save
    monkeypatch.setenv("GIT_INDEX_FILE", str(folder.parent / "no-such-folder" / "index"))
    history = History(folder)
    history.prepare()
    assert history.mode() == "none" and not (folder / ".git").exists()
    assert (folder / "guides/a.md").is_file()
    monkeypatch.delenv("GIT_INDEX_FILE")
    history.prepare()
    assert history.mode() == "own" and "guides/a.md" in git(folder, "ls-files")


def test_a_broken_repository_already_there_is_never_removed(folder, monkeypatch):
    (folder / ".git").mkdir()
    (folder / ".git" / "keep").write_text("the owner's", encoding="utf-8")
    monkeypatch.setenv("GIT_INDEX_FILE", str(folder.parent / "no-such-folder" / "index"))
    History(folder).prepare()
    assert (folder / ".git" / "keep").read_text(encoding="utf-8") == "the owner's"


def change(folder, line: str) -> None:
    path = folder / "guides/a.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def stale_lock(folder, seconds_ago: float = 5) -> None:
    import os
    import time

    lock = folder / ".git" / "index.lock"
    lock.write_bytes(b"")
    os.utime(lock, (time.time() - seconds_ago, time.time() - seconds_ago))


def test_a_lock_left_by_a_dead_git_is_removed_and_the_save_it_stopped_is_recorded_at_start(folder):
    history = History(folder)
    history.prepare()
    stale_lock(folder)
    change(folder, "锁住时保存的一句。")
    with pytest.raises(HistoryError):  # as before issue 16 when the lock was left: here by hand
        history._commit(["guides/a.md"], "张三", "z@example.org", "锁住时的修改")
    history._write_pending(["guides/a.md"], "张三", "z@example.org", "锁住时的修改")  # what commit() leaves
    History(folder).prepare()  # the next start
    assert not (folder / ".git" / "index.lock").exists()
    assert git(folder, "log", "-1", "--format=%an|%s").strip() == "张三|锁住时的修改"
    assert History(folder).trouble() is None


def test_a_lock_held_by_a_running_git_is_left_alone_and_reported_then_healed(folder, monkeypatch):
    import kb.history

    history = History(folder)
    history.prepare()
    stale_lock(folder)
    # a git at work in the repository (someone's `git rebase -i` in an editor, say)
    working = subprocess.Popen(["git", "cat-file", "--batch-check"], cwd=folder / "guides", stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL)
    working_name = "cat-file"
    monkeypatch.setattr(kb.history, "READ_ONLY", kb.history.READ_ONLY - {working_name})
    try:
        change(folder, "第一句。")
        with pytest.raises(HistoryError, match="index.lock"):
            history.commit(["guides/a.md"], "张三", "z@example.org", "第一次")
        assert (folder / ".git" / "index.lock").exists()
        monkeypatch.setattr(kb.history, "PENDING_GRACE", 0.0)
        assert "有 1 次保存没有记入修改历史" in history.trouble() and "index.lock" in history.trouble()
    finally:
        working.communicate(b"")
    write_article(folder, "guides/b.md", "另一篇。", slug="b-article")
    history.commit(["guides/b.md"], "李四", "l@example.org", "第二次")  # heals, records both, in order
    assert [(c.author, c.message) for c in history.log()][:2] == [("李四", "第二次"), ("张三", "第一次")]
    assert history.trouble() is None and not (folder / ".git" / "index.lock").exists()


def test_a_read_only_git_does_not_keep_a_stale_lock(folder):
    history = History(folder)
    history.prepare()
    stale_lock(folder)
    reading = subprocess.Popen(["git", "cat-file", "--batch-check"], cwd=folder, stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL)
    try:
        change(folder, "一句。")
        assert history.commit(["guides/a.md"], "张三", "z@example.org", "修改")
    finally:
        reading.communicate(b"")


def test_a_control_character_in_a_change_note_never_reaches_git_as_an_error(folder):
    history = History(folder)
    history.prepare()
    change(folder, "一句。")
    history.commit(["guides/a.md"], "张三", "z@example.org", "修改\x00说明\x1b")
    assert history.log("guides/a.md")[0].message == "修改说明"
