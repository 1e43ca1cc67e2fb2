"""The query log through the real app: what a search page records (after the response), which
result was opened, privacy, switching it off, a log that cannot be written, and the editors'
搜索统计 page with its actions and CSV."""
import re

import pytest

from tests.web.conftest import log_in, settings, wait_ready
from web.app import create_app
from application import Site


def page(client, url):
    """GET ``url`` as a browser does: the response is read, then closed (the log is written
    when the server closes the response)."""
    response = client.get(url)
    body = response.get_data(as_text=True)
    response.close()
    return response, body


def token_of(body):
    return re.search(r'data-search-token="([0-9a-f]{16})"', body).group(1)


def rows(site):
    site.analytics.flush()
    return site.analytics.rows()


def test_a_search_page_is_recorded_once_without_who_asked(app, client, site):
    _, body = page(client, "/search?q=保密")
    assert [(r["query"], r["source"], r["ip"]) for r in rows(site)] == [("保密", "page", None)]
    assert rows(site)[0]["results"] > 0 and rows(site)[0]["token"] == token_of(body)
    page(client, "/search?q=保密&page=2")  # the same search, paged: not counted again
    page(client, "/search?q=保密&sort=updated&page=2")
    client.get("/api/search?q=保").close()  # the search box's results while typing: not a search
    page(client, "/search?tag=保密")  # no words
    assert len(rows(site)) == 1


def test_a_query_answered_by_its_correction_records_what_was_shown(client, site):
    page(client, "/search?q=baomi")
    [row] = rows(site)
    assert row["query"] == "baomi" and row["corrected"] == "保密" and row["results"] > 0


def test_a_result_opened_from_the_search_page_names_the_search(anonymous, site):
    _, zero = page(anonymous, "/search?q=公车")
    _, found = page(anonymous, "/search?q=开会")
    assert 'data-rank="1"' in found and "data-found-nothing" in zero
    response = anonymous.post("/api/opened", data={"search": token_of(found), "rank": "1", "after": token_of(zero),
                                                   "url": "/a/meeting-preparation#%E4%BC%9A%E5%89%8D"})
    assert response.status_code == 204  # an anonymous reader, no form token
    response.close()
    site.analytics.flush()
    with site.analytics.session() as s:
        opened = s.execute(__import__("sqlalchemy").text("select token, url, rank, after from kb_search_opened")).all()
    assert opened == [(token_of(found), "/a/meeting-preparation#会前", 1, token_of(zero))]


def test_a_pick_from_the_search_box_is_a_search_and_an_opened_result(anonymous, site):
    response = anonymous.post("/api/opened", data={"q": "保密", "results": "6", "url": "/a/confidentiality"})
    assert response.status_code == 204
    response.close()
    [row] = rows(site)
    assert (row["query"], row["source"], row["results"]) == ("保密", "box", 6)


def test_opened_results_from_another_site_or_elsewhere_are_refused(anonymous, site):
    other = anonymous.post("/api/opened", data={"q": "保密", "url": "/a/x"}, headers={"Origin": "http://evil.example"})
    assert other.status_code == 403
    assert anonymous.post("/api/opened", data={"q": "保密", "url": "https://evil.example/a/x"}).status_code == 400
    assert anonymous.post("/api/opened", data={"url": "/a/x"}).status_code == 400
    assert rows(site) == []


def test_under_require_login_an_anonymous_visitor_records_nothing(content_dir, tmp_path):
    s = Site(settings(content_dir, tmp_path, require_login=True))
    try:
        app = create_app(s)
        response = app.test_client().post("/api/opened", data={"q": "保密", "url": "/a/x"})
        assert response.status_code == 401 and rows(s) == []
    finally:
        s.close()


def test_the_address_is_kept_only_when_the_site_says_so(content_dir, tmp_path):
    s = Site(settings(content_dir, tmp_path, analytics_record_ip=True))
    try:
        app = create_app(s)
        s.start_keeper()
        client = app.test_client()
        wait_ready(client)
        page(client, "/search?q=值班")
        assert rows(s)[0]["ip"] == "127.0.0.1"
    finally:
        s.close()


def test_switched_off_nothing_is_recorded_and_the_page_says_so(content_dir, tmp_path):
    s = Site(settings(content_dir, tmp_path, analytics=False))
    s.users.add("editor", "editor-password", "editor")
    try:
        app = create_app(s)
        s.start_keeper()
        client = log_in(app.test_client(), "editor")
        wait_ready(client)
        _, body = page(client, "/search?q=值班")
        assert "data-search-token" not in body and "data-analytics" not in body
        assert rows(s) == []
        assert "搜索统计已关闭" in page(client, "/analytics")[1]
    finally:
        s.close()


def test_a_search_answers_when_the_log_cannot_be_written(content_dir, tmp_path, caplog):
    s = Site(settings(content_dir, tmp_path, database_url=f"sqlite:///{tmp_path / 'no-such-folder' / 'kb.sqlite3'}"))
    try:
        app = create_app(s)
        s.start_keeper()
        client = app.test_client()
        wait_ready(client)
        response, body = page(client, "/search?q=保密")
        assert response.status_code == 200 and "安全保密原则" in body
        assert s.analytics.pending() == 1 and "could not write" in caplog.text
    finally:
        s.close()


def test_the_statistics_page_is_for_editors(app, anonymous):
    reader = log_in(app.test_client(), "reader")
    assert reader.get("/analytics").status_code == 403
    assert reader.get("/analytics.csv").status_code == 403
    assert anonymous.get("/analytics").status_code == 302
    assert ">搜索统计<" not in page(reader, "/")[1]


def test_the_statistics_page_lists_what_staff_could_not_find_with_actions(client, site):
    for q in ("公车", "公车", "保密", "保密", "保密", "值班"):
        page(client, f"/search?q={q}")
    _, found = page(client, "/search?q=开会")
    _, zero = page(client, "/search?q=碰头会")
    client.post("/api/opened", data={"search": token_of(found), "url": "/a/meeting-preparation", "rank": "1",
                                     "after": token_of(zero)}).close()
    _, body = page(client, "/analytics")
    assert ">搜索统计<" in page(client, "/")[1]
    assert "<strong>8</strong> 次搜索" in body and "没有结果 <strong>3</strong> 次（38%）" in body
    zero_table = body.split('id="zero-h"')[1].split('id="top-h"')[0]
    assert re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', zero_table) == ["公车", "碰头会"]
    assert "仍然没有" in zero_table
    assert 'href="/new?title=%E5%85%AC%E8%BD%A6">新建文章</a>' in zero_table
    assert "建议加入「会议 开会 办会 会务」" in zero_table  # 碰头会, then 开会 opened
    add_link = re.search(r'href="(/synonyms\?add=%E7%A2%B0%E5%A4%B4%E4%BC%9A[^"]*)">加为同义词', zero_table).group(1)
    assert "line=3" in add_link
    top = body.split('id="top-h"')[1].split('id="unopened-h"')[0]
    assert re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', top)[:2] == ["保密", "公车"]
    unopened = body.split('id="unopened-h"')[1].split('id="weeks-h"')[0]
    assert {"保密", "值班"} <= set(re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', unopened))
    weeks = body.split('id="weeks-h"')[1]
    assert len(re.findall(r"<meter ", weeks)) == 12 and 'value="8"' in weeks
    # 新建文章 opens the form with the query as its title
    assert re.search(r'<input id="title" name="title" value="公车"[^>]* required', page(client, "/new?title=公车")[1])


def test_the_csv_has_one_row_per_query_and_opens_in_excel(client, site):
    for q in ("保密", "保密", "-值班"):
        page(client, f"/search?q={q}")
    response = client.get("/analytics.csv?days=7")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and "attachment; filename=search-queries-" in response.headers["Content-Disposition"]
    assert body.startswith("\ufeff查询,搜索次数,没有结果的次数,打开了结果的次数,平均结果数,最近一次\r\n")
    lines = body.splitlines()
    assert lines[1].startswith("保密,2,0,0,") and lines[2].startswith("'-值班,1,")
