"""Addresses as people and scripts actually write them."""
from werkzeug.test import EnvironBuilder


def test_a_trailing_slash_redirects_to_the_article(client):
    response = client.get("/a/office-service-work/")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/a/office-service-work")


def test_a_slug_in_other_letter_case_redirects_to_the_article(client):
    for typed in ("/a/Office-Service-Work", "/a/OFFICE-SERVICE-WORK/"):
        response = client.get(typed, follow_redirects=True)
        assert response.request.path == "/a/office-service-work"
        assert "<h1>怎样搞好办公室服务工作</h1>" in response.get_data(as_text=True)


def test_redirects_keep_the_query(client):
    response = client.get("/a/Office-Service-Work?hl=保密")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/a/office-service-work?hl=%E4%BF%9D%E5%AF%86")


def test_the_article_api_finds_a_slug_in_other_letter_case(client):
    response = client.get("/api/articles/Meeting-Preparation", follow_redirects=True)
    assert response.get_json()["title"] == "会议筹备清单"


def test_unknown_slugs_still_get_the_chinese_404(client):
    for path in ("/a/no-such-article/", "/a/No-Such-Article"):
        response = client.get(path)
        assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_a_raw_utf8_query_as_a_wsgi_server_passes_it_is_understood(client):
    """PEP 3333 servers hand the request line's bytes over as latin-1 text; `/api/search?q=保密`
    sent unencoded by a script arrives as mojibake and must still mean 保密."""
    environ = EnvironBuilder(path="/api/search").get_environ()
    environ["QUERY_STRING"] = "q=保密&limit=2".encode("utf-8").decode("latin-1")
    data = client.open(environ).get_json()
    assert data["query"] == "保密" and data["total"] >= 1
    assert "<mark>保密</mark>" in data["results"][0]["snippet"]


def test_a_raw_utf8_path_as_a_wsgi_server_passes_it_is_understood(client):
    environ = EnvironBuilder(path="/").get_environ()
    environ["PATH_INFO"] = "/tag/保密".encode("utf-8").decode("latin-1")
    page = client.open(environ).get_data(as_text=True)
    assert "保密工作清单" in page


def test_a_page_past_the_last_says_so_and_links_to_the_last_page(client):
    total = client.get("/api/search?q=保密&limit=2").get_json()["total"]
    last = -(-total // 2)
    assert last >= 2
    page = client.get("/search?q=保密&limit=2&page=99").get_data(as_text=True)
    assert f"没有第 99 页：这次搜索的结果只有 {last} 页。" in page
    assert f"转到最后一页（第 {last} 页）" in page and f"limit=2&amp;page={last}" in page
    assert f"（第 99 / {last} 页）" not in page and 'rel="prev"' not in page


def test_a_page_past_the_only_page_links_to_the_first(client):
    page = client.get("/search?q=保密&page=5").get_data(as_text=True)
    assert "没有第 5 页" in page and "转到最后一页（第 1 页）" in page
    assert 'href="/search?q=%E4%BF%9D%E5%AF%86"' in page
