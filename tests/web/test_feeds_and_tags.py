"""Feeds stay valid XML and tag links work, whatever the front matter holds (issue 9.6)."""
import re
import shutil
import xml.etree.ElementTree as ET

from tests.conftest import FIXTURES

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def add(client, content_dir, name):
    shutil.copy(FIXTURES / "feeds" / name, content_dir / "guides" / name)
    client.application.extensions["kb"].store.invalidate()


def entry(atom, slug):
    return next(e for e in atom.iter(f"{ATOM}entry") if e.find(f"{ATOM}id").text.endswith(f"/a/{slug}"))


def test_a_control_character_in_a_title_leaves_the_feed_readable(client, content_dir):
    add(client, content_dir, "control_char_in_title.md")
    atom = ET.fromstring(client.get("/feed.atom").data)
    assert entry(atom, "control-char-title").find(f"{ATOM}title").text == "会议纪要写法"
    problems = client.application.extensions["kb"].store.catalog().problems
    assert any(p.path == "guides/control_char_in_title.md" and "U+0000" in p.message and p.line == 2 for p in problems)


def test_a_datetime_updated_gives_valid_feed_and_sitemap_dates(client, content_dir):
    add(client, content_dir, "datetime_updated.md")
    atom = ET.fromstring(client.get("/feed.atom").data)
    item = entry(atom, "datetime-updated")
    assert item.find(f"{ATOM}updated").text == "2026-02-02T00:00:00Z"
    assert item.find(f"{ATOM}published").text == "2026-01-31T00:00:00Z"
    for updated in atom.iter(f"{ATOM}updated"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", updated.text), updated.text
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    lastmods = [u.find(f"{SITEMAP}lastmod").text for u in sitemap.iter(f"{SITEMAP}url")
                if u.find(f"{SITEMAP}loc").text.endswith("/a/datetime-updated")]
    assert lastmods == ["2026-02-02"]


def test_a_tag_with_a_slash_links_to_its_listing(client, content_dir):
    add(client, content_dir, "datetime_updated.md")
    page = client.get("/a/datetime-updated").get_data(as_text=True)
    (href,) = re.findall(r'href="(/tag/[^"]*)"[^>]*>收文/发文<', page)
    listing = client.get(href)
    assert listing.status_code == 200 and "带时刻的更新日期" in listing.get_data(as_text=True)
    assert "带时刻的更新日期" in client.get("/browse").get_data(as_text=True)
