"""A department head who is only a reader, on a phone, against a real `kb serve` with a real SMTP
server: the menu leads to their group's read confirmations, the page passes axe at 375 px, the
keyboard alone sends one article's reminder, and the page says when it was sent and skips a repeat."""
import shutil

import pytest

from kb.database import open_database
from kb.people import People
from tests.browser.conftest import PHONE, log_in, open_page, serving
from tests.browser.test_accessibility import axe
from tests.conftest import CONTENT, write_article
from tests.mailserver import MailServer

TITLE = "新员工保密须知"
ACCOUNTS = {"小新": ("newcomer-password", "reader"), "老王": ("wang-password", "reader"),
            "处长": ("head-password", "reader")}


@pytest.fixture(scope="module")
def head_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("reminders-site")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    write_article(content, "guides/newcomer-secrets.md", "## 一、要点\n\n文件不带回家。\n", slug="newcomer-secrets",
                  title=TITLE, required_for="[新员工]")
    mail = MailServer(root / "smtp")
    env = {f"KB_{k.upper()}": str(v) for k, v in mail.settings.items()}
    try:
        with serving(root, content, ACCOUNTS, env) as base:
            people = People(open_database(f"sqlite:///{root / 'instance' / 'kb.sqlite3'}"))
            people.set_groups("小新", ["新员工"])
            people.set_email("小新", "xin@example.cn")
            people.set_groups("老王", ["办公室"])
            people.set_managers("新员工", ["处长"])
            people.engine.dispose()
            yield base, content, mail
    finally:
        mail.stop()


def test_a_head_reminds_their_group_by_keyboard_on_a_phone(browser, head_site, axe_source, artifacts):
    base, content, mail = head_site
    pg = open_page(browser, (base, content), **PHONE)
    log_in(pg, base, "处长", ACCOUNTS["处长"][0])
    pg.locator(".account-menu summary").click()
    pg.get_by_role("link", name="阅读确认").click()
    pg.wait_for_url(base + "/confirmations")
    assert axe(pg, axe_source) == []
    button = pg.get_by_role("button", name=f"提醒未确认的人（《{TITLE}》）")
    button.focus()
    pg.keyboard.press("Enter")
    pg.wait_for_url(base + "/confirmations?slug=newcomer-secrets")
    assert "已给 1 人发了提醒邮件" in pg.locator(".flash").inner_text()
    assert "上次提醒：" in pg.locator("main").inner_text() and "处长 提醒了 1 人" in pg.locator("main").inner_text()
    assert "老王" not in pg.locator("table").inner_text()  # not in the group they manage
    assert axe(pg, axe_source) == []
    pg.screenshot(path=str(artifacts / "reminder-sent-phone.png"), full_page=True)
    (message,) = mail.messages()
    assert message["To"] == "xin@example.cn" and TITLE in message.get_content()
    pg.get_by_role("button", name=f"提醒未确认的人（《{TITLE}》）").press("Enter")
    pg.wait_for_load_state()
    assert "已提醒过、这次跳过：小新" in pg.locator(".flash").inner_text()
    assert len(mail.messages()) == 1
    pg.context.close()
