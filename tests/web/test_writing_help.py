"""The editor's 「更多写法」 is a page of this site (an office intranet often cannot reach an
outside one), showing each way of writing as typed and as the site renders it."""
import html
import re


def test_the_editor_links_its_writing_help_on_this_site_only(client):
    for path in ("/a/office-service-work/edit", "/new"):
        page = client.get(path).get_data(as_text=True)
        aside = re.search(r'<aside class="md-help".*?</aside>', page, re.S).group(0)
        assert re.search(r'<a href="/help/markdown"[^>]*>更多写法</a>', aside), path
        assert "http" not in aside, path


def test_the_help_shows_each_example_as_typed_and_as_rendered(client):
    page = client.get("/help/markdown").get_data(as_text=True)
    assert "<h1>Markdown 写法</h1>" in page
    assert html.escape("**加粗**") in page and "<strong>加粗</strong>" in page
    assert "| 事项 | 负责人 | 时限 |" in page and '<th class="align-center">负责人</th>' in page
    assert '!!! note "提示"'.replace('"', "&#34;") in page and 'class="admonition note"' in page
    assert '<h3 id="会前准备">（一）会前准备</h3>' in page
    assert 'type="checkbox"' in page and "title: 会议筹备办法" in page


def test_the_link_example_links_a_section_this_site_has(client):
    page = client.get("/help/markdown").get_data(as_text=True)
    section = re.search(r'<a href="(/a/[a-z0-9-]+)#([^"]+)">', page)
    assert section, "no link to a section in the link example"
    article = client.get(section.group(1)).get_data(as_text=True)
    assert f'id="{section.group(2)}"' in article
