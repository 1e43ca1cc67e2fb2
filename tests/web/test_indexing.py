import time

from tests.conftest import write_article


def wait_for(client, query, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        results = client.get(f"/api/search?q={query}").get_json()["results"]
        if results:
            return results
        time.sleep(0.05)
    return []


def test_a_file_changed_on_disk_is_searchable_without_a_restart(client, content_dir):
    write_article(content_dir, "guides/dropped-in.md", "## 一、新放入的文件\n\n内容里有词语子丑寅卯。\n", slug="dropped-in")
    results = wait_for(client, "子丑寅卯")
    assert results and results[0]["url"] == "/a/dropped-in#新放入的文件"
    assert "子丑寅卯" in client.get("/a/dropped-in").get_data(as_text=True)


def test_a_deleted_file_leaves_search_and_site(client, content_dir):
    (content_dir / "guides" / "ten-awareness.md").unlink()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and client.get("/a/ten-awareness").status_code != 404:
        time.sleep(0.05)
    assert client.get("/a/ten-awareness").status_code == 404
    slugs = [r["slug"] for r in client.get("/api/search?q=参谋意识&limit=50").get_json()["results"]]
    assert "ten-awareness" not in slugs


def test_a_broken_file_does_not_stop_the_site(client, content_dir):
    (content_dir / "guides" / "broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    write_article(content_dir, "guides/after-broken.md", "## 一、照常\n\n辰巳午未。\n", slug="after-broken")
    assert wait_for(client, "辰巳午未")
    assert client.get("/a/office-service-work").status_code == 200
    assert client.get("/healthz").status_code == 200
