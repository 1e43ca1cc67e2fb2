"""The synonyms list edited in the browser: checked with Chinese messages and line numbers before
anything is written, saved with the articles' locks and history, used by search at once —
in every worker process of a real server — without re-indexing."""
import json
import re

from tests.serving import Server
from tests.web.conftest import log_in, settings
from web.app import create_app
from application import Site

FILE = "_synonyms.txt"


def form_of(client, url="/synonyms") -> dict:
    body = client.get(url).get_data(as_text=True)
    return {"csrf": re.search(r'name="csrf" value="([^"]+)"', body).group(1),
            "digest": re.search(r'name="digest" value="([^"]*)"', body).group(1)}


def finds(client, q: str) -> int:
    return client.get(f"/api/search?q={q}&exact=1").get_json()["total"]


def test_a_list_with_mistakes_is_not_saved_and_the_editor_is_told_where(client, content_dir):
    before = (content_dir / FILE).read_text(encoding="utf-8")
    text = "会议 开会\n碰头会\n请示 开会\n，，\n"
    response = client.post("/synonyms", data={**form_of(client), "text": text, "message": "试试"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "没有保存" in body
    assert "第 2 行：这一组只有一个词「碰头会」" in body
    assert "第 3 行：「开会」已经在第 1 行的一组里" in body
    assert "第 4 行：这一行只有分隔符，没有词（空的一组）" in body
    assert "碰头会\n请示 开会" in body  # what was typed stays in the editor
    assert (content_dir / FILE).read_text(encoding="utf-8") == before


def test_a_saved_list_is_in_the_history_and_search_uses_it_at_once(client, site, content_dir):
    assert finds(client, "碰头会") == 0
    text = (content_dir / FILE).read_text(encoding="utf-8").replace("会议 开会", "会议 碰头会 开会")
    response = client.post("/synonyms", data={**form_of(client), "text": text, "message": "加上碰头会"})
    assert response.status_code == 303 and response.headers["Location"] == "/synonyms"
    page = client.get("/synonyms").get_data(as_text=True)
    assert "同义词已保存。搜索立即按新的同义词查找，不需要重建索引。" in page
    assert finds(client, "碰头会") > 0
    [change, *_] = site.history.log(FILE)
    assert change.message == "加上碰头会" and change.author == "editor"
    assert "加上碰头会" in page  # the page's own history
    assert "加上碰头会" in client.get("/changes").get_data(as_text=True)


def test_a_list_changed_meanwhile_is_not_overwritten(client, content_dir):
    opened = form_of(client)
    (content_dir / FILE).write_text("会议 开会 碰头会\n", encoding="utf-8")  # someone else saved
    response = client.post("/synonyms", data={**opened, "text": "会议 开会\n出差 外出\n"})
    assert response.status_code == 409 and "已被别人修改" in response.get_data(as_text=True)
    assert (content_dir / FILE).read_text(encoding="utf-8") == "会议 开会 碰头会\n"


def test_a_word_is_added_to_a_group_or_as_a_new_group(client, content_dir):
    page = client.get("/synonyms?add=碰头会&line=3").get_data(as_text=True)
    assert "把「碰头会」加为同义词" in page and '<option value="3" selected>会议 开会 办会 会务</option>' in page
    token = form_of(client)["csrf"]
    response = client.post("/synonyms/add", data={"csrf": token, "word": "碰头会", "group": "3", "next": "/analytics"})
    assert response.status_code == 303 and response.headers["Location"] == "/analytics"
    assert "会议 开会 办会 会务 碰头会\n" in (content_dir / FILE).read_text(encoding="utf-8")
    client.post("/synonyms/add", data={"csrf": token, "word": "接风", "group": "new", "partner": "洗尘"})
    assert (content_dir / FILE).read_text(encoding="utf-8").endswith("\n洗尘 接风\n")
    assert "已把「接风」加为同义词：洗尘 接风。" in client.get("/synonyms").get_data(as_text=True)
    refused = client.post("/synonyms/add", data={"csrf": token, "word": "公车", "group": "new", "partner": ""})
    assert refused.status_code == 400 and "请填写和它意思相同的另一个词" in refused.get_data(as_text=True)
    twice = client.post("/synonyms/add", data={"csrf": token, "word": "开会", "group": "new", "partner": "碰面"})
    assert twice.status_code == 400 and "已经在第 3 行的一组里" in twice.get_data(as_text=True)


def test_only_editors_change_synonyms(app, anonymous, content_dir, tmp_path):
    reader = log_in(app.test_client(), "reader")
    assert reader.get("/synonyms").status_code == 403
    assert anonymous.post("/synonyms", data={"text": "会议 开会\n"}).status_code == 302
    s = Site(settings(content_dir, tmp_path / "closed", allow_edit=False))
    s.users.add("editor", "editor-password", "editor")
    try:
        closed = log_in(create_app(s).test_client(), "editor")
        assert closed.get("/synonyms").status_code == 404
    finally:
        s.close()


def test_every_worker_of_a_real_server_uses_a_changed_list(content_dir, tmp_path):
    server = Server(content_dir, tmp_path / "index", tmp_path / "server.log", workers=2,
                    env={"KB_INSTANCE_DIR": str(tmp_path / "instance")})
    try:
        server.wait_ready()

        def total() -> int:
            return json.loads(server.get("/api/search?q=碰头会&exact=1")[1])["total"]

        assert {total() for _ in range(20)} == {0}  # 20 connections: both workers answered (and cached) 0
        path = content_dir / FILE
        new = path.with_name("new.txt")
        new.write_text(path.read_text(encoding="utf-8").replace("会议 开会", "会议 开会 碰头会"), encoding="utf-8")
        new.replace(path)
        assert min(total() for _ in range(20)) > 0
    finally:
        server.stop()


def test_the_editor_is_told_the_group_size_limit_and_a_larger_group_is_not_saved(client, content_dir):
    from kb.synonyms import MAX_GROUP

    before = (content_dir / FILE).read_text(encoding="utf-8")
    assert f"每组最多 {MAX_GROUP} 个词" in client.get("/synonyms").get_data(as_text=True)
    words = " ".join(f"开会{i}" for i in range(MAX_GROUP + 1))
    response = client.post("/synonyms", data={**form_of(client), "text": before + words + "\n", "message": "太大"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and f"超过了每组 {MAX_GROUP} 个词的上限" in body
    assert (content_dir / FILE).read_text(encoding="utf-8") == before
