"""A best bet (推荐答案) set in a real browser: an editor presses 「设为推荐答案」 on a result; the
result then comes first, marked 「推荐」, for that query and for a variant of it (word order,
traditional characters), for a reader too; the pins page lists it."""
from playwright.sync_api import expect


def test_a_best_bet_set_in_the_browser_shows_first_for_its_query_and_a_variant(editor, page, site):
    base, _ = site
    editor.goto(base + "/search?q=写材料")
    results = editor.locator("ol.results > li.result")
    expect(results.first).to_be_visible()
    third = results.nth(2)
    title = third.locator(".result-title a").inner_text()
    third.get_by_role("button", name="设为推荐答案").click()
    editor.wait_for_url(base + "/search?q=*")
    expect(editor.locator(".flash-saved")).to_contain_text("推荐答案")
    first = editor.locator("ol.results > li.result").first
    expect(first.locator(".badge-pinned")).to_have_text("推荐")
    expect(first.locator(".result-title a")).to_have_text(title)

    for variant in ("材料 写", "寫材料"):
        page.goto(base + f"/search?q={variant}")
        first = page.locator("ol.results > li.result").first
        expect(first.locator(".badge-pinned")).to_have_text("推荐")
        expect(first.locator(".result-title a")).to_have_text(title)
        expect(page.locator("ol.results .result-title a", has_text=title)).to_have_count(1)

    editor.goto(base + "/pins")
    expect(editor.locator("table[aria-labelledby=pins-h] tbody tr").filter(has_text="写材料")).to_contain_text("正常")
