"""A 375 px touch screen: checklist items tick by tapping their words, every control is a
44 px target, chips that scroll sideways show it, placeholders fit, nothing overlaps."""
import re
from pathlib import Path

from playwright.sync_api import expect

LAYOUT = (Path(__file__).resolve().parent / "layout.js").read_text(encoding="utf-8")
PAGES = {"home": "/", "search": "/search?q=保密", "article": "/a/office-service-work", "checklist": "/a/meeting-preparation",
         "browse": "/browse", "tags": "/tags", "path": "/paths/newcomer", "empty type": "/type/rule",
         "editor": "/a/office-service-work/edit", "new article": "/new", "not found": "/a/no-such-article",
         "section": "/a/office-service-work/安全保密原则", "handout": "/paths/newcomer/print"}


def measure(page, what):
    return page.evaluate(f"({LAYOUT}).{what}()")


def test_a_checklist_item_ticks_by_tapping_its_words(phone, site):
    base, _ = site
    phone.goto(base + "/a/meeting-preparation")
    item = phone.locator(".task-list-item").nth(1)
    box = item.locator("input[type=checkbox]")
    total = phone.locator(".task-list-item input[type=checkbox]").count()
    assert item.locator("label.task-label").evaluate("l => l.control === l.closest('li').querySelector('input')")
    item.evaluate("li => li.scrollIntoView({block: 'center'})")
    # the first words of the item, well away from the box and from the link at its end
    x, y = item.locator("label").evaluate("""l => { const r = document.createRange(); r.setStart(l.firstChild, 0); r.setEnd(l.firstChild, 2);
        const b = r.getBoundingClientRect(); return [b.left + b.width / 2, b.top + b.height / 2]; }""")
    assert phone.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", [x, y]) == "LABEL"
    phone.touchscreen.tap(x, y)
    expect(box).to_be_checked()
    expect(phone.locator(".checklist-progress")).to_have_text(f"已完成 1 / {total}")
    expect(item).to_have_class(re.compile(r"\bdone\b"))
    phone.touchscreen.tap(x, y)
    expect(box).not_to_be_checked()


def test_every_control_is_a_44px_touch_target_and_nothing_overlaps(phone, site):
    base, _ = site
    problems = {}
    for label, path in PAGES.items():
        phone.goto(base + path)
        found = measure(phone, "smallTargets") + measure(phone, "overlaps") + measure(phone, "placeholdersThatDoNotFit")
        if found:
            problems[label] = found
    assert problems == {}


def test_facet_chips_that_run_off_the_screen_show_that_they_scroll(phone, site):
    base, _ = site
    phone.goto(base + "/search?q=保密")
    row = phone.locator("[data-facet=tag]")
    assert row.evaluate("r => r.scrollWidth > r.clientWidth")
    expect(row).to_have_class(re.compile(r"\bmore-right\b"))
    assert "linear-gradient" in row.evaluate("r => getComputedStyle(r).maskImage || getComputedStyle(r).webkitMaskImage")
    row.evaluate("r => r.scrollTo({left: r.scrollWidth})")
    expect(row).not_to_have_class(re.compile(r"\bmore-right\b"))
    label = row.locator(".facet-label")
    assert abs(label.bounding_box()["x"] - row.bounding_box()["x"]) < 1  # the row's name stays in view
