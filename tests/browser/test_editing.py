"""Writing and keeping guidelines in a real browser: log in, create, edit with a preview, see
the history and the difference, revert; refused to anonymous readers, to another site's form
and without the form token; a Word document with 一、（一） headings and a table imported."""
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, open_page
from tests.docx_files import meeting_rules


def test_an_anonymous_reader_sees_no_edit_link_and_is_sent_to_log_in(page, site):
    base, _ = site
    page.goto(base + "/a/office-service-work")
    expect(page.locator(".article-actions")).not_to_contain_text("编辑")
    page.goto(base + "/a/office-service-work/edit")
    expect(page.locator("h1")).to_have_text("登录")
    page.goto(base + "/new")
    expect(page.locator("h1")).to_have_text("登录")


def test_an_editor_creates_edits_compares_and_reverts_an_article(editor, site):
    base, content = site
    page = editor
    page.goto(base + "/new")
    page.fill("#title", "公务接待清单说明")
    page.fill("#slug", "reception-notes")
    page.fill("#category", "接待")
    page.fill("#summary", "公务接待的要点。")
    page.fill("#text", "## 一、接待准备\n\n提前确认来访人数和日程。\n")
    page.fill("#message", "新建接待说明")
    page.click("form.edit-form .actions button[type=submit]")
    page.wait_for_url(base + "/a/reception-notes")
    expect(page.locator(".flash-saved")).to_have_text("已保存。")
    expect(page.locator(".article-body h2")).to_contain_text("一、接待准备")

    page.click(".article-actions >> text=编辑")
    text = page.input_value("#text").replace("提前确认来访人数和日程。", "提前确认来访人数、日程和饮食禁忌。")
    page.fill("#text", text + "\n## 二、接待结束\n\n及时整理接待资料。\n")
    page.click("#tab-preview")  # the preview is the article page's own rendering
    expect(page.locator("#pane-preview .article-body h2").nth(1)).to_contain_text("二、接待结束")
    page.click("#tab-write")
    page.fill("#message", "补充饮食禁忌和结束工作")
    page.click("form.edit-form .actions button[type=submit]")
    page.wait_for_url(base + "/a/reception-notes")
    expect(page.locator(".article-body")).to_contain_text("饮食禁忌")

    page.goto(base + "/a/reception-notes/history")
    messages = page.locator(".history-message")
    expect(messages).to_have_text(["补充饮食禁忌和结束工作", "新建接待说明"])
    expect(page.locator(".history-item").first).to_contain_text("editor")
    page.click("text=比较选中的两个版本")
    expect(page.locator(".diff ins").first).to_contain_text("、")
    inserted = " ".join(page.locator(".diff ins").all_inner_texts())
    assert "饮食禁忌" in inserted and "接待结束" in inserted
    assert "提前确认来访人数" not in inserted  # words, not the whole changed line

    page.goto(base + "/a/reception-notes/history")
    page.locator(".history-item").nth(1).locator("text=查看这一版").click()
    expect(page.locator(".version-banner")).to_contain_text("新建接待说明")
    page.click("text=恢复到这一版")
    page.wait_for_url(base + "/a/reception-notes")
    expect(page.locator(".article-body")).not_to_contain_text("饮食禁忌")
    page.goto(base + "/a/reception-notes/history")
    expect(page.locator(".history-message").first).to_contain_text("恢复到")
    page.goto(base + "/changes")
    expect(page.locator(".history-message").first).to_contain_text("恢复到")


class _OtherSite(BaseHTTPRequestHandler):
    """A page on another origin whose form posts to our site as soon as it loads."""

    target = ""

    def do_GET(self):
        body = f"""<!doctype html><meta charset="utf-8"><form id="f" method="post" action="{self.target}/new">
<input name="title" value="跨站"><input name="slug" value="cross-site-post"><input name="type" value="guide">
<input name="category" value="x"><input name="summary" value="x"><input name="body" value="x"></form>
<script>document.getElementById('f').submit()</script>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_form_posted_from_another_site_is_refused(editor, site):
    base, content = site
    _OtherSite.target = base
    other = HTTPServer(("127.0.0.1", 0), _OtherSite)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        editor.goto(f"http://localhost:{other.server_port}/")  # another origin, same browser, logged in here
        editor.wait_for_url(base + "/new")
        expect(editor.locator("main")).to_contain_text("拒绝了来自其他网站的提交")
    finally:
        other.shutdown()
    assert not (content / "guides" / "cross-site-post.md").exists()


def test_a_save_without_the_form_token_is_refused_and_the_draft_stays_in_the_browser(editor, site):
    base, content = site
    page = editor
    page.goto(base + "/a/ten-awareness/edit")
    before = (content / "guides" / "ten-awareness.md").read_text(encoding="utf-8")
    page.fill("#text", page.input_value("#text") + "\n没有令牌时写的一段话。\n")
    page.evaluate("document.querySelector('form.edit-form input[name=csrf]').remove()")
    page.click("form.edit-form .actions button[type=submit]")
    expect(page.locator("main")).to_contain_text("表单已过期或缺少安全校验")
    assert (content / "guides" / "ten-awareness.md").read_text(encoding="utf-8") == before
    page.goto(base + "/a/ten-awareness/edit")  # the text typed is still in this browser
    expect(page.locator(".draft-note")).to_be_visible()
    page.click("[data-draft-restore]")
    assert "没有令牌时写的一段话。" in page.input_value("#text")


def test_leaving_the_editor_with_unsaved_changes_asks_first(editor, site):
    base, _ = site
    page = editor
    page.goto(base + "/a/ten-awareness/edit")
    page.click("#text")
    page.keyboard.type("一句没保存的话")
    asked = []
    page.on("dialog", lambda d: (asked.append(d.type), d.dismiss()))
    page.evaluate("window.location.href = '/'")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert page.url.endswith("/edit")


def test_a_word_document_with_chinese_outline_imports_into_sections(editor, site, tmp_path):
    base, content = site
    page = editor
    docx = meeting_rules(tmp_path / "会议筹备办法.docx", styled=False, title="会议筹备办法（导入）")
    page.goto(base + "/import")
    page.set_input_files("#file", str(docx))
    page.click("form.edit-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("导入的草稿")
    text = page.input_value("#text")
    assert "## 一、总体要求" in text and "### （一）会前准备" in text and "<th>事项</th>" in text
    page.click("form.edit-form .actions button[type=submit]")
    page.wait_for_url(re.compile(r"/a/hui-yi-chou-bei-ban-fa"))
    expect(page.locator(".article-body h2").first).to_contain_text("一、总体要求")
    expect(page.locator(".article-body h3").first).to_contain_text("（一）会前准备")
    expect(page.locator(".article-body table td").first).to_have_text("会场布置")
    expect(page.locator(".toc-list")).to_contain_text("会前准备")


def test_more_writing_help_opens_on_the_site_beside_the_unsaved_editor(editor, site):
    base, _ = site
    editor.goto(base + "/a/office-service-work/edit")
    editor.fill("#text", editor.input_value("#text") + "\n还没保存的一段。\n")
    with editor.context.expect_page() as opened:
        editor.click(".md-help >> text=更多写法")
    help_page = opened.value
    help_page.wait_for_load_state()
    assert help_page.url == base + "/help/markdown"
    expect(help_page.locator("h1")).to_have_text("Markdown 写法")
    expect(help_page.locator("#w7 ~ .help-pair .help-effect table th").first).to_have_text("事项")
    help_page.close()
    assert editor.input_value("#text").endswith("还没保存的一段。\n")  # the editor is still there, unsaved
