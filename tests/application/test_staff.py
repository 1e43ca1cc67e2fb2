"""Staff who exist only in the office directory (a real slapd, tests/ldapserver.py) and never signed
in here must read too: they are in 「谁还没确认」, in the CSV, and get reminders at the directory's
address (a real SMTP server); a directory that cannot be reached is said so on the page. A group
whose entry names an owner (ldap_manager_attribute) has that person as its 负责人."""
import csv
import io
import socket

import pytest

from application import Site
from tests.conftest import write_article
from tests.ldapserver import PEOPLE
from tests.web.conftest import PASSWORDS, log_in, ready_app, settings, token

NEWCOMERS = "新员工保密须知"


def _site(content_dir, tmp_path, **more) -> Site:
    write_article(content_dir, "guides/newcomer-secrets.md", "不带文件回家。", slug="newcomer-secrets",
                  title=NEWCOMERS, required_for="[新员工]")
    write_article(content_dir, "guides/all-hands.md", "按时上班。", slug="all-hands", title="全体须知",
                  required_for="[全体]")
    site = Site(settings(content_dir, tmp_path, **more))
    site.prepare()
    for name in ("editor", "admin"):  # "admin" is also in the directory: the local account is the one
        site.users.add(name, PASSWORDS[name], name)
    return site


@pytest.fixture
def directory_site(content_dir, tmp_path, ldap_server, mail_server):
    site = _site(content_dir, tmp_path, **ldap_server.settings(ldap_manager_attribute="owner"), **mail_server.settings)
    yield site, ready_app(site)
    site.close()


def rows(page: str, name: str) -> list[str]:
    return [r for r in page.split("<tr")[1:] if f"<th scope=\"row\">{name}" in r]


def test_directory_staff_who_never_signed_in_are_not_confirmed(directory_site):
    site, app = directory_site
    assert site.users.get("wangwu") is None  # never signed in
    manager = log_in(app.test_client(), "editor")
    page = manager.get("/confirmations?slug=newcomer-secrets").get_data(as_text=True)
    (row,) = rows(page, "wangwu")
    assert "未确认" in row and "目录里有，从未登录" in row
    assert rows(page, "lisi") and not rows(page, "zhangsan")  # 财务处 is not asked to read it
    everyone = manager.get("/confirmations?slug=all-hands").get_data(as_text=True)
    assert all(rows(everyone, name) for name in ("zhangsan", "wangwu", "lisi", "editor"))
    assert len(rows(everyone, "admin")) == 1  # the directory's "admin" is not a second person
    summary = manager.get("/confirmations").get_data(as_text=True)
    assert NEWCOMERS in summary and "无法连接目录服务器" not in summary


def test_the_csv_lists_them_and_a_first_login_turns_them_into_an_account(directory_site):
    site, app = directory_site
    manager = log_in(app.test_client(), "editor")
    table = list(csv.reader(io.StringIO(manager.get("/confirmations.csv?slug=newcomer-secrets")
                                        .get_data(as_text=True).lstrip("\ufeff"))))
    wangwu = next(r for r in table if r[2] == "wangwu")
    assert wangwu[4] == "未确认" and wangwu[3] == "新员工" and wangwu[-1] == "目录里有，从未登录"
    log_in(app.test_client(), "wangwu", PEOPLE["wangwu"][1])
    table = list(csv.reader(io.StringIO(manager.get("/confirmations.csv?slug=newcomer-secrets")
                                        .get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[-1] for r in table if r[2] == "wangwu"] == ["已登录过"]


def test_reminders_reach_directory_staff_at_the_directorys_address(directory_site, mail_server):
    site, app = directory_site
    manager = log_in(app.test_client(), "editor")
    page = manager.post("/confirmations/remind", data={"csrf": token(manager, "/confirmations")},
                        follow_redirects=True).get_data(as_text=True)
    delivered = {m["To"]: m for m in mail_server.messages()}
    assert "lisi@example.cn" in delivered and "zhangsan@example.cn" in delivered
    assert NEWCOMERS in delivered["lisi@example.cn"].get_content()
    assert NEWCOMERS not in delivered["zhangsan@example.cn"].get_content()  # 全体须知 only
    assert "wangwu" in page.split("没有邮件地址、没有发出：")[1]  # the directory has no address for him


def test_a_directory_that_cannot_be_reached_is_said_so_and_accounts_still_shown(content_dir, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    site = _site(content_dir, tmp_path, ldap_url=f"ldap://127.0.0.1:{port}", ldap_base_dn="dc=example,dc=cn",
                 ldap_timeout=2)
    try:
        app = ready_app(site)
        manager = log_in(app.test_client(), "editor")
        page = manager.get("/confirmations?slug=all-hands")
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "无法连接目录服务器" in text and "从没登录过的人没有算进来" in text
        assert rows(text, "editor") and rows(text, "admin")
    finally:
        site.close()


def test_a_groups_owner_in_the_directory_manages_it(directory_site):
    site, app = directory_site
    head = log_in(app.test_client(), "zhangsan", PEOPLE["zhangsan"][1])  # 财务处, owner of 新员工
    assert site.users.get("zhangsan").role == "reader" and site.people.managed_by("zhangsan") == {"新员工"}
    page = head.get("/confirmations?slug=all-hands").get_data(as_text=True)
    assert rows(page, "wangwu") and rows(page, "lisi")  # never signed in, in 新员工
    assert not rows(page, "zhangsan") and not rows(page, "editor")
    assert head.get("/confirmations?group=财务处").status_code == 404
    assert "负责人：zhangsan" in "\n".join(f"负责人：{'、'.join(g.managers)}" for g in site.people.groups())


def test_the_roster_is_kept_briefly_and_a_directory_gone_down_is_said_so(content_dir, tmp_path, ldap_server):
    """A directory of its own (the session's is shared): a person added there shows once the
    kept roster is old, and a directory that stopped is said so while the accounts stay."""
    from application.staff import KEEP, StaffRoll
    from tests.ldapserver import SUFFIX, LdapServer, _entry

    server, clock = LdapServer(), [0.0]
    site = Site(settings(content_dir, tmp_path, **server.settings()))
    try:
        site.users.add("editor", PASSWORDS["editor"], "editor")
        roll = StaffRoll(site, clock=lambda: clock[0])
        from_directory = lambda: {m.name for m in roll.staff().people if not m.signed_in}  # noqa: E731
        assert {"wangwu", "lisi"} <= from_directory()
        server._add(_entry(f"uid=sunqi,ou=people,{SUFFIX}", objectClass="inetOrgPerson", uid="sunqi", cn="孙七",
                           sn="孙") + "\n")
        assert "sunqi" not in from_directory()  # the roster is kept
        clock[0] += KEEP
        assert "sunqi" in from_directory()
        server.stop()
        clock[0] += KEEP
        staff = roll.staff()
        assert "无法连接目录服务器" in staff.note and [m.name for m in staff.people] == ["editor"]
    finally:
        site.close()
        server.stop()


def test_a_directory_that_stops_at_its_size_limit_is_said_so(content_dir, tmp_path, ldap_server):
    """OpenLDAP gives an anonymous search at most 500 entries (its default sizelimit)."""
    from application.staff import StaffRoll
    from tests.ldapserver import SUFFIX, LdapServer, _entry

    server = LdapServer()
    site = Site(settings(content_dir, tmp_path, **server.settings(ldap_bind_dn="", ldap_bind_password="")))
    try:
        server._add("\n\n".join(_entry(f"uid=staff{i},ou=people,{SUFFIX}", objectClass="inetOrgPerson",
                                       uid=f"staff{i}", cn=f"职员{i}", sn="职") for i in range(500)) + "\n")
        staff = StaffRoll(site).staff()
        assert "只给出了一部分人" in staff.note and len(staff.people) == 500
    finally:
        site.close()
        server.stop()
