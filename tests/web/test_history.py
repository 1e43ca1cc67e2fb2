"""Saves from the browser in the content's git history: who, when, the message; an old
version, a word-level diff, revert as a new commit; the site's recent changes and their feed."""
import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET

from tests.web.test_edit import form

ATOM = "{http://www.w3.org/2005/Atom}"


def git(folder, *args) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout


def edit(client, content_dir, old: str, new: str, message: str = ""):
    path = content_dir / "guides" / "ten-awareness.md"
    text = path.read_text(encoding="utf-8").replace(old, new, 1)
    response = client.post("/a/ten-awareness/edit", data=form(client, "/a/ten-awareness/edit", text=text, message=message))
    assert response.status_code == 303
    return response


def test_a_save_is_a_commit_by_the_editor_with_their_message(client, content_dir):
    edit(client, content_dir, "参谋意识", "参谋意识（修订）", "写明修订")
    log = git(content_dir, "log", "-1", "--format=%an|%s", "--name-only")
    assert log.startswith("editor|写明修订") and "guides/ten-awareness.md" in log
    page = client.get("/a/ten-awareness/history").get_data(as_text=True)
    assert "写明修订" in page and "editor" in page and "开始记录历史" in page


def test_a_save_without_a_message_gets_one(client, content_dir):
    edit(client, content_dir, "参谋意识", "参谋意识（又改）")
    assert git(content_dir, "log", "-1", "--format=%s").strip() == "修改 强化十种意识做好办公室工作"


def test_the_diff_marks_the_changed_words_not_the_paragraph(client, content_dir):
    edit(client, content_dir, "推动工作落实", "推动各项工作落实", "加一个词")
    revs = re.findall(r'name="old" value="([0-9a-f]{40})"', client.get("/a/ten-awareness/history").get_data(as_text=True))
    page = client.get(f"/a/ten-awareness/diff?old={revs[1]}&new={revs[0]}").get_data(as_text=True)
    diff = page.split('class="diff"', 1)[1]
    inserted = [re.sub(r"<[^>]+>", "", x).removeprefix("（添加：").removesuffix("）") for x in re.findall(r"<ins>(.*?)</ins>", diff)]
    # one word marked in a paragraph of some hundred characters; besides it, only the date the save
    # wrote into `updated` when the article's date was not today's (numbers of today's date)
    assert [w for w in inserted if not w.isdigit()] == ["各项"]
    assert all(w in dt.date.today().isoformat() for w in inserted if w.isdigit())
    deleted = [re.sub(r"<[^>]+>", "", x) for x in re.findall(r"<del>(.*?)</del>", diff)]
    assert all(any(ch.isdigit() for ch in w) for w in deleted)  # nothing of the text removed


def test_an_old_version_is_shown_and_reverting_to_it_is_a_new_commit(client, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    original_body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    edit(client, content_dir, "参谋意识", "错误的改动", "一次错误的修改")
    first = git(content_dir, "rev-list", "--max-parents=0", "HEAD").strip()
    old = client.get(f"/a/ten-awareness/history/{first}").get_data(as_text=True)
    assert "错误的改动" not in old and "恢复到这一版" in old
    digest = re.search(r'name="digest" value="([^"]+)"', old).group(1)
    response = client.post("/a/ten-awareness/revert", data={"csrf": re.search(r'name="csrf" value="([^"]+)"', old).group(1),
                                                             "rev": first, "digest": digest})
    assert response.status_code == 303
    assert "错误的改动" not in path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").split("\n---\n", 1)[1] == original_body
    messages = git(content_dir, "log", "--format=%s").splitlines()
    assert messages[0].startswith("恢复到") and messages[1] == "一次错误的修改" and len(messages) == 3
    assert "错误的改动" not in client.get("/a/ten-awareness").get_data(as_text=True)


def test_an_anonymous_reader_sees_history_but_cannot_revert(anonymous, client, content_dir):
    edit(client, content_dir, "参谋意识", "参谋意识！", "标点")
    page = anonymous.get("/a/ten-awareness/history").get_data(as_text=True)
    assert "标点" in page
    first = git(content_dir, "rev-list", "--max-parents=0", "HEAD").strip()
    assert "恢复到这一版" not in anonymous.get(f"/a/ten-awareness/history/{first}").get_data(as_text=True)


def test_recent_changes_page_and_feed_list_saves_site_wide(client, content_dir):
    edit(client, content_dir, "参谋意识", "参谋意识。", "最近的一次修改")
    page = client.get("/changes").get_data(as_text=True)
    assert page.index("最近的一次修改") < page.index("开始记录历史")
    assert "/a/ten-awareness" in page
    feed = ET.fromstring(client.get("/changes.atom").data)
    first = feed.find(f"{ATOM}entry")
    assert first.find(f"{ATOM}title").text == "最近的一次修改"
    assert first.find(f"{ATOM}author/{ATOM}name").text == "editor"
    assert "/a/ten-awareness/diff" in first.find(f"{ATOM}link").get("href")


def test_unknown_or_malformed_versions_are_not_found(client):
    assert client.get("/a/ten-awareness/history/0123456789abcdef").status_code == 404
    assert client.get("/a/ten-awareness/history/--output=x").status_code == 404
    assert client.get("/a/ten-awareness/diff?old=HEAD~1").status_code == 404


def test_a_new_article_from_the_browser_is_committed_too(client, content_dir):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/new").get_data(as_text=True)).group(1)
    client.post("/new", data={"csrf": token, "title": "值班安排", "slug": "duty-roster", "type": "guide", "category": "值班",
                              "summary": "值班。", "body": "## 一、安排\n\n每天两人。\n"})
    assert git(content_dir, "log", "-1", "--format=%an|%s").strip() == "editor|新建 值班安排"
    assert "guides/duty-roster.md" in git(content_dir, "ls-files")


def test_history_trouble_shows_in_healthz_and_to_editors_until_it_heals(client, anonymous, site, content_dir,
                                                                        monkeypatch):
    import os
    import time

    import kb.history

    monkeypatch.setattr(kb.history, "PENDING_GRACE", 0.0)
    lock = content_dir / ".git" / "index.lock"
    lock.write_bytes(b"")
    os.utime(lock, (time.time() - 60, time.time() - 60))
    entry = site.history._write_pending(["guides/ten-awareness.md"], "editor", "e@x", "没记上的修改")
    site.history._note_failure(entry, kb.history.HistoryError("index.lock: File exists"))
    health = anonymous.get("/healthz").get_json()
    assert health["status"] == "degraded" and "有 1 次保存没有记入修改历史" in health["history"]
    assert "修改历史出了问题" in client.get("/").get_data(as_text=True)
    assert "修改历史出了问题" not in anonymous.get("/").get_data(as_text=True)
    edit(client, content_dir, "十种意识", "十种意识", "再保存一次")  # a save heals: lock removed, journal committed
    assert not lock.exists()
    assert anonymous.get("/healthz").get_json()["history"] is None
    assert "修改历史出了问题" not in client.get("/").get_data(as_text=True)
