"""Drafts and approval over HTTP: a draft is invisible to readers (page, search, API) while the
published text stays; with require_approval only an approver publishes, after the word diff, or
sends it back with a comment; both steps are commits by their authors; nothing typed is lost."""
import re
import subprocess

import pytest

from application import Site
from tests.web.conftest import PASSWORDS, log_in, settings, wait_ready
from web.app import create_app

APPROVER = ("approver", "approver-password")
SLUG, REL = "ten-awareness", "guides/ten-awareness.md"


@pytest.fixture
def approval_app(content_dir, tmp_path):
    site = Site(settings(content_dir, tmp_path, require_approval=True))
    site.prepare()
    for name, password in [*PASSWORDS.items(), APPROVER]:
        site.users.add(name, password, name)
    app = create_app(site)
    app.config["TESTING"] = True
    site.start_keeper()
    wait_ready(app.test_client())
    yield app
    site.close()


def _approver(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"csrf": token, "name": APPROVER[0], "password": APPROVER[1]}).status_code == 303
    return client


def _hidden(client, url) -> dict:
    page = client.get(url).get_data(as_text=True)
    return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page))


def _source(client, slug=SLUG) -> str:
    page = client.get(f"/a/{slug}/edit?mode=source").get_data(as_text=True)
    import html

    return html.unescape(re.search(r'<textarea id="text" name="text"[^>]*>(.*?)</textarea>', page, re.S).group(1))


def _edit(client, addition: str, action="publish", slug=SLUG, message=""):
    text = _source(client, slug) + f"\n{addition}\n"
    data = {**_hidden(client, f"/a/{slug}/edit"), "text": text, "action": action, "message": message}
    return client.post(f"/a/{slug}/edit", data=data)


def _git_log(content_dir, path="."):
    run = subprocess.run(["git", "-C", str(content_dir), "log", "--format=%an|%s", "--", path],
                         capture_output=True, text=True, check=True)
    return [line.split("|", 1) for line in run.stdout.splitlines()]


def test_an_editors_change_is_a_draft_the_reader_never_sees(approval_app, content_dir):
    editor, reader = log_in(approval_app.test_client(), "editor"), approval_app.test_client()
    published = (content_dir / REL).read_text(encoding="utf-8")
    response = _edit(editor, "草稿里新写的审批要求 qzdraftword。", message="补充审批要求")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/a/{SLUG}/draft")
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "本站的文章要经审核人发布" in page and "已保存为草稿" in page
    assert (content_dir / REL).read_text(encoding="utf-8") == published
    assert "草稿里新写的审批要求" in (content_dir / "_drafts" / REL).read_text(encoding="utf-8")
    assert "草稿里新写的审批要求" not in reader.get(f"/a/{SLUG}").get_data(as_text=True)
    assert "草稿里新写的审批要求" not in reader.get(f"/a/{SLUG}.md").get_data(as_text=True)
    assert reader.get("/api/search?q=qzdraftword").get_json()["total"] == 0
    assert reader.get(f"/api/articles/{SLUG}").get_json().get("summary")  # the published article, as it was
    assert reader.get(f"/a/{SLUG}/draft").status_code == 302  # drafts are for editors: to the login page
    assert _git_log(content_dir)[0] == ["editor", "补充审批要求"]


def test_an_approver_sees_the_words_changed_and_publishes(approval_app, content_dir):
    editor, approver, reader = log_in(approval_app.test_client(), "editor"), _approver(approval_app), approval_app.test_client()
    _edit(editor, "草稿里新写的审批要求 qzdraftword。")
    listing = approver.get("/drafts").get_data(as_text=True)
    assert "强化十种意识做好办公室工作" in listing and "待发布" in listing
    page = approver.get(f"/a/{SLUG}/draft").get_data(as_text=True)
    inserted = " ".join(re.findall(r"<ins>(.*?)</ins>", page, re.S))
    assert "草稿里新写的审批要求 qzdraftword" in re.sub(r"<[^>]+>|（添加：|）", "", inserted)
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    response = approver.post(f"/a/{SLUG}/draft/publish", data={**_hidden(approver, f"/a/{SLUG}/draft"),
                                                             "digest": digest, "message": "同意发布"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/a/{SLUG}")
    assert "草稿里新写的审批要求 qzdraftword" in reader.get(f"/a/{SLUG}").get_data(as_text=True)
    assert reader.get("/api/search?q=qzdraftword").get_json()["results"][0]["slug"] == SLUG
    assert not (content_dir / "_drafts").exists()
    assert _git_log(content_dir)[:2] == [["approver", "同意发布"], ["editor", f"草稿：强化十种意识做好办公室工作"]]
    assert approver.get("/drafts").get_data(as_text=True).count("现在没有草稿") == 1


def test_an_editor_can_neither_publish_nor_send_back(approval_app, content_dir):
    editor = log_in(approval_app.test_client(), "editor")
    _edit(editor, "编辑想自己发布的一句。")
    page = editor.get(f"/a/{SLUG}/draft").get_data(as_text=True)
    assert "退回修改" not in page and ">发布</button>" not in page
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    token = _hidden(editor, f"/a/{SLUG}/draft")["csrf"]
    editor.post(f"/a/{SLUG}/draft/publish", data={"csrf": token, "digest": digest})
    assert "编辑想自己发布的一句" not in (content_dir / REL).read_text(encoding="utf-8")
    assert editor.post(f"/a/{SLUG}/draft/return", data={"csrf": token, "digest": digest, "comment": "x"}).status_code == 403


def test_sent_back_with_a_comment_the_text_stays_for_its_author(approval_app, content_dir):
    editor, approver = log_in(approval_app.test_client(), "editor"), _approver(approval_app)
    _edit(editor, "写得不够清楚的一句。")
    page = approver.get(f"/a/{SLUG}/draft").get_data(as_text=True)
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    token = _hidden(approver, f"/a/{SLUG}/draft")["csrf"]
    assert approver.post(f"/a/{SLUG}/draft/return", data={"csrf": token, "digest": digest, "comment": ""}).status_code == 303
    assert "已退回" not in approver.get("/drafts").get_data(as_text=True)  # a return needs its reason
    approver.post(f"/a/{SLUG}/draft/return", data={"csrf": token, "digest": digest, "comment": "请写明办理时限"})
    assert _git_log(content_dir)[0] == ["approver", "退回草稿 强化十种意识做好办公室工作：请写明办理时限"]
    edit_page = editor.get(f"/a/{SLUG}/edit").get_data(as_text=True)
    assert "请写明办理时限" in edit_page and "写得不够清楚的一句。" in edit_page  # the draft, not the published text
    assert "已退回" in editor.get("/drafts").get_data(as_text=True)
    _edit(editor, "办理时限为三个工作日。")
    text = (content_dir / "_drafts" / REL).read_text(encoding="utf-8")
    assert "写得不够清楚的一句。" in text and "办理时限为三个工作日。" in text
    assert "state: waiting" in (content_dir / "_drafts" / (REL + ".yaml")).read_text(encoding="utf-8")


def test_a_new_article_by_an_editor_waits_for_an_approver(approval_app, content_dir):
    editor, approver, reader = log_in(approval_app.test_client(), "editor"), _approver(approval_app), approval_app.test_client()
    data = {**_hidden(editor, "/new"), "title": "公章使用登记办法", "slug": "seal-register", "type": "rule",
            "category": "行政", "summary": "用印登记。", "body": "## 第一章 总则\n\n**第一条** 用印须登记 qzsealword。\n",
            "action": "publish"}
    assert editor.post("/new", data=data).status_code == 303
    assert "status: draft" in (content_dir / "guides" / "seal-register.md").read_text(encoding="utf-8")
    assert reader.get("/a/seal-register").status_code == 404
    assert reader.get("/api/search?q=qzsealword").get_json()["total"] == 0
    page = approver.get("/a/seal-register/draft").get_data(as_text=True)
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    approver.post("/a/seal-register/draft/publish", data={"csrf": _hidden(approver, "/a/seal-register/draft")["csrf"],
                                                          "digest": digest})
    assert "status: current" in (content_dir / "guides" / "seal-register.md").read_text(encoding="utf-8")
    assert reader.get("/a/seal-register").status_code == 200


def test_a_draft_is_not_published_over_a_change_made_since_it_began(approval_app, content_dir):
    editor, approver = log_in(approval_app.test_client(), "editor"), _approver(approval_app)
    _edit(editor, "编辑的草稿。")
    page = approver.get(f"/a/{SLUG}/draft").get_data(as_text=True)
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    # meanwhile the approver edits and publishes the article directly (the editor's draft is what opens,
    # so write the published file as another change would)
    path = content_dir / REL
    path.write_text(path.read_text(encoding="utf-8") + "\n审核人直接发布的一句。\n", encoding="utf-8")
    approval_app.extensions["kb"].store.invalidate()  # by hand: a look at the folder
    response = approver.post(f"/a/{SLUG}/draft/publish", data={"csrf": _hidden(approver, f"/a/{SLUG}/draft")["csrf"],
                                                             "digest": digest})
    assert response.status_code == 303 and response.headers["Location"].endswith("/draft")
    assert "又被修改过" in approver.get(response.headers["Location"]).get_data(as_text=True)
    assert "审核人直接发布的一句。" in path.read_text(encoding="utf-8") and "编辑的草稿。" not in path.read_text(encoding="utf-8")
    assert (content_dir / "_drafts" / REL).exists()


def test_a_revert_by_an_editor_under_approval_is_a_draft(approval_app, content_dir):
    editor = log_in(approval_app.test_client(), "editor")
    approver = _approver(approval_app)
    _edit(approver, "审核人加的一句。")  # an approver's save publishes
    assert "审核人加的一句。" in (content_dir / REL).read_text(encoding="utf-8")
    first = _git_log(content_dir)  # newest first
    rev = subprocess.run(["git", "-C", str(content_dir), "rev-list", "--max-parents=0", "HEAD"], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert len(first) == 2
    data = {**_hidden(editor, f"/a/{SLUG}/history/{rev}"), "rev": rev}
    response = editor.post(f"/a/{SLUG}/revert", data=data)
    assert response.headers["Location"].endswith(f"/a/{SLUG}/draft")
    assert "审核人加的一句。" in (content_dir / REL).read_text(encoding="utf-8")
    assert "审核人加的一句。" not in (content_dir / "_drafts" / REL).read_text(encoding="utf-8")


def test_without_approval_an_editor_keeps_a_draft_then_publishes_it(client, anonymous, content_dir):
    response = _edit(client, "先存草稿的一句话。", action="draft")
    assert response.headers["Location"].endswith(f"/a/{SLUG}/draft")
    assert "先存草稿的一句话。" not in anonymous.get(f"/a/{SLUG}").get_data(as_text=True)
    article_page = client.get(f"/a/{SLUG}").get_data(as_text=True)
    assert "尚未发布的修改草稿" in article_page
    page = client.get(f"/a/{SLUG}/draft").get_data(as_text=True)
    assert "退回修改" not in page  # sending back is an approver's
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    client.post(f"/a/{SLUG}/draft/publish", data={"csrf": _hidden(client, f"/a/{SLUG}/draft")["csrf"], "digest": digest})
    assert "先存草稿的一句话。" in anonymous.get(f"/a/{SLUG}").get_data(as_text=True)


def test_a_discarded_draft_stays_in_the_history(client, content_dir):
    _edit(client, "不要了的一句。", action="draft")
    page = client.get(f"/a/{SLUG}/draft").get_data(as_text=True)
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    client.post(f"/a/{SLUG}/draft/discard", data={"csrf": _hidden(client, f"/a/{SLUG}/draft")["csrf"], "digest": digest})
    assert not (content_dir / "_drafts").exists()
    assert [m for _, m in _git_log(content_dir, "_drafts")][:2] == ["丢弃草稿 强化十种意识做好办公室工作",
                                                                    "草稿：强化十种意识做好办公室工作"]


def test_a_new_rule_on_trial_stays_on_trial_when_an_approver_publishes_it(approval_app, content_dir):
    editor, approver = log_in(approval_app.test_client(), "editor"), _approver(approval_app)
    data = {**_hidden(editor, "/new"), "title": "公务用车管理办法", "slug": "car-trial", "type": "rule", "status": "trial",
            "category": "行政", "summary": "用车。", "body": "## 第一章 总则\n\n**第一条** 用车须申请。\n", "action": "publish"}
    assert editor.post("/new", data=data).status_code == 303
    assert "status: draft" in (content_dir / "guides" / "car-trial.md").read_text(encoding="utf-8")
    page = approver.get("/a/car-trial/draft").get_data(as_text=True)
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    approver.post("/a/car-trial/draft/publish", data={"csrf": _hidden(approver, "/a/car-trial/draft")["csrf"],
                                                      "digest": digest})
    assert "status: trial" in (content_dir / "guides" / "car-trial.md").read_text(encoding="utf-8")


def test_under_approval_an_editor_neither_deletes_nor_confirms_a_published_rule(approval_app, content_dir):
    editor, approver = log_in(approval_app.test_client(), "editor"), _approver(approval_app)
    assert ">删除</a>" not in editor.get(f"/a/{SLUG}").get_data(as_text=True)
    assert ">删除</a>" in approver.get(f"/a/{SLUG}").get_data(as_text=True)
    token = _hidden(editor, f"/a/{SLUG}/edit")["csrf"]
    before = (content_dir / REL).read_text(encoding="utf-8")
    for action in ("delete", "review/confirm", "review/revise"):
        response = editor.post(f"/a/{SLUG}/{action}", data={"csrf": token, "digest": "x", "reason": "过时"})
        assert response.status_code == 403 and "审核人" in response.get_data(as_text=True), action
    assert (content_dir / REL).read_text(encoding="utf-8") == before
    assert approver.get(f"/a/{SLUG}/delete").status_code == 200


def test_drafts_and_their_comments_never_reach_the_public_list_of_changes(approval_app, content_dir):
    editor, approver, reader = log_in(approval_app.test_client(), "editor"), _approver(approval_app), approval_app.test_client()
    _edit(editor, "拟调整的保密要求。", message="拟调整保密要求")
    page = approver.get(f"/a/{SLUG}/draft").get_data(as_text=True)
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    approver.post(f"/a/{SLUG}/draft/return", data={"csrf": _hidden(approver, f"/a/{SLUG}/draft")["csrf"],
                                                   "digest": digest, "comment": "领导不同意此条"})
    data = {**_hidden(editor, "/new"), "title": "公务用车试行办法", "slug": "car-trial", "type": "rule",
            "category": "行政", "summary": "用车。", "body": "## 第一条\n\n用车须申请。\n", "action": "publish"}
    assert editor.post("/new", data=data).status_code == 303
    for url in ("/changes", "/changes.atom", f"/a/{SLUG}/history"):
        text = reader.get(url).get_data(as_text=True)
        for secret in ("拟调整保密要求", "领导不同意此条", "_drafts/", "公务用车试行办法", "car-trial"):
            assert secret not in text, (url, secret)
    assert "拟调整保密要求" in editor.get("/changes").get_data(as_text=True)  # editors see their drafts' history
