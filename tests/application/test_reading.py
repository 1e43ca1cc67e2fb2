"""Read and confirm (阅读确认): required reading on the home page, 「已阅读并理解」 recorded with the
article's version (its commit), a material change asks again, the managers' report per article
and per group with CSV, and reminders by e-mail through a real SMTP server."""
import csv
import io

import pytest

from kb.history import Author
from tests.conftest import write_article
from tests.web.conftest import log_in, settings, token, wait_ready

PASSWORD = "long-enough-1"
TITLE = "新员工保密须知"


@pytest.fixture
def required(site, content_dir):
    write_article(content_dir, "guides/newcomer-secrets.md", "## 一、要点\n\n不带文件回家。\n", slug="newcomer-secrets",
                  title=TITLE, required_for="[新员工]")
    site.history.commit(["guides/newcomer-secrets.md"], "admin", "a@x.cn", f"新建 {TITLE}")
    for name, groups, email in (("小新", ["新员工"], "xin@example.cn"), ("小旧", ["新员工"], ""), ("老王", ["办公室"], "")):
        site.users.add(name, PASSWORD, "reader")
        site.people.set_groups(name, groups)
        if email:
            site.people.set_email(name, email)
    return site


def confirm(client, slug="newcomer-secrets"):
    page = client.get(f"/a/{slug}").get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    return client.post(f"/a/{slug}/confirm", data={"csrf": token(client, f"/a/{slug}"), "version": version}), version


def test_a_newcomer_reads_confirms_and_the_manager_sees_the_version(required, app):
    wait_ready(app.test_client())
    newcomer = log_in(app.test_client(), "小新", PASSWORD)
    home = newcomer.get("/").get_data(as_text=True)
    assert "需要我阅读的（1）" in home and TITLE in home
    assert TITLE not in log_in(app.test_client(), "老王", PASSWORD).get("/").get_data(as_text=True)
    response, version = confirm(newcomer)
    assert response.status_code == 303
    assert version == required.history.log("guides/newcomer-secrets.md", limit=1)[0].rev
    page = newcomer.get("/a/newcomer-secrets").get_data(as_text=True)
    assert "确认读过这篇文章（版本" in page and version[:8] in page and "已阅读并理解</button>" not in page
    assert "需要我阅读的" not in newcomer.get("/").get_data(as_text=True)
    manager = log_in(app.test_client(), "editor")
    report = manager.get("/confirmations?slug=newcomer-secrets").get_data(as_text=True)
    row = next(r for r in report.split("<tr") if ">小新</th>" in r)
    assert "已确认" in row and version[:8] in row
    assert "未确认" in next(r for r in report.split("<tr") if ">小旧</th>" in r)
    assert ">老王</th>" not in report  # not required of 办公室
    summary = manager.get("/confirmations").get_data(as_text=True)
    assert TITLE in summary and "<td>1</td><td>0</td><td>1</td>" in summary
    rows = list(csv.reader(io.StringIO(manager.get("/confirmations.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["文章", "地址", "人", "所在的组", "状态"]
    assert [TITLE, "/a/newcomer-secrets", "小新", "新员工", "已确认", version] == rows[1][:6] or \
        [TITLE, "/a/newcomer-secrets", "小新", "新员工", "已确认", version] == rows[2][:6]


def test_a_material_change_puts_it_back_and_a_small_one_does_not(required, app):
    wait_ready(app.test_client())
    newcomer = log_in(app.test_client(), "小新", PASSWORD)
    confirm(newcomer)
    article = required.catalog().get("newcomer-secrets")
    text = article.path.read_text(encoding="utf-8")
    saved = required.save(article.rel_path, text.replace("不带文件回家", "不带文件回家。"), article.digest,
                          Author.named("editor"), "改标点")
    assert saved.done and "需要我阅读的" not in newcomer.get("/").get_data(as_text=True)
    editor = log_in(app.test_client(), "editor")
    article = required.catalog().get("newcomer-secrets")
    response = editor.post("/a/newcomer-secrets/edit", data={
        "csrf": token(editor, "/a/newcomer-secrets/edit"), "digest": article.digest, "message": "增加一条",
        "text": article.path.read_text(encoding="utf-8") + "\n不在公共场所谈论工作。\n", "reconfirm": "1"})
    assert response.status_code == 303
    home = newcomer.get("/").get_data(as_text=True)
    assert "需要我阅读的（1）" in home and "需重新确认" in home
    assert "您确认过旧的版本" in newcomer.get("/a/newcomer-secrets").get_data(as_text=True)
    report = editor.get("/confirmations?group=新员工").get_data(as_text=True)
    assert "需重新确认" in next(r for r in report.split("<tr") if ">小新</th>" in r)
    response, version = confirm(newcomer)
    assert version == required.history.log("guides/newcomer-secrets.md", limit=1)[0].rev
    assert "需要我阅读的" not in newcomer.get("/").get_data(as_text=True)


def test_a_version_read_before_a_change_is_not_confirmed(required, app):
    wait_ready(app.test_client())
    newcomer = log_in(app.test_client(), "小新", PASSWORD)
    page = newcomer.get("/a/newcomer-secrets").get_data(as_text=True)
    old = page.split('name="version" value="')[1].split('"')[0]
    article = required.catalog().get("newcomer-secrets")
    required.save(article.rel_path, article.path.read_text(encoding="utf-8") + "\n补充。\n", article.digest,
                  Author.named("editor"), "补充")
    response = newcomer.post("/a/newcomer-secrets/confirm", data={"csrf": token(newcomer, "/"), "version": old},
                             follow_redirects=True)
    assert "请读一遍新版本再确认" in response.get_data(as_text=True)
    assert required.reading.store.latest() == {}


def test_only_accounts_confirm(required, app):
    anonymous = app.test_client()
    response = anonymous.post("/a/newcomer-secrets/confirm", data={"csrf": token(anonymous), "version": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "已阅读并理解" not in anonymous.get("/a/newcomer-secrets").get_data(as_text=True)


def test_everyone_must_read_what_is_required_of_all_they_may_read(site, content_dir):
    from application import Reader

    write_article(content_dir, "guides/all.md", "正文。", slug="for-all", required_for="[全体]")
    write_article(content_dir, "finance/fin.md", "正文。", slug="for-finance", required_for="[全体]", readers="[财务处]")
    site.users.add("会计", PASSWORD, "reader")
    site.people.set_groups("会计", ["财务处"])
    slugs = lambda name: sorted(d.article.slug for d in site.reading.to_read(site.reader_for(site.users.get(name))))  # noqa: E731
    assert slugs("会计") == ["for-all", "for-finance"]
    assert slugs("reader") == ["for-all"]
    assert site.reading.to_read(Reader()) == []
    report = site.reading.report(Reader("m", "admin"), slug="for-finance")
    assert [d.account for d in report] == ["admin", "会计"]  # admins may read everything


def test_reminders_reach_everyone_left_with_an_address(required, app, mail_server, content_dir, tmp_path):
    from application import Site
    from web.app import create_app

    mailing = Site(settings(content_dir, tmp_path, **mail_server.settings))
    try:
        manager = log_in(create_app(mailing).test_client(), "editor")
        page = manager.post("/confirmations/remind", data={"csrf": token(manager, "/confirmations")},
                            follow_redirects=True).get_data(as_text=True)
        assert "已给 1 人发了提醒邮件" in page and "没有邮件地址、没有发出：小旧" in page
        (message,) = mail_server.messages()
        assert message["To"] == "xin@example.cn" and "请阅读并确认 1 篇文章" in message["Subject"]
        assert TITLE in message.get_content() and "/a/newcomer-secrets" in message.get_content()
    finally:
        mailing.close()
    no_mail = log_in(app.test_client(), "editor")
    page = no_mail.get("/confirmations").get_data(as_text=True)
    assert "设置了邮件服务器" in page


def _revert_form(client, slug: str, rev: str) -> dict:
    page = client.get(f"/a/{slug}/history/{rev}").get_data(as_text=True)
    assert 'name="reconfirm" value="1"' in page and "请须阅读的人重新确认（本文须阅读：新员工）" in page
    digest = page.split('name="digest" value="')[1].split('"')[0]
    return {"csrf": token(client, f"/a/{slug}/history/{rev}"), "rev": rev, "digest": digest}


def test_a_revert_can_ask_everyone_to_confirm_again(required, app):
    """Going back to an older text is as material as writing a new one: 「恢复到这一版」 has
    the editor's 「要求重新确认」 choice, and without it a revert asks nobody."""
    wait_ready(app.test_client())
    newcomer = log_in(app.test_client(), "小新", PASSWORD)
    first = required.history.log("guides/newcomer-secrets.md", limit=1)[0].rev
    article = required.catalog().get("newcomer-secrets")
    assert required.save(article.rel_path, article.path.read_text(encoding="utf-8") + "\n不在公共场所谈论工作。\n",
                         article.digest, Author.named("editor"), "增加一条").done
    confirm(newcomer)  # of the newer version
    assert "需要我阅读的" not in newcomer.get("/").get_data(as_text=True)
    editor = log_in(app.test_client(), "editor")
    response = editor.post("/a/newcomer-secrets/revert", data=_revert_form(editor, "newcomer-secrets", first))
    assert response.status_code == 303
    assert "需要我阅读的" not in newcomer.get("/").get_data(as_text=True)  # a revert without the choice
    second = required.history.log("guides/newcomer-secrets.md", limit=1)[0].rev
    article = required.catalog().get("newcomer-secrets")
    assert required.save(article.rel_path, article.path.read_text(encoding="utf-8") + "\n再补一条。\n",
                         article.digest, Author.named("editor"), "再补一条").done
    form = {**_revert_form(editor, "newcomer-secrets", second), "reconfirm": "1", "message": "恢复：补的那条有误"}
    assert editor.post("/a/newcomer-secrets/revert", data=form).status_code == 303
    assert "不在公共场所" not in required.catalog().get("newcomer-secrets").path.read_text(encoding="utf-8")
    home = newcomer.get("/").get_data(as_text=True)
    assert "需要我阅读的（1）" in home and "需重新确认" in home and TITLE in home
    response, version = confirm(newcomer)
    assert version == required.history.log("guides/newcomer-secrets.md", limit=1)[0].rev
    assert "需要我阅读的" not in newcomer.get("/").get_data(as_text=True)


def test_a_revert_kept_as_a_draft_asks_again_when_it_is_published(content_dir, tmp_path):
    """Under require_approval an editor's revert is a draft: the choice waits in its review record
    and everyone confirms again once an approver publishes it (as for an edit)."""
    from application import Reader, Site

    site = Site(settings(content_dir, tmp_path, require_approval=True))
    site.prepare()
    try:
        write_article(content_dir, "guides/newcomer-secrets.md", "## 一、要点\n\n不带文件回家。\n",
                      slug="newcomer-secrets", title=TITLE, required_for="[新员工]")
        site.history.commit(["guides/newcomer-secrets.md"], "admin", "a@x.cn", f"新建 {TITLE}")
        first = site.history.log("guides/newcomer-secrets.md", limit=1)[0].rev
        article = site.catalog().get("newcomer-secrets")
        assert site.save(article.rel_path, article.path.read_text(encoding="utf-8") + "\n补充。\n", article.digest,
                         Author.named("admin"), "补充").done
        newcomer = Reader("小新", "reader", frozenset({"新员工"}))
        article = site.catalog().get("newcomer-secrets")
        assert site.reading.confirm(newcomer, article, site.reading.version(article)) is not None
        assert site.reading.to_read(newcomer) == []
        editor = Reader("editor", "editor")
        saved = site.publishing.revert(article, first, article.digest, Author.named("editor"), editor, reconfirm=True)
        assert saved.done and saved.draft and site.reading.to_read(newcomer) == []  # not before it is published
        draft = site.publishing.draft_of(article)
        published = site.publishing.publish(article, draft.digest, Author.named("approver"), Reader("approver", "approver"))
        assert published.done and "补充" not in published.article.path.read_text(encoding="utf-8")
        assert [d.article.slug for d in site.reading.to_read(newcomer)] == ["newcomer-secrets"]
    finally:
        site.close()
