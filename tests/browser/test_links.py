"""Links people paste: readable section links, a copy button that says what it does, and
addresses typed by hand that still arrive."""
from playwright.sync_api import expect

from tests.browser.test_site import in_viewport, not_covered

SECTION = "[id='安全保密原则']"


def test_the_copy_button_shows_an_icon_and_its_words_on_hover_and_on_focus(page, site):
    base, _ = site
    page.goto(base + "/a/office-service-work")
    button = page.locator(f"{SECTION} .heading-link")
    assert button.evaluate("b => getComputedStyle(b).opacity") == "0"  # out of the way while reading
    page.hover(SECTION)
    assert button.evaluate("b => getComputedStyle(b).opacity") == "1"
    expect(button.locator("svg.icon")).to_be_visible()
    expect(button).to_have_text("复制本节链接")
    page.mouse.move(5, 5)
    button.focus()
    assert button.evaluate("b => getComputedStyle(b).opacity") == "1"
    expect(button).to_have_accessible_name("复制本节链接：（四）安全保密原则")


def test_on_a_phone_the_copy_button_always_shows_its_words(phone, site):
    base, _ = site
    phone.goto(base + "/a/office-service-work")
    button = phone.locator(f"{SECTION} .heading-link")
    assert button.evaluate("b => getComputedStyle(b).opacity") == "1"
    expect(button).to_have_text("复制本节链接")
    assert button.bounding_box()["height"] >= 44


def test_a_link_retyped_with_a_slash_or_capitals_opens_the_section(page, site):
    base, _ = site
    page.goto(base + "/a/Office-Service-Work/#安全保密原则")
    assert page.url == base + "/a/office-service-work#%E5%AE%89%E5%85%A8%E4%BF%9D%E5%AF%86%E5%8E%9F%E5%88%99"
    expect(page.locator("h1")).to_have_text("怎样搞好办公室服务工作")
    assert in_viewport(page, SECTION) and not_covered(page, SECTION)
