"""文件夹设置 in Chromium against a real `kb serve`: an editor of 财务处 finds the page from
「浏览」, picks the group as a chip (the site's groups offered), saves, and an anonymous visitor
no longer finds the folder's article; the new-article form then shows the folder's default."""
import shutil

import pytest
from playwright.sync_api import expect

from kb.database import open_database
from kb.people import People
from tests.browser.conftest import DESKTOP, log_in, open_page, serving
from tests.browser.test_accessibility import axe
from tests.conftest import CONTENT, write_article

TITLE = "丙寅报销须知"
ACCOUNTS = {"会计科长": ("fin-editor-password", "editor")}


@pytest.fixture(scope="module")
def finance_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("folder-site")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    write_article(content, "finance/claims.md", "## 一、步骤\n\n丙寅报销先填单。\n", slug="claims", title=TITLE)
    with serving(root, content, ACCOUNTS) as base:
        people = People(open_database(f"sqlite:///{root / 'instance' / 'kb.sqlite3'}"))
        people.set_groups("会计科长", ["财务处"])
        people.engine.dispose()
        yield base, content


def test_an_editor_restricts_a_folder_by_picking_its_group(browser, finance_site, axe_source, artifacts):
    base, content = finance_site
    editor = open_page(browser, finance_site, **DESKTOP)
    log_in(editor, base, "会计科长", ACCOUNTS["会计科长"][0])
    editor.goto(base + "/browse")
    editor.locator("main").get_by_role("link", name="文件夹设置").click()
    editor.wait_for_url(base + "/folders")
    editor.get_by_role("link", name="设置 finance/").click()
    editor.wait_for_url(base + "/folders/edit?path=finance")
    assert axe(editor, axe_source) == []
    readers = editor.get_by_label("阅读范围", exact=True)
    assert readers.get_attribute("list") == "kb-groups"  # the site's groups offered while typing
    readers.fill("财务处")
    readers.press("Enter")
    assert editor.locator("[data-field=readers] .chip").inner_text().startswith("财务处")
    editor.get_by_label("修改说明（记入修改历史，可不填）").fill("只给财务处")
    editor.get_by_role("button", name="保存").click()
    editor.wait_for_url(base + "/folders/edit?path=finance")
    assert "已保存文件夹 finance/ 的默认设置" in editor.content()
    assert editor.locator("[data-field=readers] .chip").inner_text().startswith("财务处")
    assert "只给财务处" in editor.locator(".history-list").inner_text()
    editor.screenshot(path=str(artifacts / "folder-settings.png"))
    assert (content / "finance" / "_folder.yaml").read_text(encoding="utf-8") == "readers: [财务处]\n"

    visitor = open_page(browser, finance_site, **DESKTOP)
    assert visitor.goto(base + "/a/claims").status == 404
    visitor.context.close()
    assert TITLE in (editor.goto(base + "/a/claims") and editor.content())

    editor.goto(base + "/new?folder=finance")  # the new-article form says what the folder gives
    editor.locator("summary", has_text="更多信息").click()
    hint = editor.locator("[data-field=readers] .field-default")
    expect(hint).to_have_text("不填时是：财务处（文件夹 finance/ 的默认）")
    assert editor.get_by_label("阅读范围", exact=True).get_attribute("placeholder") == "财务处"
    editor.select_option("#folder", "")  # by type: guides/, which gives nothing
    expect(hint).to_be_hidden()
    editor.select_option("#folder", "finance")
    expect(hint).to_be_visible()
    editor.context.close()
