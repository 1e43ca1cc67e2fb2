"""Who may read what (application.access): one rule, and every way of reaching an article — the
page, lists, feeds, the sitemap, search with its totals and facets, suggestions, the API —
leaves out what the reader may not see, while someone allowed finds it everywhere."""
import pytest

from application import Reader
from application.access import Access
from search.interface import Scope
from tests.conftest import write_article

SECRET = "壬癸密件"
TITLE, TEXT = f"{SECRET}办法", "只给编辑看的印信规程"  # what must not leak (a query may echo what was typed)


class OnlyEditors:
    """A rule for the test: articles tagged 内部 are for editors and admins."""

    def allows(self, meta, reader):
        return "内部" not in meta.get("tags", []) or reader.at_least("editor")

    def scope(self, reader):
        return Scope() if reader.at_least("editor") else Scope(hide={"tags": ("内部",)})


@pytest.fixture(params=["a rule of the test", "a draft"])
def guarded(request, content_dir, site):
    """An article hidden from readers: by a rule of this test (tagged 内部), or as a draft
    (status: draft, the site's own rule)."""
    if request.param == "a draft":
        write_article(content_dir, "guides/inner.md", f"## 一、范围\n\n{TEXT}。\n", slug="inner-rule",
                      title=TITLE, tags="[内部, 保密]", summary=f"{TEXT}的摘要。", status="草稿")
    else:
        write_article(content_dir, "guides/inner.md", f"## 一、范围\n\n{TEXT}。\n", slug="inner-rule",
                      title=TITLE, tags="[内部, 保密]", summary=f"{TEXT}的摘要。")
        site.access = Access([OnlyEditors()])
    return site


ENDPOINTS = ["/", "/a/inner-rule", "/api/articles/inner-rule", "/api/articles", f"/api/search?q={SECRET}",
             f"/search?q={SECRET}", f"/api/suggest?q={SECRET[:2]}", "/feed.atom", "/sitemap.xml", "/browse",
             "/tags", "/tag/保密", "/category/测试", "/api/search?q=保密", "/search?tag=内部", "/search?q=保密"]


def test_an_outsider_finds_no_trace_of_it_anywhere(guarded, app, anonymous):
    from tests.web.conftest import wait_ready

    wait_ready(anonymous)
    for url in ENDPOINTS:
        response = anonymous.get(url)
        body = response.get_data(as_text=True)
        assert TITLE not in body and TEXT not in body, url
        if "inner-rule" not in url:  # a page may repeat the address asked for, nothing more
            assert "inner-rule" not in body, url
    assert anonymous.get("/a/inner-rule").status_code == 404  # not 403: the title does not leak
    data = anonymous.get("/api/search?q=保密").get_json()
    assert "内部" not in data["facets"]["tags"]


def test_a_reader_it_is_for_finds_it_everywhere(guarded, app, client):
    from tests.web.conftest import wait_ready

    wait_ready(client)
    assert TITLE in client.get("/a/inner-rule").get_data(as_text=True)
    assert client.get(f"/api/search?q={SECRET}").get_json()["results"][0]["slug"] == "inner-rule"
    assert any(s["url"] == "/a/inner-rule" for s in client.get(f"/api/suggest?q={SECRET[:2]}").get_json())
    assert "内部" in client.get("/api/search?q=保密").get_json()["facets"]["tags"]


def test_the_rule_and_its_scope_agree(guarded):
    rule = OnlyEditors()
    for reader in (Reader(), Reader("a", "reader"), Reader("e", "editor")):
        for tags in ([], ["内部"], ["保密"]):
            assert rule.allows({"tags": tags}, reader) == rule.scope(reader).allows({"tags": tags})
