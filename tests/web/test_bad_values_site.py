"""A file with a bad value is a problem of that file: every page of the site still answers."""
import shutil

from tests.conftest import FIXTURES


def test_files_with_bad_values_never_break_the_site(client, content_dir):
    for path in (FIXTURES / "values").glob("*.md"):
        shutil.copy(path, content_dir / "guides" / path.name)
    client.application.extensions["kb"].store.invalidate()
    for url in ("/", "/browse", "/feed.atom", "/sitemap.xml", "/a/office-service-work", "/a/good-values",
                "/api/articles", "/tag/保密", "/category/测试"):
        assert client.get(url).status_code == 200, url
    assert client.get("/a/impossible-date").status_code == 404
    problems = client.application.extensions["kb"].store.catalog().problems
    assert any(p.path == "guides/impossible_date.md" and p.line == 7 for p in problems)
