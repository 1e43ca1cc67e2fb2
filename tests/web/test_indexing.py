import time

from tests.conftest import write_article


def wait_for(client, query, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        results = client.get(f"/api/search?q={query}&exact=1").get_json()["results"]  # the words as typed
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
    def gone():
        results = client.get("/api/search?q=参谋意识&limit=50").get_json()["results"]
        # removed is not missing: the address says the article went away (tests/web/test_removed.py)
        return client.get("/a/ten-awareness").status_code == 410 and "ten-awareness" not in [r["slug"] for r in results]

    assert "ten-awareness" in [r["slug"] for r in client.get("/api/search?q=参谋意识&limit=50").get_json()["results"]]
    (content_dir / "guides" / "ten-awareness.md").unlink()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not gone():
        time.sleep(0.05)
    assert gone()


def test_a_broken_file_does_not_stop_the_site(client, content_dir):
    (content_dir / "guides" / "broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    write_article(content_dir, "guides/after-broken.md", "## 一、照常\n\n辰巳午未。\n", slug="after-broken")
    assert wait_for(client, "辰巳午未")
    assert client.get("/a/office-service-work").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_an_index_from_an_older_version_is_rebuilt_at_start(content_dir, tmp_path):
    import json

    from kb.config import load_config
    from search.storage import live_path
    from search.writer import update_index
    from tests.web.conftest import wait_ready
    from web.app import create_app

    config = load_config(content_dir=content_dir, index_dir=tmp_path / "index")
    update_index(config)
    live = live_path(config.index_path)
    manifest = json.loads((live / "manifest.json").read_text())
    (live / "manifest.json").write_text(json.dumps({**manifest, "fingerprint": "an-older-version"}))
    for toc in live.glob("_MAIN_*.toc"):
        toc.write_bytes(b"not a schema this version can read")
    app = create_app(config)
    app.extensions["kb"].start_keeper()
    try:
        client = app.test_client()
        assert client.get("/api/search?q=保密").status_code in (200, 503)  # never a 500
        wait_ready(client)
        assert client.get("/api/search?q=请示汇报").get_json()["results"][0]["slug"] == "office-service-work"
    finally:
        app.extensions["kb"].keeper.stop()


def test_an_edited_file_no_longer_matches_its_old_words(client, content_dir):
    path = write_article(content_dir, "guides/changing.md", "## 一、版本\n\n旧版本的词语申酉戌亥。\n", slug="changing")
    assert wait_for(client, "申酉戌亥")
    path.write_text(path.read_text(encoding="utf-8").replace("申酉戌亥", "新词甲子乙丑"), encoding="utf-8")
    assert wait_for(client, "甲子乙丑")
    assert client.get("/api/search?q=申酉戌亥&exact=1").get_json()["results"] == []  # as typed, not corrected


def test_an_idle_site_does_not_keep_re_indexing(app):
    """Reading files (the dictionary, reading paths) while indexing must not wake the watcher."""
    keeper = app.extensions["kb"].keeper
    calls = []
    real = keeper.update_now
    keeper.update_now = lambda *args: (calls.append(1), real(*args))
    time.sleep(1.5)
    assert len(calls) <= 1


def test_a_changed_synonyms_list_wakes_no_re_indexing(app, content_dir):
    """Search reads the list itself at the next query; the keeper has nothing to do."""
    keeper = app.extensions["kb"].keeper
    calls = []
    real = keeper.update_now
    keeper.update_now = lambda *args: (calls.append(args), real(*args))
    (content_dir / "_synonyms.txt").write_text("会议 开会 碰头会\n", encoding="utf-8")
    time.sleep(1.0)
    assert calls == []
    assert app.test_client().get("/api/search?q=碰头会").get_json()["total"] > 0
