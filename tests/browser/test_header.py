"""The page header as a logged-in editor meets it: one row on a 1280 px screen, two compact rows
on a 390 px phone (it took 185 px there, and wrapped to two rows on a desktop, when every account
link sat in it), and the account's tools in a menu that works by keyboard."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, log_in, open_page
from tests.browser.test_phone import measure
from tests.browser.test_site import tab_to

PHONE_390 = {**PHONE, "viewport": {"width": 390, "height": 844}}
PAGES = ["/", "/a/office-service-work", "/search?q=保密", "/a/office-service-work/edit"]
#: Two rows of 44 px touch targets and the header's padding and border.
PHONE_HEADER = 100


def header(page) -> dict:
    """The header's height and the vertical extent of each of its parts."""
    return page.evaluate("""() => ({
        height: document.querySelector('.site-header').getBoundingClientRect().height,
        parts: Array.from(document.querySelector('.header-inner').children)
            .filter(e => e.getClientRects().length)
            .map(e => { const r = e.getBoundingClientRect(); return [e.className, r.top, r.bottom]; }) })""")


def rows(parts) -> int:
    """How many rows the parts sit in: a part starts a new row when it begins below the bottom
    of every part before it."""
    count, bottom = 0, None
    for _, top, bot in sorted(parts, key=lambda p: p[1]):
        if bottom is None or top >= bottom - 1:
            count += 1
            bottom = bot
        else:
            bottom = max(bottom, bot)
    return count


@pytest.fixture(params=["editor", "admin"])
def account(request):
    return request.param


def _screen(browser, site, options, name):
    page = open_page(browser, site, **options)
    if name:
        log_in(page, site[0], name)
    return page


def test_logged_in_the_header_is_one_row_on_a_1280px_screen(browser, site, account):
    page = _screen(browser, site, DESKTOP, account)
    for path in PAGES:
        page.goto(site[0] + path)
        found = header(page)
        assert rows(found["parts"]) == 1, (path, found)
        assert found["height"] <= 64, (path, found)
    page.context.close()


def test_on_a_390px_phone_the_header_is_two_compact_rows_logged_in_or_not(browser, site, account):
    for name in (account, None):
        page = _screen(browser, site, PHONE_390, name)
        for path in PAGES:
            page.goto(site[0] + path)
            found = header(page)
            assert rows(found["parts"]) == 2, (name, path, found)
            assert found["height"] <= PHONE_HEADER, (name, path, found)
        page.context.close()


def test_on_a_phone_the_open_account_menu_has_44px_targets_and_covers_nothing_it_should_not(browser, site):
    page = _screen(browser, site, PHONE_390, "admin")
    page.goto(site[0] + "/a/office-service-work")
    page.locator(".account-menu summary").click()
    panel = page.locator(".account-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    small = [t for t in measure(page, "smallTargets") if "退出" in t or "account" in t or "新建文章" in t or "用户" in t]
    assert small == []
    page.context.close()


def test_the_account_menu_opens_and_closes_by_keyboard(browser, site):
    page = _screen(browser, site, DESKTOP, "admin")
    page.goto(site[0] + "/a/office-service-work")
    tab_to(page, "e.matches('.account-menu summary')")
    page.keyboard.press("Enter")
    menu = page.locator(".account-menu")
    expect(menu).to_have_attribute("open", "")
    tab_to(page, "e.textContent.trim() === '用户'", limit=20)
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    assert page.evaluate("document.activeElement.matches('.account-menu summary')")
    page.keyboard.press("Space")
    expect(menu).to_have_attribute("open", "")
    tab_to(page, "e.textContent.trim() === '退出'", limit=20)
    page.keyboard.press("Tab")  # past the last item: the menu closes behind the focus
    expect(menu).not_to_have_attribute("open", "")
    page.locator(".account-menu summary").click()
    page.locator("h1").click()  # a click elsewhere closes it too
    expect(menu).not_to_have_attribute("open", "")
    page.context.close()


def test_the_account_menu_leads_to_each_tool_and_logs_out(browser, site):
    page = _screen(browser, site, DESKTOP, "admin")
    base = site[0]
    page.goto(base + "/a/office-service-work")
    page.locator(".account-menu summary").click()
    links = page.locator(".account-panel a")
    expect(links).to_have_text(["新建文章", "导入", "草稿", "待复审", "搜索统计", "阅读确认", "读者反馈", "检查链接", "阅读进度", "我的关注", "同义词", "推荐答案", "文件夹设置", "用户"])
    page.locator(".account-panel a", has_text="用户").click()
    page.wait_for_url(base + "/users")
    page.locator(".account-menu summary").click()
    page.locator(".account-panel button", has_text="退出").click()
    expect(page.locator(".login-link")).to_be_visible()
    page.context.close()
