"""/healthz and the editors' banner tell when the index is behind the content, and why; the
site keeps serving the index it has (issue 9.6). A read-only or full index disk is made for
the server alone, in a mount namespace of its own (``unshare``)."""
import json
import time

import pytest

from search.writer import update_index
from tests.serving import Server, can_mount
from tests.web.conftest import PASSWORDS, log_in, settings
from web.app import create_app
from application import Site

needs_mounts = pytest.mark.skipif(not can_mount(), reason="needs mount namespaces (unshare -Urm)")


def wait_for(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    return check()


@pytest.fixture
def built(content_dir, tmp_path):
    """The settings of a site whose index is complete, with an editor account."""
    values = settings(content_dir, tmp_path)
    site = Site(values)
    site.prepare()
    site.users.add("editor", PASSWORDS["editor"], "editor")
    update_index(site.config)
    site.close()
    return site.config


@pytest.fixture
def running(built):
    """The app over ``built`` with its keeper thread (started by the test, once it has broken
    something)."""
    site = Site(built)
    yield site, create_app(site)
    site.close()


def test_a_failed_rebuild_keeps_the_old_index_serving_and_healthz_says_why(built, running):
    site, app = running
    built.dictionary_path.write_bytes("保密工作\n督查督办\n".encode("gbk"))  # an editor saved it in GBK
    site.start_keeper()
    client = app.test_client()
    assert wait_for(lambda: client.get("/healthz").get_json()["status"] == "degraded")
    health = client.get("/healthz")
    assert health.status_code == 200
    data = health.get_json()
    assert "索引更新失败" in data["error"] and "UnicodeDecodeError" in data["error"] and data["since"]
    assert client.get("/api/search?q=请示汇报").get_json()["results"][0]["slug"] == "office-service-work"
    assert "搜索索引" not in client.get("/").get_data(as_text=True)  # readers are not asked to act
    page = log_in(client, "editor").get("/").get_data(as_text=True)
    assert "搜索索引没有跟上文章的修改" in page and "UnicodeDecodeError" in page


def test_editors_are_told_while_the_whole_folder_is_being_indexed(built, running):
    import threading

    site, app = running
    site.start_keeper()
    client = log_in(app.test_client(), "editor")
    assert wait_for(lambda: client.get("/healthz").get_json()["status"] == "ok")
    release, real = threading.Event(), site.search.index
    site.search.index = lambda **kw: (release.wait(20), real(**kw))[1]  # a rebuild that takes its time
    with open(built.dictionary_path, "a", encoding="utf-8") as fh:
        fh.write("新的领域词\n")  # a dictionary change: the whole folder again
    try:
        assert wait_for(lambda: client.get("/healthz").get_json()["status"] == "updating")
        assert client.get("/healthz").status_code == 200
        assert "搜索索引正在更新" in client.get("/").get_data(as_text=True)
    finally:
        release.set()
    assert wait_for(lambda: client.get("/healthz").get_json()["status"] == "ok")
    assert "搜索索引正在更新" not in client.get("/").get_data(as_text=True)


def test_healthz_is_ok_and_shows_no_banner_when_the_index_is_current(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "error": None, "since": None, "history": None, "remote": None,
                                                 "articles": 15}
    assert "index-banner" not in client.get("/").get_data(as_text=True)


@needs_mounts
def test_a_read_only_index_after_a_dictionary_change_keeps_serving_and_says_why(built, tmp_path):
    from tests.web.test_concurrent_saves import Editor

    index = built.index_path
    with open(built.dictionary_path, "a", encoding="utf-8") as fh:
        fh.write("新的领域词\n")
    server = Server(built.content_dir, index, tmp_path / "server.log", env={"KB_INSTANCE_DIR": str(built.instance_path)},
                    mounts=f"mount --bind '{index}' '{index}'\nmount -o remount,bind,ro '{index}'")
    try:
        server.wait_ready()
        data = json.loads(server.get("/healthz")[1])
        assert data["status"] == "degraded" and "只读" in data["error"], data
        results = json.loads(server.get("/api/search?q=请示汇报")[1])["results"]
        assert results[0]["slug"] == "office-service-work"  # the old generation serves
        assert "只读" in Editor(server.base).opener.open(server.base + "/").read().decode()  # the editors' banner
    finally:
        server.stop()


@needs_mounts
def test_a_full_index_disk_keeps_saves_and_catches_up_once_there_is_room(built, tmp_path):
    """Saves go on (the article is on disk and on the site), /healthz and the banner say the
    disk is full, and once space is freed the keeper indexes what it missed by itself."""
    from tests.web.test_concurrent_saves import Editor

    index, full = built.index_path, tmp_path / "full-index"
    full.mkdir()
    trigger = built.content_dir / ".free-space"  # made by the test, seen inside the namespace
    mounts = (f"mount -t tmpfs -o size=12m tmpfs '{full}'\ncp -a '{index}/.' '{full}/'\n"
              f"dd if=/dev/zero of='{full}/filler' bs=64k 2>/dev/null || true\n"
              f"server=$$\n(while [ ! -e '{trigger}' ] && kill -0 $server 2>/dev/null; do sleep 0.1; done; "
              f"rm -f '{full}/filler') &")
    server = Server(built.content_dir, full, tmp_path / "server.log", env={"KB_INSTANCE_DIR": str(built.instance_path)},
                    mounts=mounts)
    try:
        server.wait_ready()
        data = json.loads(server.get("/healthz")[1])
        assert data["status"] == "degraded" and "磁盘空间不足" in data["error"], data
        editor = Editor(server.base)
        form = editor.open_form("/a/ten-awareness/edit")
        path = built.content_dir / "guides" / "ten-awareness.md"
        status, page = editor.post("/a/ten-awareness/edit",
                                   {**form, "text": path.read_text(encoding="utf-8") + "\n\n写满磁盘时 diskfullword 的修改。\n"})
        assert status == 303, page[:500]  # saved, though the index could not take it
        assert "diskfullword" in path.read_text(encoding="utf-8")
        page = editor.opener.open(server.base + "/a/ten-awareness").read().decode()
        assert "diskfullword" in page and "搜索索引暂时无法更新" in page  # saved, and the editor is told
        assert "磁盘空间不足" in page  # the editors' banner
        assert "diskfullword" in server.get("/a/ten-awareness")[1].decode()  # for readers too
        assert json.loads(server.get("/api/search?q=diskfullword")[1])["total"] == 0
        trigger.touch()
        assert wait_for(lambda: json.loads(server.get("/api/search?q=diskfullword")[1])["total"] == 1, 30)
        assert wait_for(lambda: json.loads(server.get("/healthz")[1])["status"] == "ok", 30)
    finally:
        server.stop()
