"""A guideline's life in a real browser: a reader searching finds the rule in force, is told of
the repealed one, opens it, reads at its top that it is repealed and follows the link to its
replacement (also on paper); an editor confirms a review from 「待复审」."""
import datetime as dt
import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ACCOUNTS, DESKTOP, PHONE, log_in, open_page, serving
from tests.conftest import CONTENT
from tests.web.test_lifecycle import write_rules


@pytest.fixture(scope="module")
def rules_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("lifecycle-site")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    write_rules(content)
    with serving(root, content, ACCOUNTS) as base:
        yield base, content


@pytest.fixture
def reader(browser, rules_site):
    pg = open_page(browser, rules_site, **DESKTOP)
    yield pg
    pg.context.close()


def test_a_reader_is_led_from_a_repealed_rule_to_its_replacement(reader, rules_site):
    base, _ = rules_site
    page = reader
    page.goto(base + "/")
    page.fill("#q", "用印")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=*")
    expect(page.locator(".result-title a")).to_have_count(1)
    expect(page.locator(".result-title a")).to_contain_text("印章管理办法")
    expect(page.locator(".result-meta").first).to_contain_text("现行")
    expect(page.locator(".repealed-line")).to_contain_text("另有 1 篇已废止的文章也符合")

    page.click("text=查看已废止的文章")
    expect(page.locator(".active-filters")).to_contain_text("状态：废止")
    expect(page.locator(".result-meta").first).to_contain_text("已废止")
    page.click(".result-title a")
    page.wait_for_url(base + "/a/seal-rules-2019*")
    banner = page.locator(".life-notice.life-repealed").first
    expect(banner).to_be_visible()
    expect(banner).to_have_text("本文已于 2024-07-01 废止，不再执行，由《印章管理办法》取代。")
    assert banner.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]  # above the title
    expect(page.locator(".article-body")).to_contain_text("用印须经办公室主任审批")  # still readable

    page.emulate_media(media="print")  # on paper it says so too, with the number and dates
    expect(banner).to_be_visible()
    expect(page.locator(".meta")).to_contain_text("办发〔2019〕7号")
    expect(page.locator(".meta")).to_contain_text("2024-07-01")
    page.emulate_media(media="screen")

    banner.locator("a").click()
    page.wait_for_url(base + "/a/seal-rules")
    expect(page.locator(".life-notice.life-replaces")).to_have_text("本文取代了《印章管理办法（2019 年）》。")
    header = page.locator(".meta")
    for text in ("文号", "办发〔2024〕12号", "责任部门", "办公室综合科", "施行日期", "2024-07-01", "下次复审日期"):
        expect(header).to_contain_text(text)
    expect(page.locator(".related")).not_to_contain_text("2019 年")


def test_instant_results_say_a_rule_is_on_trial(reader, rules_site):
    base, _ = rules_site
    reader.goto(base + "/")
    reader.locator("#q").press_sequentially("请假管理办法")
    hit = reader.locator(".suggest-hit", has_text="请假管理办法").first
    expect(hit).to_contain_text("试行")


def test_a_day_in_the_past_shows_the_text_then_in_force(reader, rules_site):
    base, _ = rules_site
    page = reader
    page.goto(base + "/a/seal-rules")
    page.fill("#as-of-day", "2024-08-01")
    page.click(".as-of-form button")
    page.wait_for_url("**/a/seal-rules?on=2024-08-01")
    note = page.locator(".life-as-of")
    expect(note).to_be_visible()  # the history began when the server first started: today
    expect(note).to_contain_text("2024-08-01 施行的就是本文现在的文本")
    expect(note).to_contain_text("更早的修改没有记录")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "375"])
def test_the_lifecycle_pages_pass_axe(browser, rules_site, axe_source, size):
    """Before the review below is confirmed: the review page still lists its buttons."""
    from tests.browser.test_accessibility import axe

    base, _ = rules_site
    page = open_page(browser, rules_site, **size)
    try:
        log_in(page, base)
        for url in ("/a/seal-rules-2019", "/a/leave-rules", "/a/seal-rules?on=2024-08-01", "/search?q=用印",
                    "/review", "/a/seal-rules/delete"):
            page.goto(base + url)
            assert axe(page, axe_source) == [], url
    finally:
        page.context.close()


def test_an_editor_confirms_a_review_from_the_review_page(browser, rules_site):
    base, _ = rules_site
    page = open_page(browser, rules_site, **PHONE)  # on a phone: the buttons are big enough to tap
    try:
        log_in(page, base)
        page.goto(base + "/")
        page.locator(".account-menu summary").click()  # the account's menu (web/templates/base.html)
        page.locator(".account-panel >> text=待复审").click()
        page.wait_for_url(base + "/review")
        item = page.locator('.review-item[data-slug="document-handling"]')
        expect(item).to_contain_text("公文处理办法")
        expect(item).to_contain_text("已过期 3 天")
        expect(page.locator(".review-group h2").first).to_contain_text("秘书科")
        button = item.locator("text=确认仍然有效")
        assert button.bounding_box()["height"] >= 44
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        button.click()
        page.wait_for_url(base + "/review")
        expect(page.locator(".flash-saved")).to_contain_text("已确认《公文处理办法》仍然有效")
        expect(page.locator('.review-item[data-slug="document-handling"]')).to_have_count(0)
        today = dt.date.today()
        page.goto(base + "/a/document-handling")
        review_by = page.locator('.meta [data-field="review_by"] time')
        assert review_by.get_attribute("datetime").startswith(str(today.year + 1))
    finally:
        page.context.close()

