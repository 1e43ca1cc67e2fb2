"""One registry of article fields (kb.fields): a field added there is checked, indexed,
filterable, counted, in the API and on the page, with no other module touched."""
import re

import pytest

from application import Site
from kb import fields
from tests.conftest import write_article
from tests.web.conftest import settings, wait_ready
from web.app import create_app

LEVEL = fields.Field("level", "密级", kind="choice", choices={"public": "公开", "internal": "内部"}, shown=True,
                     filters=("level", "密级"), facet=True, help="谁可以看：公开或内部")


@pytest.fixture
def with_level():
    previous = fields.install(fields.registry().with_field(LEVEL))
    yield
    fields.install(previous)


@pytest.fixture
def client(with_level, content_dir, tmp_path):
    write_article(content_dir, "guides/internal-rule.md", "## 一、范围\n\n只在内部传阅的印信规定。\n",
                  slug="internal-rule", title="印信管理规定", level="内部")
    write_article(content_dir, "guides/public-rule.md", "## 一、范围\n\n对外公开的印信规定。\n",
                  slug="public-rule", title="印信公开规定", level="public")
    write_article(content_dir, "guides/bad-level.md", "## 一、范围\n\n正文。\n", slug="bad-level", level="绝密")
    site = Site(settings(content_dir, tmp_path))
    app = create_app(site)
    site.start_keeper()
    client = app.test_client()
    wait_ready(client)
    yield client
    site.close()


def test_a_bad_value_of_the_new_field_is_reported_with_file_line_and_choices(with_level, content_dir, tmp_path):
    write_article(content_dir, "guides/bad-level.md", "## 一、范围\n\n正文。\n", slug="bad-level", level="绝密")
    catalog = Site(settings(content_dir, tmp_path)).check()
    problem = next(p for p in catalog.problems if p.path == "guides/bad-level.md" and p.severity == "error")
    assert "level" in problem.message and "绝密" in problem.message and "内部" in problem.message
    text = (content_dir / "guides" / "bad-level.md").read_text(encoding="utf-8").split("\n")
    assert text[problem.line - 1].startswith("level:")
    assert catalog.get("bad-level") is None  # an error keeps the file off the site


def test_the_new_field_filters_and_counts_in_search(client):
    data = client.get("/api/search?q=印信").get_json()
    assert {r["slug"] for r in data["results"]} == {"internal-rule", "public-rule"}
    assert data["facets"]["level"] == {"public": 1, "internal": 1}
    assert {r["slug"]: r["level"] for r in data["results"]} == {"internal-rule": "internal", "public-rule": "public"}
    typed = client.get("/api/search?q=印信 密级:内部").get_json()  # by its Chinese name and label
    assert [r["slug"] for r in typed["results"]] == ["internal-rule"] and typed["total"] == 1
    param = client.get("/api/search?q=印信&level=public").get_json()  # the URL parameter
    assert [r["slug"] for r in param["results"]] == ["public-rule"]


def test_the_new_field_is_in_the_api_and_on_the_page(client):
    assert client.get("/api/articles/internal-rule").get_json()["level"] == "internal"
    page = client.get("/a/internal-rule").get_data(as_text=True)
    shown = re.search(r'<div data-field="level"><dt>密级</dt><dd>(.*?)</dd>', page, re.S)
    assert shown and shown.group(1).strip() == "内部"
    results = client.get("/search?q=印信").get_data(as_text=True)
    assert 'data-facet="level"' in results and "内部" in results
    chip = client.get("/search?q=印信&level=internal").get_data(as_text=True)
    assert "密级：内部 ✕" in chip


def test_the_index_follows_the_registry(with_level, content_dir, tmp_path):
    """An index built before the field existed is rebuilt by itself: its fingerprint is the registry's."""
    from search.storage import current_fingerprint

    site = Site(settings(content_dir, tmp_path))
    with_field = current_fingerprint(site.search.setup)
    fields.install(fields.CORE)
    try:
        assert current_fingerprint(site.search.setup) != with_field
    finally:
        fields.install(fields.registry().with_field(LEVEL))
