"""Plain Markdown publishes (issue 8.1): only text is needed; defaults are notes, not errors."""
import datetime as dt
import os
import shutil
import subprocess

import pytest

from kb import filedates
from cli import main
from kb.defaults import slug_from_name, summary_from_body, summary_repeats_lead, title_from_name
from kb.store import load_catalog
from tests.conftest import FIXTURES

PLAIN = FIXTURES / "plain"


@pytest.fixture
def plain(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(PLAIN, target)
    return target


def git(folder, *args, date="2024-05-06T10:00:00"):
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "编辑",
           "GIT_AUTHOR_EMAIL": "e@example.org", "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "e@example.org"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


def test_a_folder_of_plain_markdown_passes_kb_check_and_lists_the_defaults(plain, capsys):
    assert main(["check", str(plain)]) == 0
    out = capsys.readouterr().out
    assert "6 篇可用，0 个错误，0 个警告，6 条说明" in out
    assert "说明（6）" in out
    assert "会议管理办法.md: 说明: 未写的字段用了默认值：title “会议管理办法”（取自正文的一级标题）；slug “hui-yi-guan-li-ban-fa”（按文件名）" in out


def test_each_default_is_chosen_from_the_file(plain):
    catalog = load_catalog(plain)
    rule = catalog.get("hui-yi-guan-li-ban-fa")
    assert (rule.title, rule.type, rule.category) == ("会议管理办法", "guide", "未分类")
    assert rule.summary == "为了提高会议效率，减少不必要的会议，制定本办法。本办法适用于机关各处室。"
    assert "# 会议管理办法" not in rule.body
    assert [s.heading for s in rule.sections if s.anchor] == ["一、会议的申请", "二、会议的组织"]
    assert rule.sections[1].line == 6  # lines keep their numbers after the title heading is taken out
    docs = catalog.get("gong-wen-chu-li")
    assert (docs.title, docs.category) == ("公文处理规定", "办公室")
    trip = catalog.get("chu-chai-zhun-bei")
    assert (trip.title, trip.type, trip.category) == ("出差准备", "checklist", "清单")
    assert catalog.get("notes-without-heading").title == "Notes without heading"
    assert catalog.get("zhi-ban-an-pai").title == "节假日值班安排"  # "01-" only orders the files
    assert catalog.get("meeting-minutes").defaults.keys() == {"slug", "type", "category", "summary", "updated"}


def test_links_between_plain_files_resolve(plain):
    catalog = load_catalog(plain)
    assert [p for p in catalog.problems if p.severity != "note"] == []


@pytest.mark.parametrize(
    "name, slug",
    [("会议管理办法.md", "hui-yi-guan-li-ban-fa"), ("Meeting Minutes.md", "meeting-minutes"),
     ("2024年OA系统说明.md", "2024-nian-oa-xi-tong-shuo-ming"), ("银行行长.md", "yin-hang-hang-zhang"),
     ("Café_Guide.md", "cafe-guide"), ("办.md", "ban"), ("一.md", "article-yi"), ("x.md", "article-x"),
     ("sub/07_值班.md", "zhi-ban")],
)
def test_slugs_from_file_names(name, slug):
    assert slug_from_name(name) == slug


def test_a_name_without_letters_still_gives_a_valid_slug():
    slug = slug_from_name("！！.md")
    assert slug.startswith("article-") and len(slug) == 14
    assert len(slug_from_name("很" * 80 + ".md")) <= 60


def test_titles_from_file_names():
    assert title_from_name("guides/meeting-minutes.md") == "Meeting minutes"
    assert title_from_name("会议管理办法.md") == "会议管理办法"


def test_summary_skips_headings_lists_and_code_and_is_cut_at_a_sentence():
    body = "## 一、起\n\n```\n代码\n```\n\n- 列表\n\n" + "第一句话很长很长。" * 20 + "\n"
    summary = summary_from_body(body)
    assert summary.startswith("第一句话") and summary.endswith("。") and len(summary) <= 120


def test_a_file_with_no_text_at_all_is_an_error_not_a_crash(plain):
    (plain / "空.md").write_text("", encoding="utf-8")
    (plain / "只有标题.md").write_text("# 只有标题\n", encoding="utf-8")
    found = {p.path: p for p in load_catalog(plain).problems if p.severity == "error"}
    assert "正文为空" in found["空.md"].message and "正文为空" in found["只有标题.md"].message


def test_updated_comes_from_the_last_git_commit_of_each_file(plain, monkeypatch):
    git(plain, "init", "-q")
    git(plain, "add", "-A")
    git(plain, "commit", "-qm", "first", date="2024-05-06T10:00:00")
    (plain / "会议管理办法.md").write_text("# 会议管理办法\n\n改过的正文。\n", encoding="utf-8")
    git(plain, "commit", "-qam", "second", date="2025-02-03T10:00:00")
    calls = []
    real = subprocess.run
    monkeypatch.setattr(filedates.subprocess, "run", lambda *a, **k: (calls.append(a), real(*a, **k))[1])
    catalog = load_catalog(plain)
    assert catalog.get("hui-yi-guan-li-ban-fa").updated == dt.date(2025, 2, 3)
    assert catalog.get("gong-wen-chu-li").updated == dt.date(2024, 5, 6)
    assert "updated 2024-05-06（最后一次 git 提交）" in catalog.get("gong-wen-chu-li").defaults["updated"]
    assert len(calls) == 1  # one git log for the folder, not one per file


def test_without_git_updated_is_the_modification_time(plain):
    path = plain / "会议管理办法.md"
    stamp = dt.datetime(2023, 7, 8, 12).timestamp()
    os.utime(path, (stamp, stamp))
    article = load_catalog(plain).get("hui-yi-guan-li-ban-fa")
    assert article.updated == dt.date(2023, 7, 8)
    assert "文件修改时间" in article.defaults["updated"]


def test_written_fields_win_over_defaults(plain):
    (plain / "会议管理办法.md").write_text(
        "---\ntitle: 写明的标题\nslug: meeting-rules\ncategory: 制度\nsummary: 写明的摘要。\nupdated: 2022-01-01\n---\n\n"
        "# 正文里的一级标题\n\n正文。\n", encoding="utf-8")
    catalog = load_catalog(plain)
    article = catalog.get("meeting-rules")
    assert (article.title, article.category, article.summary, article.updated) == \
        ("写明的标题", "制度", "写明的摘要。", dt.date(2022, 1, 1))
    assert article.defaults.keys() == {"type"}
    assert any("一级标题" in p.message and p.severity == "warning" for p in catalog.problems)


def test_a_summary_that_is_the_start_of_the_first_paragraph_is_known_as_such(plain):
    """The article page shows such a summary once (it is the text's own opening), and the
    search result does not show it before the same words again."""
    body = "## 一、总则\n\n为了提高会议效率，制定本办法。本办法适用于机关各处室。\n\n第二段。\n"
    assert summary_repeats_lead("为了提高会议效率，制定本办法。本办法适用于机关各处室。", body)
    assert summary_repeats_lead("为了提高会议效率，制定本办法。", body)  # its first sentence
    assert summary_repeats_lead("为了提高会议效率，制…", body)  # cut short
    assert not summary_repeats_lead("会议怎样申请、怎样组织。", body)
    assert not summary_repeats_lead("", body)
    catalog = load_catalog(plain)
    assert catalog.get("hui-yi-guan-li-ban-fa").summary_leads  # the default summary is the first paragraph
    assert not any(a.summary_leads for a in load_catalog(PLAIN.parent.parent.parent / "content").articles)
