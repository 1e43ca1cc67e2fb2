"""Attachments over HTTP: uploaded with a save and committed with it, listed on the article,
downloaded with safe headers, found by the words inside them (the hit names and links the
file), refused when they are not what they claim, and hidden with the article they belong to."""
import re
import subprocess
from urllib.parse import quote

import pytest

from tests.attachment_files import MAKERS
from tests.web.test_drafts import SLUG, REL, _hidden, _source, approval_app, _approver  # noqa: F401
from tests.web.conftest import log_in


def _upload(client, files, slug=SLUG, remove=(), action="publish"):
    data = {**_hidden(client, f"/a/{slug}/edit"), "text": _source(client, slug), "action": action,
            "files": [(__import__("io").BytesIO(data), name) for name, data in files], "remove": list(remove)}
    return client.post(f"/a/{slug}/edit", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("kind", list(MAKERS))
def test_an_attachment_is_found_by_a_word_inside_it_and_the_hit_names_it(client, anonymous, kind):
    name = f"用印申请表.{kind}"
    response = _upload(client, [(name, MAKERS[kind](f"盖章前须填写 qzword{kind} 并经科长签字"))])
    assert response.status_code == 303, response.get_data(as_text=True)
    data = anonymous.get(f"/api/search?q=qzword{kind}").get_json()
    hit = data["results"][0]
    assert data["total"] == 1 and hit["slug"] == SLUG and hit["section"] == f"附件：{name}"
    assert hit["attachment"] == {"name": name, "url": f"/a/{SLUG}/files/{quote(name)}"}
    page = anonymous.get(f"/search?q=qzword{kind}").get_data(as_text=True)
    assert f'附件：<a href="/a/{SLUG}/files/{quote(name)}" download>{name}</a>' in page


def test_an_attachment_is_listed_committed_and_downloaded_safely(client, anonymous, content_dir):
    pdf = MAKERS["pdf"]("差旅费报销单填写说明")
    _upload(client, [("差旅费 报销单.pdf", pdf)])
    name = "差旅费_报销单.pdf"
    assert (content_dir / "guides" / "ten-awareness.files" / name).read_bytes() == pdf
    page = anonymous.get(f"/a/{SLUG}").get_data(as_text=True)
    assert f'<li id="附件-{name}"><a href="/a/{SLUG}/files/{quote(name)}" download>{name}</a>' in page
    files = subprocess.run(["git", "-C", str(content_dir), "-c", "core.quotepath=off", "show", "--name-only", "--format=", "HEAD"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert set(files) == {REL, f"guides/ten-awareness.files/{name}"}  # one commit: the save and its file
    response = anonymous.get(f"/a/{SLUG}/files/{quote(name)}")
    assert response.status_code == 200 and response.data == pdf
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(name)}" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert anonymous.get(f"/a/{SLUG}/files/..%2F..%2Fsecret_key").status_code == 404
    assert anonymous.get(f"/a/{SLUG}/files/ten-awareness.md").status_code == 404


def test_a_file_that_is_not_what_it_claims_is_refused_and_the_text_kept(client, content_dir):
    before = (content_dir / REL).read_text(encoding="utf-8")
    response = _upload(client, [("通知.pdf", b"<html><script>alert(1)</script></html>")])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "没有保存" in page and "附件 通知.pdf 不是 PDF" in page
    assert (content_dir / REL).read_text(encoding="utf-8") == before
    assert not (content_dir / "guides" / "ten-awareness.files").exists()


def test_a_file_over_the_limit_is_refused(client, content_dir):
    site = client.application.extensions["kb"]
    import dataclasses

    site.config = dataclasses.replace(site.config, max_attachment_bytes=2000)
    response = _upload(client, [("大文件.pdf", MAKERS["pdf"]("很长" * 2000))])
    assert "max_attachment_bytes" in response.get_data(as_text=True)
    assert not (content_dir / "guides" / "ten-awareness.files").exists()


def test_a_removed_attachment_leaves_search_and_stays_in_the_history(client, anonymous, content_dir):
    _upload(client, [("保密承诺书.docx", MAKERS["docx"]("qzsecretword 承诺"))])
    assert anonymous.get("/api/search?q=qzsecretword").get_json()["total"] == 1
    _upload(client, [], remove=["保密承诺书.docx"])
    assert not (content_dir / "guides" / "ten-awareness.files").exists()
    assert anonymous.get("/api/search?q=qzsecretword").get_json()["total"] == 0
    assert anonymous.get(f"/a/{SLUG}/files/{quote('保密承诺书.docx')}").status_code == 404
    log = subprocess.run(["git", "-C", str(content_dir), "log", "--format=%s", "--", "guides/ten-awareness.files"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(log) == 2  # added, then removed: both in the history


def test_the_attachment_of_an_article_a_reader_may_not_see_is_not_found(client, anonymous, content_dir):
    path = content_dir / REL
    path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\nstatus: draft\n", 1), encoding="utf-8")
    client.application.extensions["kb"].store.invalidate()  # an edit by hand: a look at the folder
    _upload(client, [("内部表.xlsx", MAKERS["xlsx"]("qzhiddenword"))], action="draft")  # 「发布」 would put it in force
    assert anonymous.get(f"/a/{SLUG}/files/{quote('内部表.xlsx')}").status_code == 404
    assert anonymous.get("/api/search?q=qzhiddenword").get_json()["total"] == 0
    assert client.get(f"/a/{SLUG}/files/{quote('内部表.xlsx')}").status_code == 200


def test_under_approval_an_editors_attachment_waits_with_the_draft(approval_app, content_dir):
    editor, approver, reader = log_in(approval_app.test_client(), "editor"), _approver(approval_app), approval_app.test_client()
    _upload(editor, [("新表.xlsx", MAKERS["xlsx"]("qzstagedword"))])
    assert not (content_dir / "guides" / "ten-awareness.files").exists()
    assert reader.get("/api/search?q=qzstagedword").get_json()["total"] == 0
    page = approver.get(f"/a/{SLUG}/draft").get_data(as_text=True)
    assert "新加或替换" in page and "新表.xlsx" in page
    assert approver.get(f"/a/{SLUG}/draft/files/{quote('新表.xlsx')}").status_code == 200
    assert reader.get(f"/a/{SLUG}/draft/files/{quote('新表.xlsx')}").status_code == 302  # to the login page
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    approver.post(f"/a/{SLUG}/draft/publish", data={"csrf": _hidden(approver, f"/a/{SLUG}/draft")["csrf"],
                                                  "digest": digest})
    assert (content_dir / "guides" / "ten-awareness.files" / "新表.xlsx").is_file()
    assert reader.get("/api/search?q=qzstagedword").get_json()["results"][0]["attachment"]["name"] == "新表.xlsx"
    assert not (content_dir / "_drafts").exists()


def test_a_deleted_article_takes_its_attachments_with_it_into_the_history(client, content_dir):
    _upload(client, [("登记表.xlsx", MAKERS["xlsx"]("登记"))])
    site = client.application.extensions["kb"]
    article = site.catalog().get(SLUG)
    from kb.history import Author

    assert site.delete(article, article.digest, Author.named("editor"), "不再使用").done
    assert not (content_dir / "guides" / "ten-awareness.files").exists()
    shown = subprocess.run(["git", "-C", str(content_dir), "-c", "core.quotepath=off", "show", "--name-only",
                            "--format=", "HEAD"], capture_output=True, text=True, check=True).stdout.split()
    assert "guides/ten-awareness.files/登记表.xlsx" in shown and REL in shown


def test_a_published_drafts_attachment_leaves_the_drafts_area_in_git_too(approval_app, content_dir):
    editor, approver = log_in(approval_app.test_client(), "editor"), _approver(approval_app)
    _upload(editor, [("新表.xlsx", MAKERS["xlsx"]("表"))])
    page = approver.get(f"/a/{SLUG}/draft").get_data(as_text=True)
    digest = re.search(r'name="digest" value="([^"]+)"', page).group(1)
    approver.post(f"/a/{SLUG}/draft/publish", data={"csrf": _hidden(approver, f"/a/{SLUG}/draft")["csrf"],
                                                  "digest": digest})
    tracked = subprocess.run(["git", "-C", str(content_dir), "-c", "core.quotepath=off", "ls-files"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert "guides/ten-awareness.files/新表.xlsx" in tracked
    assert not [t for t in tracked if t.startswith("_drafts/")]
    status = subprocess.run(["git", "-C", str(content_dir), "status", "--porcelain", "--", "_drafts", "guides"],
                            capture_output=True, text=True, check=True).stdout
    assert status == ""  # everything the publication changed is in its commit
