"""Accounts and the guards on writes, through the real app: who may read, write and manage;
the form token, the Origin check, the cookies, the login limit, sessions across restarts."""
import logging
import re

import pytest

from kb.login_limit import PER_NAME
from tests.web.conftest import PASSWORDS, log_in, settings, token
from web.app import create_app
from application import Site

WRITES = [  # every write path of the site, with a form that would otherwise succeed
    ("/new", {"title": "匿名", "slug": "anonymous-post", "type": "guide", "category": "x", "summary": "x", "body": "x"}),
    ("/a/ten-awareness/edit", {"text": "---\ntitle: 被改了\n---\n\n正文\n"}),
    ("/a/ten-awareness/revert", {"rev": "0000000"}),
    ("/import", {}),
    ("/import/save", {"path": "guides/x.md", "text": "---\ntitle: x\n---\n\n正文\n"}),
    ("/preview", {"text": "x"}),
    ("/users", {"action": "add", "name": "intruder", "password": "long-enough", "role": "admin"}),
]


def test_anonymous_visitors_read_but_every_write_sends_them_to_log_in(anonymous, content_dir):
    before = (content_dir / "guides" / "ten-awareness.md").read_text(encoding="utf-8")
    assert "十种意识" in anonymous.get("/a/ten-awareness").get_data(as_text=True)
    page = anonymous.get("/a/ten-awareness").get_data(as_text=True)
    assert "/a/ten-awareness/edit" not in page and ">登录<" in page
    for url, fields in WRITES:
        response = anonymous.post(url, data={"csrf": token(anonymous, "/login"), **fields})
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert anonymous.get("/a/ten-awareness/edit").status_code == 302
    assert (content_dir / "guides" / "ten-awareness.md").read_text(encoding="utf-8") == before
    assert not (content_dir / "guides" / "anonymous-post.md").exists()
    assert anonymous.application.extensions["kb"].users.get("intruder") is None


def test_a_reader_account_may_not_write(app, content_dir):
    reader = log_in(app.test_client(), "reader")
    response = reader.post("/new", data={"csrf": token(reader, "/"), **WRITES[0][1]})
    assert response.status_code == 403 and "需要编辑权限" in response.get_data(as_text=True)
    assert reader.get("/new").status_code == 403
    assert not (content_dir / "guides" / "anonymous-post.md").exists()


def test_an_editor_sees_edit_links_and_their_name_but_not_user_management(client):
    page = client.get("/a/ten-awareness").get_data(as_text=True)
    assert "/a/ten-awareness/edit" in page and "editor" in page and "退出" in page
    assert client.get("/users").status_code == 403


def test_a_wrong_password_is_refused_and_logged(anonymous, caplog):
    with caplog.at_level(logging.WARNING, logger="web.auth"):
        response = anonymous.post("/login", data={"csrf": token(anonymous), "name": "editor", "password": "guess"})
    assert response.status_code == 401 and "用户名或密码不对" in response.get_data(as_text=True)
    assert any("failed login for 'editor'" in r.getMessage() for r in caplog.records)


def test_logins_are_refused_after_too_many_failures_even_with_the_right_password(anonymous):
    """From an address the account never logged in from (the test client's is always the same
    one; tests/web/test_attacks.py tries several through a real server)."""
    for _ in range(PER_NAME):
        anonymous.post("/login", data={"csrf": token(anonymous), "name": "editor", "password": "guess"})
    response = anonymous.post("/login", data={"csrf": token(anonymous), "name": "editor", "password": PASSWORDS["editor"]})
    assert response.status_code == 429 and "15 分钟" in response.get_data(as_text=True)


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(anonymous):
    response = anonymous.get("/a/ten-awareness/edit")
    target = response.headers["Location"]
    page = anonymous.get(target)
    form_token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    done = anonymous.post(target, data={"csrf": form_token, "name": "editor", "password": PASSWORDS["editor"]})
    assert done.headers["Location"].endswith("/a/ten-awareness/edit")
    anonymous.post("/logout", data={"csrf": token(anonymous, "/")})
    evil = anonymous.post("/login?next=//evil.example/x", data={"csrf": token(anonymous), "name": "editor",
                                                               "password": PASSWORDS["editor"]})
    assert evil.headers["Location"] == "/"


def test_logout_ends_the_session(client):
    client.post("/logout", data={"csrf": token(client, "/")})
    assert client.get("/new").status_code == 302


def test_a_post_without_the_form_token_is_refused_with_a_message(client, content_dir):
    response = client.post("/new", data=WRITES[0][1])
    assert response.status_code == 400 and "表单已过期或缺少安全校验" in response.get_data(as_text=True)
    assert not (content_dir / "guides" / "anonymous-post.md").exists()


def test_a_token_from_before_login_is_worthless_after_it(app):
    c = app.test_client()
    old = token(c, "/login")
    log_in(c, "editor")
    response = c.post("/new", data={"csrf": old, **WRITES[0][1]})
    assert response.status_code == 400


@pytest.mark.parametrize("header", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                    {"Referer": "https://evil.example/page.html"}])
def test_a_write_from_another_site_is_refused_even_with_a_valid_token(client, content_dir, header):
    response = client.post("/new", data={"csrf": token(client, "/new"), **WRITES[0][1]}, headers=header)
    assert response.status_code == 403 and "其他网站" in response.get_data(as_text=True)
    assert not (content_dir / "guides" / "anonymous-post.md").exists()


def test_a_write_from_this_site_with_its_origin_passes(client, content_dir):
    response = client.post("/new", data={"csrf": token(client, "/new"), **WRITES[0][1]},
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 303 and (content_dir / "guides" / "anonymous-post.md").exists()


def test_the_session_cookie_is_httponly_and_samesite_lax_and_secure_over_https(app):
    c = app.test_client()
    cookie = c.post("/login", data={"csrf": token(c), "name": "editor", "password": PASSWORDS["editor"]}).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    s = app.test_client()
    page = s.get("/login", base_url="https://localhost").get_data(as_text=True)
    form_token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    secure = s.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                    data={"csrf": form_token, "name": "editor", "password": PASSWORDS["editor"]}).headers["Set-Cookie"]
    assert "Secure" in secure and "HttpOnly" in secure and "SameSite=Lax" in secure


def test_an_admin_adds_an_editor_in_the_browser_who_can_then_log_in(app):
    admin = log_in(app.test_client(), "admin")
    page = admin.post("/users", data={"csrf": token(admin, "/users"), "action": "add", "name": "王五",
                                      "password": "wangwu-password", "role": "editor"}).get_data(as_text=True)
    assert "已添加用户 王五" in page and "王五" in page
    log_in(app.test_client(), "王五", "wangwu-password")
    page = admin.post("/users", data={"csrf": token(admin, "/users"), "action": "remove", "name": "admin"})
    assert "不能删除自己的账号" in page.get_data(as_text=True)


def test_sessions_survive_a_restart_with_the_key_kept_in_the_instance_folder(content_dir, tmp_path):
    config = settings(content_dir, tmp_path, secret_key="")
    first = Site(config)
    first.prepare()
    first.users.add("editor", PASSWORDS["editor"], "editor")
    key = (tmp_path / "instance" / "secret_key")
    assert key.is_file() and oct(key.stat().st_mode & 0o777) == "0o600"
    c = log_in(create_app(first).test_client(), "editor")
    form_token = token(c, "/new")  # an edit form open when the server restarts
    cookie = c.get_cookie("session").value
    first.close()
    second = Site(config)  # a restart: a new process reads the same key
    again = create_app(second).test_client()
    again.set_cookie("session", cookie)
    page = again.get("/new")
    assert page.status_code == 200 and "editor" in page.get_data(as_text=True)
    response = again.post("/preview", data={"csrf": form_token, "text": "## 一、还在\n\n正文。"})
    assert response.status_code == 200 and "还在" in response.get_json()["html"]
    second.close()


def test_require_login_sends_readers_to_the_login_page(content_dir, tmp_path):
    site = Site(settings(content_dir, tmp_path, require_login=True))
    site.users.add("reader", PASSWORDS["reader"], "reader")
    c = create_app(site).test_client()
    assert "/login" in c.get("/a/ten-awareness").headers["Location"]
    assert c.get("/api/search?q=保密").status_code == 401
    assert c.get("/healthz").status_code in (200, 503)
    log_in(c, "reader")
    assert c.get("/a/ten-awareness").status_code == 200
    site.close()


def test_a_trusted_proxy_header_logs_people_in_only_when_configured(content_dir, tmp_path):
    site = Site(settings(content_dir, tmp_path, trusted_user_header="REMOTE_USER"))
    site.users.add("zhao", "zhao-password", "editor")
    c = create_app(site).test_client()
    assert c.get("/new", environ_base={"REMOTE_USER": "zhao"}).status_code == 200
    assert c.get("/new", environ_base={"REMOTE_USER": "newcomer"}).status_code == 403  # a reader until promoted
    assert site.users.get("newcomer").role == "reader"
    site.close()
    plain = Site(settings(content_dir, tmp_path / "other"))
    assert create_app(plain).test_client().get("/new", environ_base={"REMOTE_USER": "zhao"}).status_code == 302
    plain.close()


def test_the_factory_starts_no_thread_and_opens_no_index(content_dir, tmp_path):
    import threading

    before = set(threading.enumerate())
    site = Site(settings(content_dir, tmp_path))
    create_app(site)
    assert set(threading.enumerate()) == before
    assert site.keeper is None and site._search is None
    assert not (tmp_path / "index").exists()
