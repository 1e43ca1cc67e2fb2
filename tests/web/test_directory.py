"""Directory login against a real OpenLDAP server (tests/ldapserver.py): people sign in with their
directory password, their groups and address come from the directory at each login, and a
directory group grants access to an article restricted to it."""
import pytest

from application import Site
from tests.conftest import write_article
from tests.ldapserver import PEOPLE
from tests.web.conftest import ready_app, settings, token
from web.app import create_app


@pytest.fixture
def directory_site(content_dir, tmp_path, ldap_server):
    write_article(content_dir, "finance/seal.md", "甲辰印鉴交接的规程。", slug="seal-rules", title="甲辰印鉴交接",
                  readers="[财务处]")
    site = Site(settings(content_dir, tmp_path, **ldap_server.settings()))
    site.prepare()
    site.users.add("admin", "local-admin-password", "admin")
    yield site, ready_app(site)
    site.close()


def login(app, name, password):
    client = app.test_client()
    response = client.post("/login", data={"csrf": token(client), "name": name, "password": password})
    return client, response


def test_a_directory_group_grants_access_to_a_restricted_article(directory_site):
    site, app = directory_site
    outsider, response = login(app, "lisi", PEOPLE["lisi"][1])
    assert response.status_code == 303
    assert outsider.get("/a/seal-rules").status_code == 404
    assert outsider.get("/api/search?q=甲辰印鉴").get_json()["total"] == 0
    cashier, response = login(app, "zhangsan", PEOPLE["zhangsan"][1])
    assert response.status_code == 303
    assert "甲辰印鉴交接" in cashier.get("/a/seal-rules").get_data(as_text=True)
    assert cashier.get("/api/search?q=甲辰印鉴").get_json()["results"][0]["slug"] == "seal-rules"
    user = site.users.get("zhangsan")
    assert user.role == "reader" and site.people.groups_of("zhangsan") == {"财务处"}
    assert site.people.email_of("zhangsan") == "zhangsan@example.cn"


def test_groups_are_taken_anew_at_each_login_and_an_admins_stay(directory_site, ldap_server):
    site, app = directory_site
    login(app, "zhaoliu", PEOPLE["zhaoliu"][1])
    assert site.people.groups_of("zhaoliu") == {"新员工", "办公室"}
    site.people.join("保密委员会", ["zhaoliu"])  # given on the 用户 page
    ldap_server.leave("zhaoliu", "新员工")
    login(app, "ZhaoLiu", PEOPLE["zhaoliu"][1])  # one account however the name is typed
    assert site.people.groups_of("zhaoliu") == {"办公室", "保密委员会"}
    assert [u.name for u in site.users.all()].count("zhaoliu") == 1


def test_a_wrong_or_empty_password_is_refused(directory_site):
    site, app = directory_site
    for password in ("wrong-password", ""):
        client, response = login(app, "zhangsan", password)
        assert response.status_code == 401 and "用户名或密码不对" in response.get_data(as_text=True)
    assert login(app, "nobody-here", "whatever")[1].status_code == 401
    assert site.users.get("zhangsan") is None


def test_a_directory_entry_cannot_take_over_a_local_account(directory_site):
    site, app = directory_site
    assert login(app, "admin", PEOPLE["admin"][1])[1].status_code == 401
    assert login(app, "ADMIN", PEOPLE["admin"][1])[1].status_code == 401
    assert login(app, "admin", "local-admin-password")[1].status_code == 303
    assert site.people.groups_of("admin") == frozenset()


def test_the_dn_template_and_anonymous_group_search(content_dir, tmp_path, ldap_server):
    site = Site(settings(content_dir, tmp_path, **ldap_server.settings(
        ldap_user_dn="uid={name},ou=people,dc=example,dc=cn", ldap_bind_dn="", ldap_bind_password="")))
    try:
        assert site.authenticate("lisi", PEOPLE["lisi"][1]).name == "lisi"
        assert site.people.groups_of("lisi") == {"新员工", "办公室"}
        assert site.authenticate("lisi*)(uid=*", PEOPLE["lisi"][1]) is None  # escaped, not a filter
    finally:
        site.close()


def test_a_directory_that_cannot_be_reached_is_said_so(content_dir, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    site = Site(settings(content_dir, tmp_path, ldap_url=f"ldap://127.0.0.1:{port}", ldap_base_dn="dc=example,dc=cn",
                         ldap_timeout=2))
    app = create_app(site)
    try:
        client, response = login(app, "zhangsan", "zhangsan-password")
        assert response.status_code == 503 and "无法连接目录服务器" in response.get_data(as_text=True)
    finally:
        site.close()
