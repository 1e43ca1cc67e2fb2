"""The site's icon: every page names one that loads, and ``/favicon.ico`` (which browsers ask
for whatever the page says) answers with an icon instead of a 404, cached for a week."""
import re

import pytest

from tests.web.conftest import settings
from web.app import create_app

PAGES = ["/", "/search?q=保密", "/a/office-service-work", "/browse", "/tags", "/paths/newcomer", "/changes",
         "/a/office-service-work/edit", "/import", "/help/markdown", "/login", "/a/no-such-article"]


def test_every_page_names_an_icon_that_loads(client):
    for path in PAGES:
        page = client.get(path).get_data(as_text=True)
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)
        assert icons, path
        for href in icons:
            response = client.get(href)
            assert response.status_code == 200, (path, href)
            assert response.mimetype in ("image/svg+xml", "image/vnd.microsoft.icon"), (path, href)


@pytest.mark.parametrize("path, kind, start", [("/favicon.ico", "image/vnd.microsoft.icon", b"\x00\x00\x01\x00"),
                                               ("/favicon.svg", "image/svg+xml", b"<svg ")])
def test_the_icon_is_served_with_its_type_and_cached(anonymous, path, kind, start):
    response = anonymous.get(path)
    assert response.status_code == 200 and response.mimetype == kind and response.data.startswith(start)
    assert "max-age=604800" in response.headers["Cache-Control"]
    again = anonymous.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_icon_needs_no_account_when_reading_needs_one(content_dir, tmp_path):
    app = create_app(settings(content_dir, tmp_path, require_login=True))
    client = app.test_client()
    assert client.get("/a/office-service-work").status_code in (302, 303)  # the page asks to log in
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"


def test_opensearch_names_the_icon(anonymous):
    xml = anonymous.get("/opensearch.xml").get_data(as_text=True)
    assert re.search(r'<Image width="16" height="16" type="image/vnd.microsoft.icon">http://[^<]+/favicon.ico</Image>', xml)
