"""Finding without typing it all: while typing, the list under the search box has title and
tag suggestions and, beside them, the best sections with their heading path and a snippet."""
import re

from playwright.sync_api import expect

from tests.browser.test_site import in_viewport, not_covered

SECTION = "[id='安全保密原则']"


def test_an_instant_result_shows_its_heading_path_and_opens_its_section(page, site):
    base, _ = site
    page.goto(base + "/")
    expect(page.locator("#q")).to_be_focused()  # the home page's search box has focus
    page.keyboard.type("安全保密")
    hit = page.locator(".suggest-box .suggest-hit").first
    expect(hit).to_be_visible()
    expect(page.locator(".suggest-box .suggest-group")).to_have_text("相关小节")
    expect(hit.locator(".suggest-hit-title")).to_have_text("怎样搞好办公室服务工作 › 三、办公室工作的原则 › （四）安全保密原则")
    expect(hit.locator(".suggest-snippet mark").first).to_have_text(re.compile("安全|保密"))
    expect(page.locator(".suggest-box .suggest-all")).to_contain_text("查看全部")
    hit.click()
    page.wait_for_url(re.compile(r"/a/office-service-work#"))
    assert page.evaluate("decodeURIComponent(location.hash)") == "#安全保密原则"
    assert in_viewport(page, SECTION) and not_covered(page, SECTION)


def test_instant_results_are_reached_with_the_arrow_keys(page, site):
    base, _ = site
    page.goto(base + "/search")
    page.fill("#search-q", "请示汇报")
    expect(page.locator(".suggest-box .suggest-hit").first).to_be_visible()
    options = page.locator(".suggest-box [role=option]")
    first_hit = options.evaluate_all("os => os.findIndex(o => o.classList.contains('suggest-hit'))")
    for _ in range(first_hit + 1):
        page.keyboard.press("ArrowDown")
    selected = page.locator(".suggest-box [aria-selected=true]")
    expect(selected).to_have_class(re.compile("suggest-hit"))
    assert page.get_attribute("#search-q", "aria-activedescendant") == selected.get_attribute("id")
    title = selected.locator(".suggest-hit-title").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/a/[^#]+#"))
    expect(page.locator(".reading-bar-section")).to_have_text(title.split(" › ")[-1])


def test_on_a_phone_an_instant_result_opens_with_a_tap(phone, site):
    base, _ = site
    phone.goto(base + "/")
    phone.fill("#q", "会议筹备")
    hit = phone.locator(".suggest-box .suggest-hit").first
    expect(hit).to_be_visible()
    assert hit.bounding_box()["height"] >= 44
    assert phone.locator(".suggest-box").evaluate("b => b.getBoundingClientRect().right <= innerWidth")
    title = hit.locator(".suggest-hit-title").inner_text().split(" › ")[0]
    hit.tap()
    phone.wait_for_url(re.compile(r"/a/"))
    expect(phone.locator("h1")).to_have_text(title)
