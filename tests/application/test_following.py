"""Following an article, a category or a reading path: 「我关注的更新」 on the home page, a private
feed at an unguessable, revocable address, and e-mail digests through a real SMTP server."""
import pytest

from kb.history import Author
from tests.conftest import write_article
from tests.web.conftest import log_in, settings, token, wait_ready

PASSWORD = "long-enough-1"


def follow(client, kind, target, on="1"):
    return client.post("/follow", data={"csrf": token(client, "/"), "kind": kind, "target": target, "on": on,
                                        "next": "/"})


def change(site, slug, words, message):
    article = site.catalog().get(slug)
    saved = site.save(article.rel_path, article.path.read_text(encoding="utf-8") + f"\n{words}\n", article.digest,
                      Author.named("editor"), message)
    assert saved.done


@pytest.fixture
def follower(site, app):
    site.users.add("小赵", PASSWORD, "reader")
    site.people.set_email("小赵", "zhao@example.cn")
    wait_ready(app.test_client())
    return log_in(app.test_client(), "小赵", PASSWORD)


def test_followed_articles_categories_and_paths_show_their_changes_on_the_home_page(site, app, follower, content_dir):
    assert "关注本文" in follower.get("/a/office-service-work").get_data(as_text=True)
    assert follow(follower, "article", "office-service-work").status_code == 303
    assert "已关注本文" in follower.get("/a/office-service-work").get_data(as_text=True)
    category = site.catalog().get("ten-awareness").category
    assert follow(follower, "category", category).status_code == 303
    path_item = site.catalog().paths[0].items[-1].slug
    assert follow(follower, "path", "newcomer").status_code == 303
    change(site, "office-service-work", "补充一句。", "补充服务工作的要求")
    change(site, "ten-awareness", "再补充一句。", "补充十种意识")
    change(site, path_item, "路径上的补充。", "补充路径上的文章")
    change(site, "meeting-preparation", "别的补充。", "不相干的修改") if site.catalog().get("meeting-preparation").category != category else None
    home = follower.get("/").get_data(as_text=True).split('id="followed-h"')[1]
    assert "补充服务工作的要求" in home and "补充十种意识" in home and "补充路径上的文章" in home
    assert "不相干的修改" not in home
    assert "开始记录历史" not in home  # what changed before they followed it is not news to them
    for kind, target in (("article", "office-service-work"), ("category", category), ("path", "newcomer")):
        follow(follower, kind, target, on="0")
    assert "我关注的更新" not in follower.get("/").get_data(as_text=True)
    assert "关注本文" in follower.get("/a/office-service-work").get_data(as_text=True)


def test_only_accounts_follow_what_exists(app, follower):
    anonymous = app.test_client()
    response = anonymous.post("/follow", data={"csrf": token(anonymous), "kind": "article", "target": "office-service-work", "on": "1"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "关注本文" not in anonymous.get("/a/office-service-work").get_data(as_text=True)
    assert follow(follower, "article", "no-such-article").status_code == 404
    assert follow(follower, "planet", "mars").status_code == 404


def test_a_private_feed_at_an_address_that_can_be_revoked(site, app, follower):
    follow(follower, "article", "office-service-work")
    change(site, "office-service-work", "订阅里的补充。", "订阅里看得到的修改")
    page = follower.post("/me/follows", data={"csrf": token(follower, "/me/follows"), "action": "new"}).get_data(as_text=True)
    address = page.split('class="feed-address">')[1].split("<")[0]
    path = address[address.index("/feeds/"):]
    feed = app.test_client().get(path)
    assert feed.status_code == 200 and "订阅里看得到的修改" in feed.get_data(as_text=True)
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    follower.post("/me/follows", data={"csrf": token(follower, "/me/follows"), "action": "new"})
    assert app.test_client().get(path).status_code == 404  # the new address replaced it
    follower.post("/me/follows", data={"csrf": token(follower, "/me/follows"), "action": "revoke"})
    assert site.following.store.has_token("小赵") is None
    assert app.test_client().get("/feeds/not-a-token.atom").status_code == 404


def test_digests_tell_each_follower_what_changed_since_the_last(site, follower, mail_server, content_dir, tmp_path,
                                                                 monkeypatch):
    from application import Site
    from cli.main import main

    follow(follower, "article", "office-service-work")
    site.users.add("无邮箱", PASSWORD, "reader")
    site.following.store.follow("无邮箱", "article", "office-service-work")
    change(site, "office-service-work", "摘要里的补充。", "摘要里的修改")
    mailing = Site(settings(content_dir, tmp_path, **mail_server.settings))
    try:
        sent, missing = mailing.following.send_digests("https://kb.example.cn")
    finally:
        mailing.close()
    assert (sent, missing) == (1, ["无邮箱"])
    (message,) = mail_server.messages()
    assert message["To"] == "zhao@example.cn" and "您关注的 1 处更新" in message["Subject"]
    assert "摘要里的修改" in message.get_content() and "https://kb.example.cn/a/office-service-work" in message.get_content()
    for name, value in {**mail_server.settings, "instance_dir": tmp_path / "instance", "secret_key": "test"}.items():
        monkeypatch.setenv(f"KB_{name.upper()}", str(value))
    assert main(["digest", "--content", str(content_dir), "--index", str(tmp_path / "index")]) == 0
    assert len(mail_server.messages()) == 1  # nothing new since the last digest
