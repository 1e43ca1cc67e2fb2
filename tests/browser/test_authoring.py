"""Writing guidelines as clerical staff and approvers do, in Chromium: a 制度 made from its
template in the form editor without typing YAML; a draft a reader never sees until an approver,
who sees the words changed, publishes it; an attachment uploaded and found by a word inside it."""
import re
import shutil

import pytest
import yaml
from playwright.sync_api import expect

from tests.attachment_files import pdf
from tests.browser.conftest import DESKTOP, PHONE, log_in, open_page, serving
from tests.conftest import CONTENT

APPROVAL_ACCOUNTS = {"editor": "editor-password", "approver": "approver-password"}


def _front_matter(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


def test_a_clerk_creates_a_rule_from_its_template_without_typing_yaml(editor, site):
    base, content = site
    page = editor
    page.goto(base + "/new")
    page.select_option("#type", "rule")
    expect(page.locator("#text")).to_have_value(re.compile("第一章 总则[\\s\\S]*第一条"))
    page.fill("#title", "公务用车管理办法")
    expect(page.locator("#slug")).to_have_value("gong-wu-yong-che-guan-li-ban-fa")  # the title's pinyin
    assert page.locator("#categories option[value='办公室综合']").count() == 1  # the categories in use are offered
    page.fill("#category", "办公室综合")
    page.fill("#summary", "公务用车的申请、派车和费用结算。")
    page.click("#tags")
    page.keyboard.type("用车")
    page.keyboard.press("Enter")
    page.keyboard.type("车辆，")
    expect(page.locator(".chips-input .chip")).to_have_count(2)
    page.select_option("[id='field:status']", "trial")
    page.click(".fields-more summary")
    page.fill("[id='field:doc_no']", "办发〔2025〕3号")
    page.fill("[id='field:effective']", "2025-03-01")  # a date picker
    page.fill("[id='field:owner']", "办公室综合科")
    body = page.input_value("#text").replace("为了……，根据……", "为了规范公务用车，根据有关规定")
    page.fill("#text", body)
    page.locator("#text").press("Control+End")
    page.click(".md-toolbar [data-md=article]")  # the toolbar writes the Markdown
    page.keyboard.type("用车须提前一天申请。")
    page.click("form.edit-form .actions button[value=publish]")
    page.wait_for_url(base + "/a/gong-wu-yong-che-guan-li-ban-fa")
    expect(page.locator(".article-kicker")).to_contain_text("制度")
    expect(page.locator(".article-body")).to_contain_text("为了规范公务用车，根据有关规定")
    expect(page.locator(".article-body")).to_contain_text("用车须提前一天申请。")
    expect(page.locator(".meta [data-field=doc_no] dd")).to_have_text("办发〔2025〕3号")
    expect(page.locator(".article-kicker .life-mark").first).to_contain_text("试行")
    expect(page.locator(".meta [data-field=effective] dd")).to_have_text("2025-03-01")
    meta = _front_matter(content / "guides" / "gong-wu-yong-che-guan-li-ban-fa.md")
    assert meta["type"] == "rule" and meta["tags"] == ["用车", "车辆"] and meta["status"] == "trial"
    assert meta["doc_no"] == "办发〔2025〕3号" and str(meta["effective"]) == "2025-03-01"
    assert meta["owner"] == "办公室综合科" and meta["category"] == "办公室综合"

    page.goto(base + "/a/gong-wu-yong-che-guan-li-ban-fa/edit")  # the raw source is still there for those who want it
    page.click("text=改为编辑源文件")
    expect(page.locator("textarea[name=text]")).to_have_value(re.compile(r"^---\ntitle: 公务用车管理办法"))


def test_the_form_works_by_keyboard_alone(editor, site):
    base, _ = site
    page = editor
    page.goto(base + "/new")
    page.focus("#title")
    page.keyboard.type("值班安排")
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
    assert order == ["slug", "type", "field:status", "category", "summary", "tags"]
    page.keyboard.type("值班")
    page.keyboard.press("Enter")
    expect(page.locator(".chips-input .chip")).to_have_text([re.compile("值班")])
    page.keyboard.press("Shift+Tab")  # the chip's remove button is reachable, and named
    expect(page.locator(":focus")).to_have_attribute("aria-label", "去掉标签 值班")


def test_the_form_fits_a_phone(browser, site):
    base, _ = site
    page = open_page(browser, site, **PHONE)
    log_in(page, base)
    page.goto(base + "/new")
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    box = page.locator("#title").bounding_box()
    assert box["width"] > 250 and box["height"] >= 40
    page.context.close()


def test_an_attachment_uploaded_is_found_by_a_word_inside_it(editor, site):
    base, content = site
    page = editor
    page.goto(base + "/a/office-director-coordination/edit")
    page.set_input_files("#files", files=[{"name": "公务接待伙食补助标准.pdf", "mimeType": "application/pdf",
                                          "buffer": pdf("公务接待的伙食补助费标准按每人每天一百元执行。")}])
    page.click("form.edit-form .actions button[value=publish]")
    page.wait_for_url(base + "/a/office-director-coordination")
    item = page.locator(".attachments li")
    expect(item).to_contain_text("公务接待伙食补助标准.pdf")
    expect(item).to_contain_text("PDF")
    assert (content / "guides" / "office-director-coordination.files" / "公务接待伙食补助标准.pdf").is_file()

    page.goto(base + "/search?q=伙食补助费标准")
    hit = page.locator(".result", has=page.locator(".hit-attachment")).first
    expect(hit.locator(".result-title")).to_contain_text("附件：公务接待伙食补助标准.pdf")
    expect(hit.locator(".snippet mark").first).to_be_visible()
    with page.expect_download() as download:
        hit.locator(".hit-attachment a").click()
    assert download.value.suggested_filename == "公务接待伙食补助标准.pdf"
    hit.locator(".result-title a").click()  # the article, at its list of attachments
    expect(page.locator(".attachments li:target")).to_contain_text("公务接待伙食补助标准.pdf")


@pytest.fixture(scope="module")
def approval_site(tmp_path_factory):
    """A second site that requires approval, with an editor and an approver."""
    root = tmp_path_factory.mktemp("approval")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    with serving(root, content, APPROVAL_ACCOUNTS, {"KB_REQUIRE_APPROVAL": "true"}) as base:
        yield base, content


def test_a_draft_is_invisible_to_a_reader_and_published_by_an_approver(browser, approval_site):
    base, content = approval_site
    editor, approver, reader = (open_page(browser, approval_site, **DESKTOP) for _ in range(3))
    log_in(editor, base, "editor", APPROVAL_ACCOUNTS["editor"])
    editor.goto(base + "/a/office-service-work/edit")
    expect(editor.locator(".notice").first).to_contain_text("要经审核人发布")
    editor.fill("#text", editor.input_value("#text") + "\n\n来文登记后当日分送领导批阅。\n")
    editor.fill("#message", "补充来文分送时限")
    editor.click("form.edit-form .actions button[value=draft]")
    editor.wait_for_url(base + "/a/office-service-work/draft")
    expect(editor.locator(".flash-saved")).to_contain_text("已保存为草稿")

    reader.goto(base + "/a/office-service-work")
    expect(reader.locator(".article-body")).not_to_contain_text("来文登记后当日分送领导批阅")
    reader.goto(base + "/search?q=当日分送领导批阅")
    expect(reader.locator("main")).not_to_contain_text("来文登记后当日分送")

    log_in(approver, base, "approver", APPROVAL_ACCOUNTS["approver"])
    approver.click(".account-menu summary")
    approver.click(".account-panel >> text=草稿")
    approver.click(".draft-list >> text=办公室服务工作")
    expect(approver.locator(".diff ins", has_text="来文登记后当日分送领导批阅")).to_have_count(1)  # the words added
    approver.fill("#publish-message", "同意：补充来文分送时限")
    approver.click(".draft-actions button:has-text('发布')")
    approver.wait_for_url(base + "/a/office-service-work")

    reader.goto(base + "/a/office-service-work")
    expect(reader.locator(".article-body")).to_contain_text("来文登记后当日分送领导批阅")
    reader.goto(base + "/changes")  # readers see the publication; the drafts area is the editors' own
    messages = reader.locator(".history-message").all_inner_texts()
    assert messages[0] == "同意：补充来文分送时限" and "补充来文分送时限" not in messages
    expect(reader.locator(".history-item").first).to_contain_text("approver")
    approver.goto(base + "/changes")  # both steps are in the history, by their authors
    assert approver.locator(".history-message").all_inner_texts()[:2] == ["同意：补充来文分送时限", "补充来文分送时限"]
    expect(approver.locator(".history-item").nth(1)).to_contain_text("editor")
    for pg in (editor, approver, reader):
        pg.context.close()


def test_a_draft_sent_back_keeps_every_word_for_its_author(browser, approval_site):
    base, content = approval_site
    editor, approver = (open_page(browser, approval_site, **DESKTOP) for _ in range(2))
    log_in(editor, base, "editor", APPROVAL_ACCOUNTS["editor"])
    editor.goto(base + "/a/daily-admin-work/edit")
    editor.fill("#text", editor.input_value("#text") + "\n\n一段要审核人看的文字。\n")
    editor.click("form.edit-form .actions button[value=draft]")
    editor.wait_for_url(base + "/a/daily-admin-work/draft")
    log_in(approver, base, "approver", APPROVAL_ACCOUNTS["approver"])
    approver.goto(base + "/a/daily-admin-work/draft")
    approver.fill("#comment", "请写明由谁负责")
    approver.click("text=退回修改")
    expect(approver.locator(".draft-returned")).to_contain_text("请写明由谁负责")
    editor.goto(base + "/a/daily-admin-work/edit")
    expect(editor.locator(".draft-notice")).to_contain_text("请写明由谁负责")
    assert "一段要审核人看的文字。" in editor.input_value("#text")
    for pg in (editor, approver):
        pg.context.close()
