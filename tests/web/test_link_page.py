"""The editors' link checker page, and the lists of the site's own addresses it relies on."""
import io
import re

from kb.article import SUBPAGES
from kb.linkcheck import PAGES
from tests import link_files
from tests.web.test_edit import csrf


def test_an_editor_uploads_material_and_sees_each_link_answered(client):
    made = link_files.docx([("服务", "http://127.0.0.1:5000/a/office-service-work"),
                            ("没有", "http://127.0.0.1:5000/a/no-such-article#x")], typed="http://127.0.0.1:5000/k/9999")
    response = client.post("/links", data={"csrf": csrf(client, "/links"), "urls": "见 /a/ten-awareness#没有这一节",
                                           "file": [(io.BytesIO(made), "入职须知.docx")]},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2 id=\"report-1\">入职须知.docx</h2>" in page and "贴入的网址.txt" in page
    assert re.search(r"本站链接 3 个：<span[^>]*>正常 1</span>，<span[^>]*>失效 2</span>", page)
    assert "没有编号为 9999 的文章" in page and "第 3 段" in page
    assert "里已没有小节“没有这一节”" in page


def test_the_checker_is_for_editors(anonymous):
    response = anonymous.get("/links")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_page_of_the_site_is_known_to_the_checker_and_no_anchor_takes_a_subpage(app):
    firsts, subpages = set(), set()
    for rule in app.url_map.iter_rules():
        parts = rule.rule.split("/")
        if not parts[1].startswith("<"):
            firsts.add(parts[1].split("<")[0] if "<" not in parts[1] else parts[1])
        if rule.rule.startswith("/a/<slug>/") and parts[3] and not parts[3].startswith("<"):
            subpages.add(parts[3])
    assert firsts - {"a", "k"} <= PAGES, firsts - PAGES
    assert subpages <= SUBPAGES, subpages - SUBPAGES
