"""A folder of plain Markdown is a working site; an empty or all-broken folder an empty one."""
import shutil
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import FIXTURES
from tests.web.conftest import wait_ready
from web.app import create_app


def site(content, tmp_path):
    app = create_app({"content_dir": content, "index_dir": tmp_path / "index", "instance_dir": tmp_path / "instance",
                      "secret_key": "test"})
    app.config["TESTING"] = True
    app.extensions["kb"].start_keeper()
    return app


@pytest.fixture
def plain_client(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "plain", content)
    app = site(content, tmp_path)
    client = app.test_client()
    wait_ready(client)
    yield client
    app.extensions["kb"].keeper.stop()
    app.extensions["kb"].search.close()


def text(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_plain_markdown_files_become_pages_with_their_titles(plain_client):
    page = text(plain_client.get("/a/hui-yi-guan-li-ban-fa"))
    assert page.count("会议管理办法</h1>") == 1 and "<h1>会议管理办法" not in page.split('class="article-body"')[1]
    assert 'id="会议的申请"' in page and 'href="/a/meeting-minutes"' in page
    assert "会议管理办法" in text(plain_client.get("/"))
    assert "出差准备" in text(plain_client.get("/type/checklist"))
    assert "公文处理规定" in text(plain_client.get("/category/办公室"))


def test_plain_markdown_is_searchable_and_in_the_feeds(plain_client):
    results = plain_client.get("/api/search?q=会场安排").get_json()["results"]
    assert results[0]["slug"] == "hui-yi-guan-li-ban-fa"
    atom = ET.fromstring(plain_client.get("/feed.atom").data)
    assert len(atom.findall("{http://www.w3.org/2005/Atom}entry")) == 6
    assert b"/a/chu-chai-zhun-bei" in plain_client.get("/sitemap.xml").data


def empty_site_pages(client):
    for url in ("/", "/browse", "/feed.atom", "/sitemap.xml", "/paths", "/api/articles"):
        assert client.get(url).status_code == 200, url
    ET.fromstring(client.get("/feed.atom").data)
    ET.fromstring(client.get("/sitemap.xml").data)
    assert "0" in text(client.get("/"))


@pytest.mark.parametrize("kind", ["empty", "all-invalid"])
def test_an_empty_or_all_invalid_folder_is_an_empty_working_site(tmp_path, kind):
    content = tmp_path / "content"
    content.mkdir()
    if kind == "all-invalid":
        shutil.copy(FIXTURES / "bad" / "invalid_yaml.md", content)
        shutil.copy(FIXTURES / "bad" / "not_utf8.md", content)
        (content / "empty.md").write_text("", encoding="utf-8")
    app = site(content, tmp_path)
    try:
        empty_site_pages(app.test_client())
    finally:
        app.extensions["kb"].keeper.stop()
        app.extensions["kb"].search.close()


def test_search_on_an_empty_site_says_nothing_was_found(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    app = site(content, tmp_path)
    try:
        client = app.test_client()
        wait_ready(client, seconds=5)
        response = client.get("/search?q=会议")
        assert response.status_code == 200 and "没有找到" in response.get_data(as_text=True)
    finally:
        app.extensions["kb"].keeper.stop()
        app.extensions["kb"].search.close()
