"""Read and confirm, and feedback to the owner, as people do it in Chromium against a real
`kb serve`: a new employee sees their required reading, confirms it, and the manager's page
shows it with the version; an editor's material change puts it back on their list; a reader's
note reaches the owner's page."""
import shutil
import subprocess

import pytest

from kb.database import open_database
from kb.people import People
from tests.browser.conftest import DESKTOP, log_in, open_page, serving
from tests.browser.test_accessibility import axe
from tests.conftest import CONTENT, write_article

TITLE = "新员工保密须知"
ACCOUNTS = {"小新": ("newcomer-password", "reader"), "经理": ("manager-password", "editor"),
            "科长": ("owner-password", "reader")}


@pytest.fixture(scope="module")
def readers_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("readers-site")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    write_article(content, "guides/newcomer-secrets.md", "## 一、要点\n\n文件不带回家。\n", slug="newcomer-secrets",
                  title=TITLE, required_for="[新员工]", owner="综合科")
    with serving(root, content, ACCOUNTS) as base:
        people = People(open_database(f"sqlite:///{root / 'instance' / 'kb.sqlite3'}"))
        people.set_groups("小新", ["新员工"])
        people.set_groups("科长", ["综合科"])
        people.engine.dispose()
        yield base, content


def page_for(browser, site, name):
    pg = open_page(browser, site, **DESKTOP)
    log_in(pg, site[0], name, ACCOUNTS[name][0])
    return pg


def version_of(content) -> str:
    return subprocess.run(["git", "-C", str(content), "log", "-1", "--format=%H", "--", "guides/newcomer-secrets.md"],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_a_newcomer_confirms_the_manager_sees_it_and_a_material_change_asks_again(browser, readers_site, axe_source,
                                                                                    artifacts):
    base, content = readers_site
    newcomer = page_for(browser, readers_site, "小新")
    mine = newcomer.locator("#to-read-h + ul")
    assert newcomer.locator("#to-read-h").inner_text() == "需要我阅读的（1）"
    mine.get_by_role("link", name=TITLE).click()
    newcomer.wait_for_url(base + "/a/newcomer-secrets")
    assert axe(newcomer, axe_source) == []
    newcomer.get_by_role("button", name="已阅读并理解").click()
    newcomer.wait_for_url(base + "/a/newcomer-secrets#confirm")
    version = version_of(content)
    assert f"版本 {version[:8]}" in newcomer.locator(".confirm-done").inner_text()
    newcomer.screenshot(path=str(artifacts / "read-confirmed.png"))
    newcomer.goto(base + "/")
    assert newcomer.locator("#to-read-h").count() == 0

    manager = page_for(browser, readers_site, "经理")
    manager.locator(".account-menu summary").click()
    manager.get_by_role("link", name="阅读确认").click()
    manager.get_by_role("link", name=TITLE).click()
    row = manager.locator("tr", has=manager.locator("th", has_text="小新"))
    assert "已确认" in row.inner_text() and version[:8] in row.inner_text()
    assert axe(manager, axe_source) == []

    manager.goto(base + "/a/newcomer-secrets/edit")
    manager.fill("#text", manager.input_value("#text") + "\n在公共场所不谈工作。\n")
    manager.fill("#message", "增加一条要求")
    manager.get_by_label("这是实质性修改：请须阅读的人重新确认", exact=False).check()
    manager.get_by_role("button", name="保存并发布", exact=True).click()
    manager.wait_for_url(base + "/a/newcomer-secrets")
    assert version_of(content) != version

    newcomer.goto(base + "/")
    assert newcomer.locator("#to-read-h").inner_text() == "需要我阅读的（1）"
    assert "需重新确认" in newcomer.locator("#to-read-h + ul").inner_text()
    manager.goto(base + "/confirmations?slug=newcomer-secrets")
    row = manager.locator("tr", has=manager.locator("th", has_text="小新"))
    assert "需重新确认" in row.inner_text() and version[:8] in row.inner_text()
    manager.screenshot(path=str(artifacts / "read-confirmations.png"), full_page=True)
    for pg in (newcomer, manager):
        pg.context.close()


def test_a_readers_note_reaches_the_owners_page(browser, readers_site, axe_source, artifacts):
    base, _ = readers_site
    visitor = open_page(browser, readers_site, **DESKTOP)  # not logged in
    visitor.goto(base + "/a/newcomer-secrets")
    box = visitor.locator("#feedback")
    box.get_by_label("没帮助").check()
    box.get_by_label("内容过时").check()
    box.get_by_label("补充几句", exact=False).fill("保密室已经搬到三楼")
    box.get_by_role("button", name="提交反馈").click()
    visitor.wait_for_url(base + "/a/newcomer-secrets#feedback")
    assert "已转给这篇文章的负责人" in visitor.locator(".flashes").inner_text()

    owner = page_for(browser, readers_site, "科长")
    owner.locator(".account-menu summary").click()
    owner.get_by_role("link", name="读者反馈").click()
    note = owner.locator(".feedback-list li", has_text="保密室已经搬到三楼")
    assert TITLE in note.inner_text() and "内容过时" in note.inner_text() and "没帮助" in note.inner_text()
    assert axe(owner, axe_source) == []
    owner.screenshot(path=str(artifacts / "feedback-owner.png"), full_page=True)
    note.get_by_role("button", name="标为已处理").click()
    assert owner.locator(".feedback-list li", has_text="保密室已经搬到三楼").count() == 0
    owner.get_by_role("link", name="已处理").click()
    assert "科长 于" in owner.locator(".feedback-list li", has_text="保密室已经搬到三楼").inner_text()
    for pg in (visitor, owner):
        pg.context.close()
