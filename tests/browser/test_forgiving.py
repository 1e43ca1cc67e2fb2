"""Search that forgives how people type, in Chromium: pinyin typed with the input method off
gets a title by its sound, a homophone slip gets 您是不是要找, and what staff could not find
reaches the editors' 搜索统计 page — from which a word becomes a synonym that search uses."""
import re
import time

from playwright.sync_api import expect


def test_pinyin_typed_in_the_search_box_suggests_the_title_by_its_sound(page, site):
    base, _ = site
    offered = page.request.get(base + "/api/suggest?q=baomi").json()
    assert {"label": "保密工作清单", "kind": "title"}.items() <= next(s for s in offered if s["kind"] == "title").items()
    page.goto(base + "/")
    page.fill("#q", "baomi")
    suggestion = page.locator(".suggest-box [role=option]:not(.suggest-hit)", has_text="保密工作清单").first
    expect(suggestion).to_contain_text("文章")  # the title itself, offered by its sound
    for _ in range(12):  # arrow keys down to it
        page.keyboard.press("ArrowDown")
        if "保密工作清单" in page.locator(".suggest-box [aria-selected=true]").inner_text():
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/a/confidentiality$"))
    expect(page.locator("h1")).to_have_text("保密工作清单")


def test_a_homophone_slip_gets_did_you_mean_and_a_slip_that_finds_nothing_its_correction(page, site):
    base, _ = site
    page.goto(base + "/search?q=请视汇报")
    hint = page.locator(".did-you-mean")
    expect(hint).to_contain_text("您是不是要找：请示汇报")
    hint.locator("a").click()
    expect(page.locator("#search-q")).to_have_value("请示汇报")
    expect(page.locator(".result-title").first).to_contain_text("请示汇报原则")
    page.goto(base + "/search?q=保秘")
    expect(page.locator(".corrected")).to_contain_text("没有找到“保秘”，下面是“保密”的结果")
    expect(page.locator(".result-title").first).to_contain_text("安全保密原则")
    page.click("text=仍然搜索“保秘”")
    expect(page.locator(".zero h2")).to_contain_text("没有找到与“保秘”相关的内容")


def _until(page, url, text, seconds=10):
    """Reload ``url`` until ``text`` is on it (the log is written just after each response)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if text in page.locator("main").inner_text() or time.monotonic() > deadline:
            return
        time.sleep(0.3)


def test_what_staff_could_not_find_reaches_the_editors_and_becomes_a_synonym(page, editor, site):
    base, _ = site
    # a reader searches 碰头会, finds nothing, searches 开会 and opens a result
    page.goto(base + "/search?q=碰头会")
    expect(page.locator(".zero h2")).to_contain_text("没有找到")
    page.fill("#search-q", "开会")
    page.press("#search-q", "Enter")
    page.wait_for_url(re.compile(r".*/search\?q=%E5%BC%80%E4%BC%9A$"))
    page.locator(".result-title a").first.click()
    page.wait_for_url(re.compile(r".*/a/meeting-preparation.*"))

    # the editor sees it on 搜索统计, with the synonym the log suggests
    _until(editor, base + "/analytics", "建议加入「会议 开会 办会 会务」")
    zero = editor.locator("table[aria-labelledby=zero-h] tr", has_text="碰头会")
    expect(zero).to_contain_text("仍然没有")
    expect(zero).to_contain_text("建议加入「会议 开会 办会 会务」")
    expect(editor.locator("table[aria-labelledby=weeks-h] tbody tr")).to_have_count(12)
    expect(editor.locator("table[aria-labelledby=top-h]")).to_contain_text("开会")
    expect(zero.locator("text=新建文章")).to_have_attribute("href", re.compile(r"/new\?title="))
    with editor.expect_download() as download:
        editor.click("text=下载 CSV")
    assert download.value.suggested_filename.startswith("search-queries-")
    assert "碰头会,1,1," in open(download.value.path(), encoding="utf-8-sig").read()

    zero.locator("text=加为同义词").click()
    expect(editor.locator("#add-h")).to_have_text("把「碰头会」加为同义词")
    expect(editor.locator("#add-group option:checked")).to_have_text("会议 开会 办会 会务")
    editor.click(".add-synonym button[type=submit]")
    expect(editor.locator(".flash-saved")).to_contain_text("已把「碰头会」加为同义词：会议 开会 办会 会务 碰头会。")
    expect(editor.locator("#text")).to_have_value(re.compile("会议 开会 办会 会务 碰头会"))

    # search uses it at once, and the editor sees the query answered now
    page.goto(base + "/search?q=碰头会")
    expect(page.locator(".result-title").first).to_be_visible()
    editor.goto(base + "/analytics")
    expect(editor.locator("table[aria-labelledby=zero-h] tr", has_text="碰头会")).to_contain_text("能找到")
    editor.locator("table[aria-labelledby=zero-h] tr", has_text="碰头会").locator("text=新建文章").click()
    expect(editor.locator("#title")).to_have_value("碰头会")
