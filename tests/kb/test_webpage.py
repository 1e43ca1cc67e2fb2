"""A saved web page imported as an article: the byline Chinese sites print above the article
(「发布时间：2024-03-01 来源：办公室」) becomes the front matter's date and source instead of the
summary; the folder gives the category; the page's encoding is found."""
import datetime as dt

import pytest

from kb.frontmatter import parse
from kb.importing import ImportError_, category_for_folder, import_document, import_folder
from kb.webpage import byline_fields, read_saved_page
from tests.conftest import FIXTURES

PAGE = FIXTURES / "imports" / "byline-page.html"


def draft_meta(tmp_path, data: bytes, name: str = "page.html", **options):
    draft = import_document(name, data, tmp_path / "media", **options)
    parsed = parse(draft.text)
    return parsed.meta, parsed.body


def test_the_byline_becomes_the_date_and_source_not_the_summary(tmp_path):
    meta, body = draft_meta(tmp_path, PAGE.read_bytes(), today=dt.date(2026, 5, 1))
    assert meta["summary"].startswith("为了规范公文处理工作")
    assert meta["published"] == dt.date(2024, 3, 1) and meta["updated"] == dt.date(2026, 5, 1)
    assert meta["source"] == "办公室"
    assert "发布时间" not in body and "来源：" not in body
    assert "责任编辑" not in body  # the byline under the article goes too
    assert body.lstrip().startswith("为了规范公文处理工作")


@pytest.mark.parametrize("byline, date", [
    ("发布日期：2024年3月1日 来源：办公室", dt.date(2024, 3, 1)),  # trafilatura's extensive search says 2024-01-01
    ("时间：2024年03月01日 10:20 作者：王明 浏览次数：123", dt.date(2024, 3, 1)),
    ("2024/3/1 09:30 来源：办公室 【字体：大 中 小】【打印】", dt.date(2024, 3, 1)),
])
def test_dates_written_the_chinese_way_are_read_from_the_byline(tmp_path, byline, date):
    page = PAGE.read_text(encoding="utf-8").replace("发布时间：2024-03-01 来源：办公室", byline)
    meta, body = draft_meta(tmp_path, page.encode())
    assert meta["published"] == date
    assert byline[:4] not in body


def test_a_page_without_a_date_gets_none_rather_than_the_day_of_its_import(tmp_path):
    page = PAGE.read_text(encoding="utf-8").replace("发布时间：2024-03-01 来源：办公室", "来源：办公室")
    meta, _ = draft_meta(tmp_path, page.encode())
    assert "published" not in meta and meta["source"] == "办公室"


def test_the_pages_own_metadata_wins_where_it_has_it(tmp_path):
    head = ('<meta property="og:site_name" content="某市人民政府办公室">'
            '<link rel="canonical" href="https://www.example.gov.cn/zcfg/2024/1.html">'
            '<meta property="article:published_time" content="2024-02-20">')
    page = PAGE.read_text(encoding="utf-8").replace("<head>", "<head>" + head).replace("来源：办公室", "作者：王明")
    meta, _ = draft_meta(tmp_path, page.encode())
    assert meta["published"] == dt.date(2024, 2, 20) and meta["author"] == "王明"
    assert meta["source"] == "某市人民政府办公室" and meta["source_url"] == "https://www.example.gov.cn/zcfg/2024/1.html"


def test_a_page_saved_in_gbk_without_a_charset_is_read(tmp_path):
    page = PAGE.read_text(encoding="utf-8").replace('<meta charset="utf-8">', "")
    meta, body = draft_meta(tmp_path, page.encode("gbk"))
    assert meta["title"] == "公文处理办法" and "签收时要清点数量" in body


@pytest.mark.parametrize("line", [
    "时间：2024年3月1日上午9时 地点：三楼会议室",  # a meeting notice's first line, not a byline
    "时间：每周一上午",
    "来源：本办法根据国务院有关规定制定，适用于全体工作人员的日常公文处理工作，各部门应当认真遵照执行。",
    "为了规范公文处理工作，制定本办法。",
])
def test_lines_that_only_look_like_a_byline_are_kept(line):
    assert byline_fields(line) is None


def test_an_article_that_opens_with_a_notice_keeps_it(tmp_path):
    page = PAGE.read_text(encoding="utf-8").replace("发布时间：2024-03-01 来源：办公室", "时间：2024年3月1日上午9时 地点：三楼会议室")
    _, body = draft_meta(tmp_path, page.encode())
    assert "地点：三楼会议室" in body


def test_the_folder_gives_the_category(tmp_path):
    assert draft_meta(tmp_path, PAGE.read_bytes(), folder="行政制度")[0]["category"] == "行政制度"
    assert draft_meta(tmp_path, PAGE.read_bytes(), folder="制度/行政")[0]["category"] == "行政"
    assert draft_meta(tmp_path, PAGE.read_bytes())[0]["category"] == "未分类"  # the default folder, guides
    assert category_for_folder("") == "未分类"


@pytest.mark.parametrize("folder", ["../outside", "_media", ".git", "制度/../../x"])
def test_a_folder_outside_the_content_or_hidden_from_it_is_refused(folder):
    with pytest.raises(ImportError_, match="无效"):
        import_folder(folder)


def test_a_page_with_no_article_text_is_not_a_page():
    assert read_saved_page(b"<html><head><title>x</title></head><body></body></html>") is None
