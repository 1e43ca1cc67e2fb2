"""Reading an article: the title stays in a bar, the table of contents follows, reading paths
lead on with 上一篇 / 下一篇 and count an article read at its end, dark mode, print."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, open_page

SECTION = "[id='安全保密原则']"


def scroll_to(page, selector):
    page.locator(selector).evaluate("e => e.scrollIntoView({block: 'start'})")


def test_the_title_stays_in_a_bar_and_the_contents_mark_the_section_being_read(page, site):
    base, _ = site
    page.goto(base + "/a/office-service-work")
    bar = page.locator(".reading-bar")
    expect(bar).to_be_hidden()  # the page's own heading is in view
    scroll_to(page, SECTION)
    expect(bar).to_be_visible()
    expect(bar.locator(".reading-bar-title")).to_have_text("怎样搞好办公室服务工作")
    expect(bar.locator(".reading-bar-section")).to_have_text("（四）安全保密原则")
    current = page.locator(".toc-list a[aria-current=location]")
    expect(current).to_have_count(1)
    expect(current).to_have_text("（四）安全保密原则")
    assert bar.bounding_box()["y"] == 0 and page.locator(SECTION).bounding_box()["y"] >= bar.bounding_box()["height"]
    scroll_to(page, "[id='依法办事原则']")
    expect(current).to_have_text("（五）依法办事原则")
    assert current.evaluate("a => { const t = a.closest('.toc').getBoundingClientRect(), r = a.getBoundingClientRect();"
                            " return r.top >= t.top && r.bottom <= t.bottom; }")  # scrolled into the contents' view
    page.evaluate("scrollTo(0, 0)")
    expect(bar).to_be_hidden()


def test_on_a_phone_the_bar_fits_and_shows_checklist_progress(phone, site):
    base, _ = site
    phone.goto(base + "/a/meeting-preparation")
    phone.locator(".task-list-item input").first.check()
    scroll_to(phone, "[id='会中']")
    bar = phone.locator(".reading-bar")
    expect(bar).to_be_visible()
    expect(bar.locator(".reading-bar-progress")).to_have_text(re.compile(r"^已完成 1 / \d+$"))
    expect(bar.locator(".reading-bar-section")).to_have_text("会中")
    assert bar.evaluate("b => b.scrollWidth <= b.clientWidth") and bar.bounding_box()["width"] == 375


def test_a_reading_path_leads_on_and_counts_an_article_read_at_its_end(page, site):
    base, _ = site
    page.goto(base + "/paths/newcomer")
    expect(page.locator(".path-progress")).to_have_text("已读 0 / 7")
    page.locator(".path-item a[href^='/a/']").first.click()
    page.wait_for_url(re.compile(r"/a/office-service-work$"))
    nav = page.locator(".path-nav")
    expect(nav).to_contain_text("新员工入职必读")
    expect(nav).to_contain_text("第 1 / 7 篇")
    expect(nav.locator("a[rel=prev]")).to_have_count(0)
    expect(nav.locator("a[rel=next]")).to_have_text("下一篇办公室如何做好日常行政工作")
    expect(nav.locator(".path-nav-status")).to_have_text("")  # opened, not yet read
    scroll_to(page, ".path-nav")
    expect(nav.locator(".path-nav-status")).to_have_text("✓ 已读")
    nav.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"/a/daily-admin-work$"))
    expect(page.locator(".path-nav a[rel=prev]")).to_have_text("上一篇怎样搞好办公室服务工作")
    page.goto(base + "/paths/newcomer")
    expect(page.locator(".path-progress")).to_have_text("已读 1 / 7")
    assert page.locator(".path-item input").first.is_checked() and not page.locator(".path-item input").nth(1).is_checked()


def test_a_path_item_that_points_to_a_section_is_read_at_that_sections_end(page, site):
    base, _ = site
    page.goto(base + "/paths/newcomer")
    page.locator(".path-item a[href^='/a/']").last.click()
    page.wait_for_url(re.compile(r"/a/excellent-office-director#"))
    nav = page.locator(".path-nav")
    expect(nav).to_contain_text("第 7 / 7 篇")
    expect(nav.locator("a[rel=next]")).to_have_count(0)
    scroll_to(page, ".path-nav")
    expect(nav.locator(".path-nav-status")).to_have_text("✓ 已读")
    page.goto(base + "/paths/newcomer")
    assert page.locator(".path-item input").last.is_checked()


def test_dark_mode_follows_the_system_and_keeps_text_readable(browser, site, artifacts):
    base, _ = site
    for options in ({"viewport": {"width": 1280, "height": 900}}, PHONE):
        page = open_page(browser, site, color_scheme="dark", **options)
        page.goto(base + "/a/office-service-work?hl=保密")
        colours = page.evaluate("""() => {
            const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
            const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                                 return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
            const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
            const bg = getComputedStyle(document.body).backgroundColor;
            const fg = (s) => getComputedStyle(document.querySelector(s)).color;
            return {background: lum(bg), text: ratio(fg('.article-body p'), bg), muted: ratio(fg('.summary'), bg),
                    link: ratio(fg('.breadcrumbs a'), bg), mark: ratio(fg('mark.hl'), getComputedStyle(document.querySelector('mark.hl')).backgroundColor)};
        }""")
        assert colours["background"] < 0.05, colours  # a dark page, not a light one in a dark browser
        assert min(colours["text"], colours["muted"], colours["link"], colours["mark"]) >= 4.5, colours
        page.screenshot(path=str(artifacts / f"dark-{options['viewport']['width']}-article.png"))
        page.context.close()


def test_printing_an_article_shows_its_title_source_dates_and_address(page, site):
    base, _ = site
    page.goto(base + "/a/office-service-work")
    scroll_to(page, SECTION)  # the reading bar is showing when the reader presses 打印
    page.emulate_media(media="print")
    expect(page.locator("h1")).to_have_text("怎样搞好办公室服务工作")
    expect(page.locator(".print-address")).to_be_visible()
    expect(page.locator(".print-address")).to_contain_text(base + "/a/office-service-work")
    for term, value in (("来源", "网络"), ("更新", "2024-06-26")):
        expect(page.locator(".meta div", has=page.locator("dt", has_text=term)).locator("dd")).to_have_text(value)
        expect(page.locator(".meta dt", has_text=term)).to_be_visible()
    for furniture in (".site-header", ".toc", ".reading-bar", ".article-actions", ".site-footer"):
        expect(page.locator(furniture)).to_be_hidden()
    page.emulate_media(media="screen")
    expect(page.locator(".print-address")).to_be_hidden()
