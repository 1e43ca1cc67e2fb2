"""Importing a Word document, a saved web page and Markdown through the upload form: a draft
in the editor that passes the checks, saved as an article with sections."""
import io
import re

from tests.conftest import FIXTURES
from tests.docx_files import meeting_rules
from tests.web.conftest import token


def upload(client, name: str, data: bytes):
    return client.post("/import", data={"csrf": token(client, "/import"), "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def draft_text(page: str) -> str:
    import html

    return html.unescape(re.search(r'<textarea id="text" name="text"[^>]*>(.*?)</textarea>', page, re.S).group(1))


def save_draft(client, page: str, text: str | None = None):
    path = re.search(r'id="path" name="path" required value="([^"]+)"', page).group(1)
    return client.post("/import/save", data={"csrf": token(client, "/import"), "path": path,
                                             "text": text if text is not None else draft_text(page), "name": "x"})


def test_a_word_document_with_chinese_outline_numbers_becomes_sections_and_keeps_its_table(client, tmp_path, content_dir):
    for styled in (True, False):  # Word heading styles, or bold paragraphs as many offices type them
        docx = meeting_rules(tmp_path / f"rules-{styled}.docx", styled=styled, title=f"会议筹备办法{int(styled)}")
        page = upload(client, "会议筹备办法.docx", docx.read_bytes()).get_data(as_text=True)
        text = draft_text(page)
        assert "\n## 一、总体要求\n" in text and "\n### （一）会前准备\n" in text and "\n#### 1. 会场布置\n" in text
        assert "\n## 二、会议保障\n" in text and "<th>事项</th>" in text and 'colspan="2"' in text
        assert "role=\"alert\"" not in page  # no problem that blocks the save
        response = save_draft(client, page)
        assert response.status_code == 303
        article = client.get(response.headers["Location"]).get_data(as_text=True)
        assert '<h2 id="总体要求">' in article and '<h3 id="会前准备">' in article and '<h4 id="会场布置">' in article
        assert "<td>会场布置</td>" in article


def test_images_from_a_word_document_go_to_the_media_folder_and_are_served(client, tmp_path, content_dir):
    docx = meeting_rules(tmp_path / "with-image.docx", image=True)
    page = upload(client, "with-image.docx", docx.read_bytes()).get_data(as_text=True)
    name = re.search(r"/media/([0-9a-f]{16}\.png)", page).group(1)
    assert (content_dir / "_media" / name).is_file()
    response = client.get(f"/media/{name}")
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
    assert client.get("/media/../guides/ten-awareness.md").status_code == 404


def test_a_saved_web_page_keeps_the_article_and_drops_the_page_furniture(client):
    page = upload(client, "page.html", (FIXTURES / "imports" / "saved-page.html").read_bytes()).get_data(as_text=True)
    text = draft_text(page)
    assert "title: 怎样做好来访接待工作" in text and "\n## 一、接待前的准备\n" in text and "| 迎接 | 办公室主任 |" in text
    for furniture in ("新闻中心", "会员登录", "举报", "下载本文", "版权所有", "分享到"):
        assert furniture not in text, furniture


def test_a_draft_with_an_error_is_not_saved_and_keeps_the_text(client, content_dir):
    page = upload(client, "notes.md", "# 笔记\n\n一段话。\n".encode()).get_data(as_text=True)
    response = save_draft(client, page, "---\ntitle: [坏\n---\n\n我的正文。\n")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "没有保存" in body and "我的正文。" in body


def test_unsupported_and_fake_files_are_refused_with_a_reason(client):
    assert "不支持 .exe" in upload(client, "virus.exe", b"MZ").get_data(as_text=True)
    assert "不是 Word 的 .docx" in upload(client, "old.docx", b"\xd0\xcf\x11\xe0 an old .doc").get_data(as_text=True)


def test_kb_import_writes_a_checked_article(tmp_path, content_dir):
    from cli import main
    from kb.store import load_catalog

    docx = meeting_rules(tmp_path / "cli.docx", title="命令行导入的办法")
    assert main(["import", str(docx), "--content", str(content_dir), "--index", str(tmp_path / "index")]) == 0
    catalog = load_catalog(content_dir)
    article = next(a for a in catalog.articles if a.title == "命令行导入的办法")
    assert [s.heading for s in article.sections if s.level == 2] == ["一、总体要求", "二、会议保障"]
    assert not [p for p in catalog.problems if p.path == article.rel_path and p.severity == "error"]


def upload_to(client, name: str, data: bytes, folder: str):
    return client.post("/import", data={"csrf": token(client, "/import"), "file": (io.BytesIO(data), name), "folder": folder},
                       content_type="multipart/form-data")


def main_text(page: str) -> str:
    """What the article page shows a reader: its <main> as text."""
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_a_saved_page_in_a_folder_gets_its_category_date_and_source_and_says_its_summary_once(client):
    page = upload_to(client, "公文处理办法.html", (FIXTURES / "imports" / "byline-page.html").read_bytes(),
                     "行政制度").get_data(as_text=True)
    assert 'id="path" name="path" required value="行政制度/gong-wen-chu-li-ban-fa.md"' in page
    text = draft_text(page)
    assert "category: 行政制度" in text and "published: 2024-03-01" in text and "source: 办公室" in text
    assert "summary: 为了规范公文处理工作" in text and "发布时间" not in text
    response = save_draft(client, page)
    article = client.get(response.headers["Location"]).get_data(as_text=True)
    shown = main_text(article)
    assert shown.count("为了规范公文处理工作") == 1
    assert "行政制度" in shown and "2024-03-01" in shown and "发布时间" not in shown
    hit = client.get("/api/search?q=公文处理办法").get_json()["results"][0]
    assert hit["slug"] == "gong-wen-chu-li-ban-fa" and hit["category"] == "行政制度"
    assert hit["snippet"].count("为了规范") <= 1 and "发布时间" not in hit["snippet"]


def test_a_word_documents_summary_is_shown_once_on_its_page(client, tmp_path):
    docx = meeting_rules(tmp_path / "once.docx", title="会议筹备办法（摘要一次）")
    page = upload(client, "once.docx", docx.read_bytes()).get_data(as_text=True)
    summary = re.search(r"^summary: (.+)$", draft_text(page), re.M).group(1)
    article = client.get(save_draft(client, page).headers["Location"]).get_data(as_text=True)
    assert main_text(article).count(summary[:20]) == 1


def test_an_import_folder_outside_the_content_is_refused_with_a_reason(client):
    response = upload_to(client, "page.html", (FIXTURES / "imports" / "byline-page.html").read_bytes(), "../elsewhere")
    assert response.status_code == 400 and "目录“../elsewhere”无效" in response.get_data(as_text=True)


def test_kb_import_dir_gives_the_category(tmp_path, content_dir):
    from cli.main import main
    from kb.store import load_catalog

    page = FIXTURES / "imports" / "byline-page.html"
    assert main(["import", str(page), "--dir", "行政制度", "--content", str(content_dir),
                 "--index", str(tmp_path / "index")]) == 0
    article = load_catalog(content_dir).get("gong-wen-chu-li-ban-fa")
    assert article.rel_path == "行政制度/gong-wen-chu-li-ban-fa.md"
    assert (article.category, article.published.isoformat(), article.source) == ("行政制度", "2024-03-01", "办公室")
