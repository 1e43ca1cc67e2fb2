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
    assert '<th class="align-left">事项</th>' in html and '<th class="align-right">负责人</th>' in html
    assert "style=" not in html  # style-src 'self' would block it
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


def test_a_script_url_in_front_matter_is_no_link_and_a_warning(tmp_path):
    write_article(tmp_path, "a.md", "正文。\n", slug="aaa", source="来源", source_url='"javascript:alert(document.domain)"')
    write_article(tmp_path, "b.md", "正文。\n", slug="bbb", source="来源", source_url='" JaVa\\tScRiPt:alert(1)"')
    write_article(tmp_path, "c.md", "正文。\n", slug="ccc", source="来源", source_url="https://www.gov.cn/x")
    catalog = load_catalog(tmp_path)
    assert catalog.get("aaa").source_url == "" and catalog.get("bbb").source_url == ""
    assert catalog.get("ccc").source_url == "https://www.gov.cn/x"
    warned = [p for p in catalog.problems if "source_url" in p.message]
    assert {p.path for p in warned} == {"a.md", "b.md"} and all(p.severity == "warning" for p in warned)


def test_links_keep_only_http_https_mailto_and_site_addresses():
    html = render_markdown(
        "[a](javascript:alert(1)) [b](vbscript:msgbox) [c](data:text/html,<script>alert(1)</script>) [d](tel:110) "
        "[e](mailto:office@example.cn) [f](https://example.cn/x) [g](/a/other) [h](other#节)\n\n"
        '<a href="&#106;avascript:alert(1)">j</a> <a href="file:///etc/passwd">k</a>'
    )
    hrefs = sorted(__import__("re").findall(r'href="([^"]*)"', html))
    assert hrefs == ["/a/other", "https://example.cn/x", "mailto:office@example.cn", "other#节"]


def test_classes_and_ids_come_only_from_the_renderer(tmp_path):
    body = ('## 一、正文\n\n<div class="toast reading-bar" id="header-q">假的通知</div>\n\n'
            "段落 {: .toast #main }\n\n<h2 id=\"toc-h\">原始标题</h2>\n\n!!! warning \"注意\"\n    保密\n")
    write_article(tmp_path, "a.md", body, slug="aaa")
    catalog = load_catalog(tmp_path)
    html = render(catalog.get("aaa"), catalog.resolve).html
    import re

    assert re.findall(r'id="([^"]*)"', html) == ["正文"]
    assert set(re.findall(r'class="([^"]*)"', html)) == {"admonition warning", "admonition-title"}
    assert "假的通知" in html  # the words stay, their disguise goes


def test_a_heading_never_takes_an_id_of_the_page(tmp_path):
    write_article(tmp_path, "a.md", "## Main\n\n正文\n\n## 标题 {#header-q}\n\n正文\n", slug="aaa")
    catalog = load_catalog(tmp_path)
    article = catalog.get("aaa")
    assert [s.anchor for s in article.sections if s.anchor] == ["main-2", "header-q-2"]
    assert 'id="main-2"' in render(article, catalog.resolve).html


def test_images_load_only_from_the_site_or_configured_hosts():
    text = ("![本站](/static/logo.png) ![相对](pic.png) ![追踪](https://tracker.example/p.gif) "
            "![协议相对](//tracker.example/p.gif) ![图床](https://img.example.cn/a.png)\n\n"
            '<img src="https://tracker.example/raw.gif"> <img src="/\\tracker.example/x.gif">')
    html = render_markdown(text)
    import re

    assert re.findall(r'<img[^>]*src="([^"]*)"', html) == ["/static/logo.png", "pic.png"]
    assert html.count('class="external-image" href="https://tracker.example/p.gif"') == 1  # a link to follow
    allowed = render_markdown(text, image_hosts=("img.example.cn",))
    assert re.findall(r'<img[^>]*src="([^"]*)"', allowed) == ["/static/logo.png", "pic.png", "https://img.example.cn/a.png"]
