"""A corpus of classic XSS payloads (tests/fixtures/xss/payloads.txt) in every place an
article or a reader can put text — front-matter fields, title, tags, category, headings, body
HTML, link targets, image sources, search queries and the snippets they produce — rendered in
Chromium with the Content-Security-Policy switched off, so that escaping and the sanitizer
alone are tested: no dialog opens, and no live script vector (event handler attribute, script
URL, foreign script, frame, external image, inline style, an element pinned over the page, an id
the page uses) reaches any page."""
import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import CONTENT, FIXTURES, write_article
from tests.browser.conftest import log_in
from tests.serving import Server, editors_instance

PAYLOADS = [line for line in (FIXTURES / "xss" / "payloads.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("# ")]

# Every element and attribute of the page that could run script or load from elsewhere.
LIVE_VECTORS = """() => {
  const bad = [], here = location.origin, url = v => v.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'frame', 'object', 'embed', 'applet', 'base'].includes(tag)) bad.push(tag);
    if (tag === 'meta' && el.httpEquiv) bad.push('meta http-equiv');
    if (tag === 'script' && !(el.src && new URL(el.src).origin === here)) bad.push('script ' + el.outerHTML.slice(0, 60));
    if (tag === 'img' && el.getAttribute('src') && new URL(el.src, location.href).origin !== here) bad.push('img ' + el.src);
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) bad.push(tag + ' ' + name);
      if (name === 'style') bad.push(tag + ' style=' + a.value);
      if (['href', 'src', 'action', 'formaction', 'data', 'srcdoc', 'xlink:href', 'background'].includes(name)
          && /^(javascript|vbscript|data):/.test(url(a.value)) && !(tag === 'img' && /^data:image\\//.test(url(a.value))))
        bad.push(tag + ' ' + name + '=' + a.value);
    }
  }
  const ids = {};
  for (const el of document.querySelectorAll('[id]')) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(ids)) if (n > 1) bad.push('id ' + id + ' ×' + n);
  for (const el of document.querySelectorAll('.article-body *'))
    if (['fixed', 'sticky'].includes(getComputedStyle(el).position)) bad.push('fixed ' + el.outerHTML.slice(0, 60));
  return bad;
}"""


def yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON is YAML


def xss_article(folder: Path, i: int, payload: str) -> None:
    body = (f"{payload}\n\n## 小节 {payload}\n\n正文里的 xssword{i:02d} {payload}\n\n"
            f"[链接]({payload}) ![图片]({payload})\n\n<a href=\"{payload}\">原始链接</a> <img src=\"{payload}\">\n")
    text = yaml_text(payload)
    write_article(folder, f"xss/x{i:02d}.md", body, slug=f"xss-{i:02d}", title=yaml_text(f"第{i}篇 {payload}"),
                  summary=text, source=text, source_url=text, author=text, category=yaml_text(f"分类{payload}"),
                  tags=f"[{text}, xss标签]")


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    for i, payload in enumerate(PAYLOADS):
        xss_article(content, i, payload)
    server = Server(content, root / "index", root / "server.log", env=editors_instance(root / "instance"))
    server.wait_ready()
    yield server
    server.stop()


@pytest.fixture
def xss_page(browser):
    context = browser.new_context(locale="zh-CN", bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    yield page
    context.close()


def test_every_payload_article_is_published(xss_site):
    slugs = {a["slug"] for a in json.loads(xss_site.get("/api/articles")[1])}
    assert {f"xss-{i:02d}" for i in range(len(PAYLOADS))} <= slugs


def test_no_payload_runs_or_leaves_a_live_vector_anywhere(xss_site, xss_page):
    page, base = xss_page, xss_site.base
    log_in(page, base)  # editors see the most: the editor with the article's text, the banners
    paths = ["/", "/browse", "/tags", "/type/guide", "/tag/xss标签", "/search?q=xssword&limit=100",
             "/search?q=" + quote("xss标签") + "&limit=100"]
    for i, payload in enumerate(PAYLOADS):
        paths += [f"/a/xss-{i:02d}?hl={quote(payload)}", "/search?q=" + quote(payload), f"/a/xss-{i:02d}/edit",
                  "/category/" + quote(f"分类{payload}", safe=""), "/tag/" + quote(payload, safe="")]
    found = {}
    for path in paths:
        response = page.goto(base + path)
        assert response.status in (200, 404), (path, response.status)
        page.wait_for_timeout(30)  # let onload/ontoggle/autofocus handlers fire if any slipped through
        bad = page.evaluate(LIVE_VECTORS)
        if bad:
            found[path] = bad
    assert page.dialogs == [] and found == {}, (page.dialogs, found)
    print(f"{len(PAYLOADS)} payloads, {len(paths)} pages in Chromium: 0 dialogs, 0 live vectors")
