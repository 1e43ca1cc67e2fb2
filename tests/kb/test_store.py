"""Which files the store publishes: links out of the folder, slugs claimed twice, oversized files."""
import os
import shutil
import subprocess

import pytest

from cli import main
from kb.store import ContentStore, load_article, load_catalog
from tests.conftest import write_article
from tests.kb.test_plain import git


def problems_of(catalog, path):
    return [p for p in catalog.problems if p.path == path]


def test_a_symlink_out_of_the_content_folder_is_refused(tmp_path):
    content = tmp_path / "content"
    secret = write_article(tmp_path / "elsewhere", "secret.md", "## 一、机密\n\n不该发布的内容。\n", slug="secret-file")
    write_article(content, "guides/real.md", "## 一、正文\n\n正文。\n", slug="real-article")
    (content / "guides" / "leak.md").symlink_to(secret)
    catalog = load_catalog(content)
    assert catalog.get("secret-file") is None and catalog.get("real-article") is not None
    (problem,) = problems_of(catalog, "guides/leak.md")
    assert problem.severity == "error" and "内容目录以外" in problem.message


def test_a_symlink_inside_the_content_folder_is_fine(tmp_path):
    content = tmp_path / "content"
    real = write_article(content, "guides/real.md", "## 一、正文\n\n正文。\n", slug="real-article")
    (content / "link.md").symlink_to(real)
    article, problems = load_article(content / "link.md", content)
    assert article is not None and article.slug == "real-article"


def test_a_later_copy_never_takes_the_slug_of_the_committed_article(tmp_path):
    content = tmp_path / "content"
    write_article(content, "guides/meeting-minutes.md", "## 一、正文\n\n真正的文章。\n", slug="meeting-minutes")
    git(content, "init", "-q")
    git(content, "add", "-A")
    git(content, "commit", "-qm", "real", date="2024-01-01T09:00:00")
    write_article(content, "guides/a-copy.md", "## 一、正文\n\n复制出来改坏的文章。\n", slug="meeting-minutes")
    git(content, "add", "-A")
    git(content, "commit", "-qm", "copy", date="2025-01-01T09:00:00")
    catalog = load_catalog(content)
    assert catalog.get("meeting-minutes").rel_path == "guides/meeting-minutes.md"
    (lost,) = problems_of(catalog, "guides/a-copy.md")
    assert lost.severity == "error" and "已被 guides/meeting-minutes.md 使用" in lost.message and "更早" in lost.message
    (kept,) = problems_of(catalog, "guides/meeting-minutes.md")
    assert kept.severity == "warning" and "guides/a-copy.md 也用了" in kept.message


def test_without_git_the_older_file_keeps_the_slug(tmp_path):
    content = tmp_path / "content"
    real = write_article(content, "guides/zz-real.md", "## 一、正文\n\n真正的文章。\n", slug="meeting-minutes")
    write_article(content, "guides/aa-copy.md", "## 一、正文\n\n副本。\n", slug="meeting-minutes")
    os.utime(real, (1_600_000_000, 1_600_000_000))
    assert load_catalog(content).get("meeting-minutes").rel_path == "guides/zz-real.md"


def test_a_published_article_keeps_its_slug_on_a_running_site(tmp_path):
    content = tmp_path / "content"
    write_article(content, "guides/zz-real.md", "## 一、正文\n\n真正的文章。\n", slug="meeting-minutes")
    store = ContentStore(content)
    assert store.catalog().get("meeting-minutes").rel_path == "guides/zz-real.md"
    copy = write_article(content, "guides/aa-copy.md", "## 一、正文\n\n副本。\n", slug="meeting-minutes")
    os.utime(copy, (1_000_000_000, 1_000_000_000))  # copied with its old time (cp -p)
    assert store.fresh().get("meeting-minutes").rel_path == "guides/zz-real.md"


def test_a_written_slug_beats_one_made_from_a_file_name(tmp_path):
    content = tmp_path / "content"
    (content / "guides").mkdir(parents=True)
    (content / "guides" / "meeting-minutes.md").write_text("# 纯文本文件\n\n没有前置信息。\n", encoding="utf-8")
    write_article(content, "guides/minutes.md", "## 一、正文\n\n写明了 slug。\n", slug="meeting-minutes")
    os.utime(content / "guides" / "minutes.md", (1_900_000_000, 1_900_000_000))  # even when newer
    catalog = load_catalog(content)
    assert catalog.get("meeting-minutes").rel_path == "guides/minutes.md"
    assert any("按文件名生成" in p.message for p in problems_of(catalog, "guides/meeting-minutes.md"))


def test_the_choice_is_the_same_on_every_load(tmp_path):
    content = tmp_path / "content"
    for name in ("b.md", "a.md", "c.md"):
        path = write_article(content, name, "## 一、正文\n\n同样早的文件。\n", slug="same-slug")
        os.utime(path, (1_600_000_000, 1_600_000_000))
    owners = {load_catalog(content).get("same-slug").rel_path for _ in range(3)}
    assert owners == {"a.md"}


def test_an_oversized_article_is_refused_by_name_and_limit_without_reading_it(tmp_path, monkeypatch):
    content = tmp_path / "content"
    big = write_article(content, "guides/big.md", "## 一、正文\n\n" + "很长的正文。" * 300 + "\n", slug="big-article")
    write_article(content, "guides/small.md", "## 一、正文\n\n正文。\n", slug="small-article")
    catalog = load_catalog(content, max_bytes=2_000)
    assert catalog.get("small-article") is not None and catalog.get("big-article") is None
    (problem,) = problems_of(catalog, "guides/big.md")
    assert f"{big.stat().st_size:,} 字节" in problem.message and "上限 2,000 字节" in problem.message
    assert "max_article_bytes" in problem.message


def test_kb_check_uses_the_configured_limit(tmp_path, capsys, monkeypatch):
    content = tmp_path / "content"
    write_article(content, "guides/big.md", "## 一、正文\n\n" + "很长的正文。" * 300 + "\n", slug="big-article")
    monkeypatch.setenv("KB_MAX_ARTICLE_BYTES", "2000")
    assert main(["check", str(content)]) == 1
    assert "guides/big.md: 错误: 文件太大" in capsys.readouterr().out


def test_the_catalog_knows_which_articles_show_a_media_file(tmp_path):
    """An image belongs to the articles that show or link it (application.media decides from it)."""
    from kb.store import load_catalog
    from tests.conftest import write_article

    write_article(tmp_path, "guides/first.md", "![图](/media/0123456789abcdef.png)\n\n[表格](/media/form%201.xlsx)")
    write_article(tmp_path, "guides/second.md", "<img src=\"/media/0123456789abcdef.png\">\n\n![外站](https://x.cn/media/other.png)")
    write_article(tmp_path, "guides/third.md", "没有图片。")
    catalog = load_catalog(tmp_path)
    users = {name: sorted(a.rel_path for a in arts) for name, arts in catalog.by_media.items()}
    assert users == {"0123456789abcdef.png": ["guides/first.md", "guides/second.md"], "form 1.xlsx": ["guides/first.md"]}
