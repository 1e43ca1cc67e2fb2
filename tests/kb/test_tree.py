"""Finding a content folder's files never walks into git's folder (or any hidden one): on a node
of several, git's housekeeping removes folders under .git/objects while a walk is in them."""
import os
import subprocess

from kb.folders import folder_files
from kb.store import content_files
from tests.conftest import write_article


def test_articles_and_folder_files_are_found_without_looking_into_git_or_hidden_folders(tmp_path, monkeypatch):
    root = tmp_path / "content"
    write_article(root / "guides", "one.md", "正文。")
    (root / "guides" / "_folder.yaml").write_text("category: 指南\n", encoding="utf-8")
    write_article(root / "_drafts", "draft.md", "草稿。")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    looked = []
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda path=".": looked.append(str(path)) or real(path))
    assert [p.relative_to(root).as_posix() for p in content_files(root)] == ["guides/one.md"]
    assert folder_files(root) == ["guides/_folder.yaml"]
    assert looked and not [p for p in looked if "/.git" in p or "/_drafts" in p]
