"""Accessibility, measured: axe-core (from npm, see package.json here) in every page type at
1280 and 375 px, in light and dark colours; keyboard alone reaches every action."""
import pytest
from playwright.sync_api import expect

import subprocess

from tests.browser.conftest import DESKTOP, PHONE, log_in, open_page
from tests.browser.test_site import tab_to

PAGES = {
    "home": "/", "search": "/search?q=保密", "article": "/a/office-service-work?hl=保密",
    "checklist": "/a/meeting-preparation", "browse": "/browse", "tags": "/tags", "type": "/type/checklist",
    "empty type": "/type/rule", "path": "/paths/newcomer", "editor": "/a/office-service-work/edit", "new article": "/new",
    "not found": "/a/no-such-article", "no results": "/search?q=量子计算机",
    "login": "/login", "history": "/a/daily-admin-work/history", "old version": "/a/daily-admin-work/history/{first}",
    "diff": "/a/daily-admin-work/diff?old={first}&new=current", "recent changes": "/changes", "users": "/users",
    "import": "/import", "writing help": "/help/markdown", "search analytics": "/analytics", "synonyms": "/synonyms", "adding a synonym": "/synonyms?add=碰头会&line=3",
    "editor (source)": "/a/office-service-work/edit?mode=source", "drafts": "/drafts",
    "draft": "/a/office-director-basic-conditions/draft",
    "section": "/a/office-service-work/安全保密原则", "short address": "/k/13", "path editor": "/paths/newcomer/edit",
    "new path": "/paths/new", "handout": "/paths/newcomer/print", "reading progress": "/paths/progress",
    "link checker": "/links",
    "best bets": "/pins", "adding a best bet": "/pins?add=会议纪要怎么写", "uncovered search": "/search?q=会议纪要怎么写",
    "read confirmations": "/confirmations", "feedback notes": "/feedback?state=all", "my follows": "/me/follows",
    "folder settings": "/folders", "a folder's settings": "/folders/edit?path=guides",
}
WIDTHS = {"1280": DESKTOP, "375": PHONE}
SERIOUS = ("serious", "critical")
CONTRAST_RULES = ["color-contrast", "link-in-text-block"]


def axe(page, source, rules=None):
    """Serious and critical violations as readable lines: rule, impact, where."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:5]]}"
            for v in violations if v["impact"] in SERIOUS]


@pytest.fixture(scope="module")
def first_version(site):
    """The first commit of the site's content, after a change committed outside the site (so
    that history and diff pages have something to show)."""
    _, content = site
    git = ["git", "-C", str(content), "-c", "user.name=测试", "-c", "user.email=t@example.org"]
    first = subprocess.run([*git, "rev-list", "--max-parents=0", "HEAD"], capture_output=True, text=True,
                           check=True).stdout.strip()
    path = content / "guides" / "daily-admin-work.md"
    path.write_text(path.read_text(encoding="utf-8").replace("办公室", "机关办公室", 2) + "\n补充一段话。\n", encoding="utf-8")
    subprocess.run([*git, "commit", "-qam", "在编辑器外修改"], check=True)
    return first


@pytest.fixture(scope="module", params=list(WIDTHS))
def screen(request, browser, site):
    """One page per width for all page types, logged in as an admin (who sees every control),
    with a window that stays in light colours until asked."""
    pg = open_page(browser, site, **WIDTHS[request.param])
    log_in(pg, site[0], "admin")
    yield pg
    pg.context.close()


@pytest.fixture(scope="module")
def a_draft(site):
    """A draft of a change, sent back with a comment, for the drafts pages (removed afterwards)."""
    _, content = site
    rel = "guides/office-director-basic-conditions.md"
    text = (content / rel).read_text(encoding="utf-8").replace("办公室", "机关办公室", 3) + "\n草稿里加的一段。\n"
    draft = content / "_drafts" / rel
    draft.parent.mkdir(parents=True)
    draft.write_text(text, encoding="utf-8")
    draft.with_name(draft.name + ".yaml").write_text("state: returned\nsaved_by: editor\ncomment: 请补充依据\n"
                                                     "returned_by: admin\n", encoding="utf-8")
    yield
    import shutil

    shutil.rmtree(content / "_drafts")


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_serious_violations(screen, site, axe_source, first_version, a_draft, name):
    base, _ = site
    screen.emulate_media(color_scheme="light")
    screen.goto(base + PAGES[name].format(first=first_version))
    assert axe(screen, axe_source) == []
    screen.emulate_media(color_scheme="dark")
    assert axe(screen, axe_source, CONTRAST_RULES) == []


def test_axe_finds_no_serious_violations_in_open_suggestions_and_the_reading_bar(screen, site, axe_source):
    base, _ = site
    screen.emulate_media(color_scheme="light")
    screen.goto(base + "/")
    screen.fill("#q", "保密")
    expect(screen.locator(".suggest-box .suggest-hit").first).to_be_visible()
    screen.keyboard.press("ArrowDown")
    assert axe(screen, axe_source) == []
    screen.goto(base + "/a/meeting-preparation")
    screen.locator("[id='会中']").evaluate("e => e.scrollIntoView()")
    expect(screen.locator(".reading-bar")).to_be_visible()
    assert axe(screen, axe_source) == []


def reachable_by_tab(page, limit=400):
    """Every visible control on the page, and those that Tab reached from the top. A group of
    radio buttons is one control: Tab enters it, the arrow keys choose within it."""
    page.evaluate("""() => document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')
        .forEach((e, i) => e.dataset.kbIndex = e.type === 'radio' && e.form
            ? (e.form.querySelector(`input[type=radio][name="${e.name}"]`).dataset.kbIndex || i) : i)""")
    wanted = set(page.evaluate("""() => Array.from(document.querySelectorAll('[data-kb-index]'))
        .filter(e => !e.closest('[hidden], details:not([open]) > :not(summary)') && e.getClientRects().length && !e.disabled
                     && e.tabIndex >= 0)
        .map(e => e.dataset.kbIndex)"""))
    reached = set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        index = page.evaluate("document.activeElement && document.activeElement.dataset.kbIndex")
        if index is None and reached:
            break  # past the last control, back to the browser
        if index is not None:
            reached.add(index)
    return wanted, reached


@pytest.mark.parametrize("path", ["/a/meeting-preparation", "/search?q=保密", "/paths/newcomer"])
def test_keyboard_alone_reaches_every_action(page, site, path):
    base, _ = site
    page.goto(base + path)
    wanted, reached = reachable_by_tab(page)
    missed = page.evaluate("ids => ids.map(i => document.querySelector(`[data-kb-index='${i}']`).outerHTML.slice(0, 120))",
                           sorted(wanted - reached))
    assert missed == []
    assert len(wanted) > 20


def test_a_focused_control_is_never_hidden_behind_the_reading_bar(page, site):
    base, _ = site
    page.goto(base + "/a/office-service-work")
    tab_to(page, "e.dataset.anchor === '依法办事原则'", limit=200)  # that section's copy button
    bar = page.locator(".reading-bar")
    expect(bar).to_be_visible()
    top = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert top >= bar.bounding_box()["height"]
