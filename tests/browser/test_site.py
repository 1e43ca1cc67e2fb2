import re
from urllib.parse import unquote

from playwright.sync_api import expect


def in_viewport(page, selector):
    return page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect(); return r.top >= -2 && r.top < innerHeight; }")


def tab_to(page, condition: str, limit: int = 30) -> None:
    """Press Tab until the focused element meets ``condition`` (JS, with ``e`` the element)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => {condition})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def not_covered(page, selector):
    """What a reader sees at the element's first line is the element, not a bar over it."""
    return page.eval_on_selector(selector, """e => {
        const r = e.getBoundingClientRect(), hit = document.elementFromPoint(r.left + 8, r.top + r.height / 2);
        return hit !== null && e.contains(hit); }""")


def test_search_from_home_and_open_the_result_at_its_section(page, site):
    base, _ = site
    page.goto(base + "/")
    page.fill("#q", "请示汇报")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    first = page.locator(".result-title a").first
    expect(first).to_contain_text("请示汇报原则")
    first.click()
    page.wait_for_url(re.compile(r"/a/office-service-work"))
    assert unquote(page.url).endswith("#请示汇报原则")
    heading = "[id='请示汇报原则']"
    assert in_viewport(page, heading)
    assert page.locator(".article-body mark.hl").count() >= 1  # searched words highlighted


def test_confidentiality_guidance_in_two_interactions_from_home(page, site):
    base, _ = site
    page.goto(base + "/")
    expect(page.locator("#q")).to_be_focused()  # the search box has focus on the home page
    page.keyboard.type("保密")
    page.keyboard.press("Enter")
    page.locator(".result-title a").first.click()
    page.wait_for_url(re.compile(r"/a/"))
    landed = unquote(page.url)
    assert "保密" in landed.split("#", 1)[-1] or "保密" in page.inner_text("h1")
    if "#" in landed:
        assert in_viewport(page, f"[id='{landed.split('#', 1)[1]}']")


def test_slash_focuses_search_and_suggestions_work_by_keyboard(page, site):
    base, _ = site
    page.goto(base + "/a/office-service-work")
    page.locator("body").click(position={"x": 5, "y": 400})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("保密")
    expect(page.locator(".suggest-box li").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    label = page.locator(".suggest-box li[aria-selected=true] span").first.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "保密" in label
    assert "/a/" in page.url or "/search" in page.url


def test_a_facet_chip_narrows_the_results(page, site):
    base, _ = site
    page.goto(base + "/search?q=会议")
    total_before = int(re.search(r"找到 (\d+)", page.inner_text(".result-head")).group(1))
    page.locator("[data-facet=type] a.chip", has_text="清单").click()
    page.wait_for_url(re.compile(r"type=checklist"))
    total_after = int(re.search(r"找到 (\d+)", page.inner_text(".result-head")).group(1))
    assert 0 < total_after < total_before
    badges = page.locator(".result .badge").all_inner_texts()
    assert badges and set(badges) == {"清单"}
    expect(page.locator(".chip-active").first).to_contain_text("清单")


def test_a_checklist_tick_survives_a_reload_and_reset_clears_it(page, site):
    base, _ = site
    page.goto(base + "/a/meeting-preparation")
    boxes = page.locator(".task-list-item input[type=checkbox]")
    total = boxes.count()
    assert total >= 10
    boxes.nth(0).check()
    boxes.nth(2).check()
    expect(page.locator(".checklist-progress")).to_have_text(f"已完成 2 / {total}")
    page.reload()
    assert boxes.nth(0).is_checked() and boxes.nth(2).is_checked() and not boxes.nth(1).is_checked()
    expect(page.locator(".checklist-progress")).to_have_text(f"已完成 2 / {total}")
    page.once("dialog", lambda d: d.accept())
    page.click(".checklist-reset")
    page.reload()
    assert not boxes.nth(0).is_checked()


def test_copying_a_section_link_gives_a_url_that_opens_that_section(page, site):
    base, _ = site
    page.goto(base + "/a/office-service-work")
    page.locator("[id='安全保密原则'] .heading-link").click()
    expect(page.locator(".toast")).to_have_text("已复制本节链接")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert unquote(copied) == base + "/a/office-service-work/安全保密原则"
    assert copied == base + "/a/office-service-work/安全保密原则"  # readable as pasted, not %E5%AE%89…
    page.goto(base + "/")
    page.goto(copied)
    assert in_viewport(page, "[id='安全保密原则']")
    assert not_covered(page, "[id='安全保密原则']")
    assert page.evaluate("decodeURIComponent(location.pathname)") == "/a/office-service-work/安全保密原则"


def test_an_alias_redirects_to_the_current_address(page, site):
    base, _ = site
    response = page.goto(base + "/a/ten-consciousness")
    assert response.url.endswith("/a/ten-awareness")
    assert response.request.redirected_from is not None
    assert response.request.redirected_from.response().status == 301


def test_the_404_page_is_in_chinese(page, site):
    base, _ = site
    response = page.goto(base + "/a/does-not-exist")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_reading_path_progress_is_kept(page, site):
    base, _ = site
    page.goto(base + "/paths/newcomer")
    items = page.locator(".path-item input[type=checkbox]")
    items.nth(0).check()
    page.reload()
    assert items.nth(0).is_checked()
    expect(page.locator(".path-progress")).to_contain_text("已读 1 /")


def test_keyboard_reaches_the_search_box_and_results(page, site):
    base, _ = site
    page.goto(base + "/search?q=保密")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    tab_to(page, "e.closest('.result-title') !== null")  # a result link


def test_no_request_leaves_the_site(page, site):
    base, _ = site
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) and not r.url.startswith("data:") else None)
    for path in ("/", "/search?q=保密", "/a/office-service-work", "/a/meeting-preparation", "/browse"):
        page.goto(base + path)
    assert outside == []


def test_pages_fit_a_phone_and_screenshots_are_saved(browser, site, artifacts):
    base, _ = site
    for name, width, height in (("phone", 375, 812), ("desktop", 1280, 900)):
        context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=2 if name == "phone" else 1,
                                      is_mobile=name == "phone", has_touch=name == "phone", locale="zh-CN")
        page = context.new_page()
        for label, path in (("home", "/"), ("search", "/search?q=保密"), ("article", "/a/office-service-work"),
                            ("checklist", "/a/meeting-preparation")):
            page.goto(base + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{label} is wider than a {width}px screen by {overflow}px"
            page.screenshot(path=str(artifacts / f"{name}-{label}.png"))
        context.close()
    assert (artifacts / "phone-article.png").stat().st_size > 10_000
