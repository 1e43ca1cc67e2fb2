import pytest


def test_healthz_reports_ready_with_article_count(client):
    data = client.get("/healthz").get_json()
    assert data["status"] == "ok" and data["articles"] >= 10


def test_search_api_shape(client):
    data = client.get("/api/search?q=请示汇报&limit=3").get_json()
    assert set(data) == {"query", "total", "page", "results", "facets", "took_ms", "covered"}
    assert data["query"] == "请示汇报" and data["page"] == 1 and len(data["results"]) <= 3
    assert {"type", "tags", "category"} <= set(data["facets"])  # and every facet field of the registry (kb.fields)
    hit = data["results"][0]
    for key in ("slug", "title", "url", "section", "anchor", "snippet", "score", "type", "tags", "category", "updated"):
        assert key in hit
    assert hit["url"] == f"/a/{hit['slug']}#{hit['anchor']}"
    assert hit["section"] == "（一）请示汇报原则"
    assert "<mark>" in hit["snippet"]


def test_article_level_hit_has_null_section_and_plain_url(client):
    results = client.get("/api/search?q=领导出差陪同准备清单").get_json()["results"]
    whole = [r for r in results if r["section"] is None]
    assert whole and all("#" not in r["url"] for r in whole)


def test_search_api_filters_and_sort(client):
    data = client.get("/api/search?q=会议&type=checklist&sort=updated").get_json()
    assert data["total"] >= 1 and {r["type"] for r in data["results"]} == {"checklist"}
    dates = [r["updated"] for r in data["results"]]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("query", [
    "q=", "q=%22", "q=(((", "q=" + "保密" * 5000, "q=a&page=abc&limit=xyz", "q=a&page=-3&limit=-1",
    "q=a&limit=100000", "q=type%3A&tag=&category=", "q=%00%ff", "q=*%3F~%5E",
])
def test_hostile_queries_never_give_a_server_error(client, query):
    response = client.get("/api/search?" + query)
    assert response.status_code == 200
    assert response.get_json()["total"] >= 0
    assert client.get("/search?" + query).status_code == 200


def test_article_api(client):
    data = client.get("/api/articles/office-service-work").get_json()
    assert data["title"] == "怎样搞好办公室服务工作" and data["url"] == "/a/office-service-work"
    assert data["markdown"].lstrip().startswith(("办公室", "##"))
    assert 'id="请示汇报原则"' in data["html"]
    section = next(s for s in data["sections"] if s["anchor"] == "请示汇报原则")
    assert section["level"] == 3 and "请示汇报" in section["text"]


def test_unknown_article_is_a_json_404(client):
    response = client.get("/api/articles/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_suggestions_offer_titles_headings_and_tags(client):
    data = client.get("/api/suggest?q=保密").get_json()
    kinds = {s["kind"] for s in data}
    assert {"title", "heading", "tag"} <= kinds
    assert all("保密" in s["label"] for s in data)
