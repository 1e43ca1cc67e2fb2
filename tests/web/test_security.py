"""HTTP hygiene: the Host header is checked and never echoed, every response carries the
security headers, and article HTML cannot take over the page's own element ids."""
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kb.sections import RESERVED_IDS
from tests.web.conftest import settings
from web.app import create_app
from web.security import host_name, is_allowed

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


@pytest.fixture
def public_client(content_dir, tmp_path):
    app = create_app(settings(content_dir, tmp_path, public_url="https://kb.example.cn/", allowed_hosts=("intranet",)))
    return app.test_client()


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/a/office-service-work", "/api/search?q=保密", "/static/app.js", "/no-such-page"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy and "frame-ancestors 'none'" in policy
        assert "'unsafe-inline'" not in policy
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_foreign_host_is_refused_in_chinese(client, method):
    response = getattr(client, method)("/new", headers={"Host": "attacker.example"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "attacker.example" in page and "不是本站的地址" in page
    api = client.get("/api/search?q=保密", headers={"Host": "attacker.example:5000"})
    assert api.status_code == 400 and api.get_json()["error"] == "bad_host"


def test_local_names_addresses_and_configured_hosts_are_served(public_client):
    for host in ("localhost", "localhost:5000", "127.0.0.1:5000", "[::1]:5000", "192.168.1.20:5000",
                 "kb.example.cn", "INTRANET:8080"):
        assert public_client.get("/a/office-service-work", headers={"Host": host}).status_code == 200, host
    assert public_client.get("/", headers={"Host": "kb.example.cn.attacker.example"}).status_code == 400


def test_host_names_are_compared_without_port_or_case():
    allowed = frozenset({"kb.example.cn"})
    assert host_name("KB.Example.CN:443") == "kb.example.cn" and host_name("[::1]:80") == "::1"
    assert is_allowed("kb.example.cn:80", allowed) and is_allowed("10.0.0.5", allowed)
    assert not is_allowed("evil.example", allowed) and not is_allowed("kb.example.cn.evil.example", allowed)
    assert is_allowed("anything", None)


def test_feeds_sitemap_opensearch_and_canonical_links_use_the_public_url(public_client):
    for path in ("/feed.atom", "/sitemap.xml", "/opensearch.xml", "/a/office-service-work"):
        text = public_client.get(path, headers={"Host": "intranet"}).get_data(as_text=True)
        found = set(re.findall(r"(?:href|template)=\"(https?://[^/\"]+)", text)) | \
            set(re.findall(r"<(?:loc|id)>(https?://[^/<]+)", text))
        assert found == {"https://kb.example.cn"}, (path, found)
    sitemap = ET.fromstring(public_client.get("/sitemap.xml").data)
    assert all(loc.text.startswith("https://kb.example.cn/") for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"))


def test_without_a_public_url_links_use_the_configured_host_and_port(content_dir, tmp_path):
    app = create_app(settings(content_dir, tmp_path, host="10.1.2.3", port=8080))
    text = app.test_client().get("/opensearch.xml", headers={"Host": "10.1.2.3:8080"}).get_data(as_text=True)
    assert 'template="http://10.1.2.3:8080/search?q={searchTerms}"' in text


def test_every_id_in_the_templates_is_reserved_from_headings():
    ids = {m for path in TEMPLATES.glob("*.html") for m in re.findall(r'\bid="([^"{]+)"', path.read_text(encoding="utf-8"))}
    assert ids and ids <= RESERVED_IDS, ids - RESERVED_IDS
