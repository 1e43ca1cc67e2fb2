from kb.render import render, render_markdown
from kb.store import load_catalog
from tests.conftest import write_article


def test_active_content_is_removed():
    html = render_markdown(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[点我](javascript:alert(1))\n\n"
        '<a href="JaVaScRiPt:alert(1)">y</a> <p style="background:url(javascript:x)">z</p>\n\n'
        '<iframe src="https://evil.example"></iframe><input type="text" value="x">'
    )
    lowered = html.lower()
    for bad in ("<script", "alert(1)</", "onerror", "javascript:", "<iframe", "url(", 'type="text"'):
        assert bad not in lowered


def test_tables_task_lists_marks_and_admonitions_survive():
    html = render_markdown(
        "| 事项 | 负责人 |\n|:--|--:|\n| 会场 | 办公室 |\n\n- [x] 已完成\n- [ ] 未完成\n\n==重点==\n\n!!! note \"提示\"\n    注意保密\n"
    )
    assert '<th style="text-align:left">事项</th>' in html
    assert '<input type="checkbox" disabled checked>' in html.replace('=""', "")
    assert "<mark>重点</mark>" in html
    assert 'class="admonition note"' in html and "注意保密" in html


def test_heading_ids_are_the_section_anchors(tmp_path):
    write_article(tmp_path, "a.md", "## 一、办公室的职能\n\n### （一）参与政务\n\n正文\n\n## 二、职能 {#duty}\n", slug="aaa")
    catalog = load_catalog(tmp_path)
    article = catalog.get("aaa")
    rendered = render(article, catalog.resolve)
    assert '<h2 id="办公室的职能">一、办公室的职能</h2>' in rendered.html
    assert '<h3 id="参与政务">' in rendered.html
    assert '<h2 id="duty">二、职能</h2>' in rendered.html
    assert rendered.toc == [(2, "一、办公室的职能", "办公室的职能"), (3, "（一）参与政务", "参与政务"), (2, "二、职能", "duty")]


def test_internal_links_resolve_to_article_urls(tmp_path):
    write_article(tmp_path, "guides/target.md", "## 一、会务工作\n\n正文\n", slug="target")
    write_article(
        tmp_path,
        "checklists/list.md",
        "- [ ] [按slug](target#会务工作)\n- [ ] [按路径](../guides/target.md#会务工作)\n"
        "- [ ] [整篇](target)\n- [ ] [外部](https://example.org/x)\n",
        slug="list",
    )
    catalog = load_catalog(tmp_path)
    html = render(catalog.get("list"), catalog.resolve).html
    assert html.count('href="/a/target#会务工作"') == 2
    assert 'href="/a/target"' in html
    assert 'href="https://example.org/x"' in html
