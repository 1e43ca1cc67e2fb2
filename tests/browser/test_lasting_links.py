"""Links from onboarding material that never break, in a real browser over `kb serve`: a heading
renamed in the editor and an old #anchor link that still lands on its section; a section of a
removed article landing where the editor mapped it. A server of its own: these tests change the
content."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, log_in, open_page, start_server, stop_server
from tests.browser.test_site import in_viewport, not_covered


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    base, content, server = start_server(tmp_path_factory.mktemp("lasting"))
    yield base, content
    stop_server(server)


@pytest.fixture
def window(browser, own):
    pg = open_page(browser, own, **DESKTOP)
    yield pg
    pg.context.close()


def test_a_renamed_heading_still_takes_an_old_anchor_link_to_its_section(window, own):
    base, content = own
    log_in(window, base)
    window.goto(base + "/a/ten-awareness/edit")
    text = window.input_value("#text")
    assert "## 三、大局意识" in text
    window.fill("#text", text.replace("## 三、大局意识", "## 三、全局意识"))
    window.fill("#message", "标题用词统一")
    window.click("form.edit-form button[type=submit]")
    window.wait_for_url(base + "/a/ten-awareness")
    expect(window.locator(".flash-saved").filter(has_text="小节 #大局意识 改名为 #全局意识")).to_be_visible()

    window.goto(base + "/")
    window.goto(base + "/a/ten-awareness#大局意识")  # as written in an onboarding document last year
    expect(window.locator("[id='全局意识']")).to_be_visible()
    window.wait_for_function("decodeURIComponent(location.hash) === '#全局意识'")
    assert in_viewport(window, "[id='全局意识']") and not_covered(window, "[id='全局意识']")
    expect(window.locator(".anchor-notice")).to_be_hidden()

    window.goto(base + "/")
    window.goto(base + "/a/ten-awareness/大局意识")  # the section's own address: 301 to the new one
    assert window.evaluate("decodeURIComponent(location.pathname)") == "/a/ten-awareness/全局意识"
    assert in_viewport(window, "[id='全局意识']")


def test_a_link_to_a_section_that_is_gone_says_so(window, own):
    base, _ = own
    window.goto(base + "/a/ten-awareness#没有这一节")
    expect(window.locator(".anchor-notice")).to_have_text("您打开的链接指向的小节“没有这一节”已不存在（可能已删除或改写），下面是整篇文章。")


def test_copying_a_section_link_gives_its_own_address(window, own):
    base, _ = own
    window.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    window.goto(base + "/a/office-service-work")
    window.locator("[id='安全保密原则'] .heading-link").click()
    assert window.evaluate("navigator.clipboard.readText()") == base + "/a/office-service-work/安全保密原则"
    window.locator("[data-copy-short]").click()
    copied = window.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(base + "/k/")
    window.goto(copied + "/安全保密原则")
    assert window.evaluate("decodeURIComponent(location.pathname)") == "/a/office-service-work/安全保密原则"
    assert in_viewport(window, "[id='安全保密原则']")


def test_a_removed_articles_page_says_so_and_passes_axe(window, own, axe_source):
    from tests.browser.test_accessibility import axe

    base, content = own
    (content / "guides" / "office-director-four-haves.md").unlink()  # removed outside the site
    for _ in range(100):
        response = window.goto(base + "/a/office-director-four-haves")
        if response.status == 410:
            break
        window.wait_for_timeout(100)
    assert response.status == 410
    expect(window.locator("h1")).to_have_text("这篇文章已删除")
    expect(window.locator("#removed-q")).to_have_value("做好机关办公室主任必须做到的几个“有”")
    assert axe(window, axe_source) == []
