"""The site under its own Content-Security-Policy (web.security): no inline script, handler or
style attribute anywhere, so every page and feature works with only the site's own files."""
from playwright.sync_api import expect

RECORD = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));"""


def test_every_page_type_works_under_a_strict_content_security_policy(editor, site):
    page = editor
    base, _ = site
    page.add_init_script(RECORD)
    violations = {}
    for path in ("/", "/search?q=保密", "/a/office-service-work?hl=保密", "/a/meeting-preparation", "/browse", "/tags",
                 "/paths/newcomer", "/a/office-service-work/edit", "/new", "/a/no-such-article", "/login",
                 "/a/office-service-work/history", "/changes", "/import", "/analytics", "/synonyms",
                 "/synonyms?add=碰头会", "/folders", "/folders/edit?path=guides"):
        response = page.goto(base + path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy, policy
        found = page.evaluate("window.__csp")
        if found:
            violations[path] = found
    assert violations == {}
    # and the scripts did run: the checklist's labels, the print button, the suggestions
    page.goto(base + "/a/meeting-preparation")
    expect(page.locator(".task-label").first).to_be_visible()
    page.fill("header input[name=q]", "保密")
    expect(page.locator(".suggest-box .suggest-hit").first).to_be_visible()
    page.goto(base + "/a/office-service-work/edit")  # the editor's tabs and preview
    page.click("#tab-preview")
    expect(page.locator("#pane-preview .article-body h2").first).to_be_visible()
    assert page.evaluate("window.__csp") == []
