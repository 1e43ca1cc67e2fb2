"""A folder's default readers and required reading set in the browser (文件夹设置,
application.folder_defaults): saved into its ``_folder.yaml`` with the other lines kept, committed,
followed by the site at once; only by editors who may read the whole folder, with the form token.
And the 「新建」 form: its 阅读范围 and 须阅读 (from the field registry) with the folder's default
shown, an article restricted there invisible to outsiders."""
import subprocess

import pytest

from tests.conftest import write_article
from tests.web.conftest import log_in, token, wait_ready

PASSWORD = "long-enough-1"
TITLE, SECRET_TITLE = "丙寅报销须知", "丁卯金库盘点"


@pytest.fixture
def finance(site, content_dir):
    """finance/ with a comment and an owner in its folder file, and a restricted sub-folder."""
    write_article(content_dir, "finance/claims.md", "丙寅报销的步骤。", slug="claims", title=TITLE)
    (content_dir / "finance" / "_folder.yaml").write_text("# 财务处的文件\nowner: 财务处\n", encoding="utf-8")
    write_article(content_dir, "vault/count.md", "丁卯金库盘点的规定。", slug="vault-count", title=SECRET_TITLE,
                  readers="[金库组]")
    site.history.commit(["finance", "vault"], "admin", "a@x.cn", "财务的文件")
    for name, role, groups in (("cashier", "reader", ["财务处"]), ("fin-editor", "editor", ["财务处"]),
                               ("plain-editor", "editor", [])):
        site.users.add(name, PASSWORD, role)
        site.people.set_groups(name, groups)
    return site


def _save(client, folder, **form):
    url = f"/folders/edit?path={folder}"
    page = client.get(url).get_data(as_text=True)
    import re

    digest = re.search(r'name="digest" value="([^"]*)"', page).group(1)
    return client.post(url, data={"csrf": token(client, url), "digest": digest, **form})


def test_an_editor_restricts_a_folder_and_an_outsider_loses_its_articles_at_once(finance, app, content_dir):
    wait_ready(app.test_client())
    editor = log_in(app.test_client(), "fin-editor", PASSWORD)
    assert TITLE in app.test_client().get("/a/claims").get_data(as_text=True)
    response = _save(editor, "finance", readers="财务处", required_for="财务处", message="财务处的文件只给财务处")
    assert response.status_code == 303 and response.headers["Location"].endswith("/folders/edit?path=finance")
    text = (content_dir / "finance" / "_folder.yaml").read_text(encoding="utf-8")
    assert text == "# 财务处的文件\nowner: 财务处\nreaders: [财务处]\nrequired_for: [财务处]\n"
    log = subprocess.run(["git", "-C", str(content_dir), "log", "-1", "--format=%an|%s", "--name-only"],
                         capture_output=True, text=True, check=True).stdout
    assert log.startswith("fin-editor|财务处的文件只给财务处") and "finance/_folder.yaml" in log
    assert app.test_client().get("/a/claims").status_code == 404
    assert app.test_client().get("/api/search?q=丙寅报销").get_json()["total"] == 0
    assert log_in(app.test_client(), "plain-editor", PASSWORD).get("/a/claims").status_code == 404
    cashier = log_in(app.test_client(), "cashier", PASSWORD)
    assert TITLE in cashier.get("/a/claims").get_data(as_text=True)
    assert TITLE in cashier.get("/").get_data(as_text=True).split("需要我阅读的")[1]  # required of 财务处 now
    page = editor.get("/folders/edit?path=finance").get_data(as_text=True)
    assert "已保存文件夹 finance/ 的默认设置" in page and 'value="财务处"' in page and "财务处的文件只给财务处" in page


def test_emptying_a_field_removes_its_line_and_opens_the_folder_again(finance, app, content_dir):
    (content_dir / "finance" / "_folder.yaml").write_text("# 财务处的文件\nreaders: [财务处]\nowner: 财务处\n",
                                                          encoding="utf-8")
    editor = log_in(app.test_client(), "fin-editor", PASSWORD)
    assert _save(editor, "finance", readers="", required_for="").status_code == 303
    assert (content_dir / "finance" / "_folder.yaml").read_text(encoding="utf-8") == "# 财务处的文件\nowner: 财务处\n"
    assert TITLE in app.test_client().get("/a/claims").get_data(as_text=True)


def test_a_group_nobody_is_in_is_pointed_out_as_for_an_article(finance, app):
    editor = log_in(app.test_client(), "fin-editor", PASSWORD)
    response = _save(editor, "finance", readers="财务处, 财务部")
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "本站还没有组 “财务部”" in page and "这个文件夹里的文章" in page


def test_a_folder_with_articles_an_editor_may_not_read_is_not_theirs_to_change(finance, app, content_dir):
    """Opening 金库组's folder to everyone would publish what the editor may not read; the
    folder is answered as one that does not exist, and not listed."""
    plain = log_in(app.test_client(), "plain-editor", PASSWORD)
    listing = plain.get("/folders").get_data(as_text=True)
    assert "finance/" in listing and "vault/" not in listing and "全部文章（内容目录）" not in listing
    assert plain.get("/folders/edit?path=vault").status_code == 404
    assert plain.get("/folders/edit?path=nowhere").status_code == 404
    assert plain.post("/folders/edit?path=vault", data={"csrf": token(plain, "/folders"), "readers": "全体"}).status_code == 404
    assert plain.get("/folders/edit?path=").status_code == 404  # the content folder holds vault/ too
    assert not (content_dir / "vault" / "_folder.yaml").exists()
    admin = log_in(app.test_client(), "admin")
    assert "vault/" in admin.get("/folders").get_data(as_text=True)
    assert _save(admin, "vault", readers="全体").status_code == 303


def test_a_reader_cannot_and_a_post_needs_the_form_token(finance, app, content_dir):
    reader = log_in(app.test_client(), "cashier", PASSWORD)
    assert reader.get("/folders").status_code == 403
    assert reader.get("/folders/edit?path=finance").status_code == 403
    assert app.test_client().get("/folders").status_code == 302  # to the login page
    editor = log_in(app.test_client(), "fin-editor", PASSWORD)
    assert editor.post("/folders/edit?path=finance", data={"readers": "全体"}).status_code == 400
    assert "readers" not in (content_dir / "finance" / "_folder.yaml").read_text(encoding="utf-8")


def test_a_change_made_meanwhile_is_not_overwritten(finance, app, content_dir):
    editor = log_in(app.test_client(), "fin-editor", PASSWORD)
    url = "/folders/edit?path=finance"
    form = {"csrf": token(editor, url), "digest": "0" * 40, "readers": "财务处"}
    response = editor.post(url, data=form)
    assert response.status_code == 409 and "已被别人修改" in response.get_data(as_text=True)
    assert "readers" not in (content_dir / "finance" / "_folder.yaml").read_text(encoding="utf-8")


def test_an_editor_who_shuts_themselves_out_is_told_so(finance, app):
    editor = log_in(app.test_client(), "fin-editor", PASSWORD)
    response = _save(editor, "finance", readers="审计处")
    assert response.headers["Location"].endswith("/folders")
    page = editor.get("/folders").get_data(as_text=True)
    assert "您不在新的阅读范围里" in page and "finance/" not in page.split("</thead>")[1]


def _new(client, **form):
    fields = {"title": "戊辰保密规定", "slug": "wuchen-rules", "type": "rule", "category": "财务",
              "summary": "戊辰的摘要。", "body": "## 一、总则\n\n戊辰保险柜的密码不外传。\n", "action": "publish"}
    return client.post("/new", data={"csrf": token(client, "/new"), **fields, **form})


def test_an_article_restricted_in_the_new_form_is_invisible_to_outsiders(finance, app, content_dir):
    wait_ready(app.test_client())
    editor = log_in(app.test_client(), "fin-editor", PASSWORD)
    page = editor.get("/new").get_data(as_text=True)
    assert 'id="field:readers"' in page and 'id="field:required_for"' in page and 'data-list="kb-groups"' in page
    assert '<option value="财务处">' in page  # the site's groups offered
    response = _new(editor, readers="财务处", required_for="财务处")
    assert response.status_code == 303 and response.headers["Location"].endswith("/a/wuchen-rules")
    text = (content_dir / "guides" / "wuchen-rules.md").read_text(encoding="utf-8")
    assert "readers: [财务处]" in text and "required_for: [财务处]" in text
    for outsider in (app.test_client(), log_in(app.test_client(), "plain-editor", PASSWORD)):
        assert outsider.get("/a/wuchen-rules").status_code == 404
        assert outsider.get("/api/search?q=戊辰保险柜").get_json()["total"] == 0
        assert "戊辰保密规定" not in outsider.get("/changes").get_data(as_text=True)
    cashier = log_in(app.test_client(), "cashier", PASSWORD)
    assert "戊辰保险柜" in cashier.get("/a/wuchen-rules").get_data(as_text=True)
    assert cashier.get("/api/search?q=戊辰保险柜").get_json()["total"] == 1


def test_the_new_form_shows_what_the_folder_gives_and_an_article_left_empty_takes_it(finance, app, content_dir):
    (content_dir / "finance" / "_folder.yaml").write_text("readers: [财务处]\n", encoding="utf-8")
    editor = log_in(app.test_client(), "fin-editor", PASSWORD)
    page = editor.get("/new?folder=finance").get_data(as_text=True)
    assert '<option value="finance" selected>' in page
    assert 'placeholder="财务处"' in page and "不填时是：财务处（文件夹 finance/ 的默认）" in page
    assert "不填时是" not in editor.get("/new").get_data(as_text=True).split('data-field="readers"')[1][:900]
    response = _new(editor, folder="finance")
    assert response.status_code == 303
    text = (content_dir / "finance" / "wuchen-rules.md").read_text(encoding="utf-8")
    assert "readers" not in text  # the folder's, not written into the file
    assert app.test_client().get("/a/wuchen-rules").status_code == 404
    assert "戊辰保险柜" in log_in(app.test_client(), "cashier", PASSWORD).get("/a/wuchen-rules").get_data(as_text=True)


def test_a_new_article_goes_only_into_a_folder_the_form_offers(finance, app, content_dir):
    (content_dir / "vault" / "_folder.yaml").write_text("required_for: [金库组]\n", encoding="utf-8")
    editor = log_in(app.test_client(), "plain-editor", PASSWORD)
    assert '<option value="vault"' not in editor.get("/new").get_data(as_text=True)
    response = _new(editor, folder="vault")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "没有文件夹 “vault”" in page and "金库组" not in page
    assert not (content_dir / "vault" / "wuchen-rules.md").exists()
