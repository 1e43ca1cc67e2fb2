"""Accounts in a real SQLite file: roles, hashed passwords, the last admin, failed logins."""
import sqlite3

import pytest

from kb.login_limit import PER_ADDRESS, PER_KNOWN, PER_NAME
from kb.users import AccountError, Users


@pytest.fixture
def users(tmp_path):
    u = Users(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    yield u
    u.close()


def test_a_password_is_stored_hashed_and_verified(users, tmp_path):
    users.add("张三", "secret-word", "editor")
    assert users.verify("张三", "secret-word").role == "editor"
    assert users.verify("张三", "wrong-word") is None
    assert users.verify("nobody", "secret-word") is None
    stored = sqlite3.connect(tmp_path / "kb.sqlite3").execute("select password_hash from kb_users").fetchone()[0]
    assert stored.startswith("scrypt:") and "secret-word" not in stored


def test_names_roles_and_passwords_are_checked(users):
    users.add("editor1", "long-enough")
    with pytest.raises(AccountError, match="已被使用"):
        users.add("editor1", "long-enough")
    with pytest.raises(AccountError, match="角色"):
        users.add("x2", "long-enough", "boss")
    with pytest.raises(AccountError, match="至少"):
        users.add("x3", "short")
    with pytest.raises(AccountError, match="用户名"):
        users.add("a b", "long-enough")


def test_roles_order_reader_editor_admin(users):
    admin = users.add("root", "long-enough", "admin")
    reader = users.add("r1", "long-enough", "reader")
    assert admin.can("editor") and admin.can("admin")
    assert reader.can("reader") and not reader.can("editor")


def test_the_last_admin_cannot_be_removed_or_demoted(users):
    users.add("root", "long-enough", "admin")
    with pytest.raises(AccountError, match="最后一位管理员"):
        users.remove("root")
    with pytest.raises(AccountError, match="最后一位管理员"):
        users.set_role("root", "editor")
    users.add("root2", "long-enough", "admin")
    users.set_role("root", "editor")
    assert users.get("root").role == "editor"


def test_a_changed_password_replaces_the_old_one(users):
    users.add("li", "first-password")
    users.set_password("li", "second-password")
    assert users.verify("li", "first-password") is None
    assert users.verify("li", "second-password") is not None


def test_password_checks_are_limited_per_name_from_new_addresses(users):
    limit = users.limit
    for i in range(PER_NAME):
        assert limit.begin("li", f"10.0.0.{i}").allowed  # five machines, one name
    refused = limit.begin("Li ", "10.0.0.99")  # the name is compared as typed, trimmed, in lower case
    assert refused.refused == "name"
    assert limit.used("address:10.0.0.99") == 0  # a refused check is not counted against the address


def test_the_usual_address_still_logs_in_while_the_name_is_attacked_elsewhere(users):
    limit = users.limit
    limit.succeeded(limit.begin("li", "192.168.1.5"))  # li logs in at their desk
    for i in range(PER_NAME + 3):
        limit.begin("li", "10.9.9.9")
    assert not limit.begin("li", "10.9.9.10").allowed
    assert limit.begin("li", "192.168.1.5").allowed
    for _ in range(PER_KNOWN - 1):
        limit.begin("li", "192.168.1.5")
    assert limit.begin("li", "192.168.1.5").refused == "name"  # typing wrong at the desk is limited too


def test_password_checks_are_limited_per_address_across_names(users):
    limit = users.limit
    for i in range(PER_ADDRESS):
        assert limit.begin(f"name{i}", "10.1.1.1").allowed
    assert limit.begin("another", "10.1.1.1").refused == "address"
    assert limit.begin("another", "10.1.1.2").allowed


def test_a_right_password_gives_its_attempt_back(users):
    limit = users.limit
    for _ in range(PER_NAME * 3):
        limit.succeeded(limit.begin("li", "10.2.2.2"))
    assert limit.begin("li", "10.2.2.2").allowed and limit.used("address:10.2.2.2") == 1


def test_a_new_password_or_role_or_logout_ends_every_session(users):
    user = users.add("li", "first-password", "editor")
    session_id = user.get_id()
    assert users.by_session(session_id).name == "li"
    users.set_password("li", "second-password")
    assert users.by_session(session_id) is None
    session_id = users.get("li").get_id()
    users.set_role("li", "reader")
    assert users.by_session(session_id) is None
    session_id = users.get("li").get_id()
    users.end_sessions("li")
    assert users.by_session(session_id) is None and users.by_session(users.get("li").get_id()) is not None
    assert users.by_session(str(user.id)) is None  # a session from before versions


def test_an_accounts_database_from_before_session_versions_gets_the_column(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE kb_users (id INTEGER PRIMARY KEY, name VARCHAR(64) UNIQUE, role VARCHAR(16), "
                   "password_hash VARCHAR(256), created DATETIME)")
        db.execute("INSERT INTO kb_users (name, role, password_hash) VALUES ('old', 'editor', '!')")
    users = Users(f"sqlite:///{path}")
    try:
        assert users.get("old").session_version == 0
        users.end_sessions("old")
        assert users.get("old").session_version == 1
    finally:
        users.close()


def test_a_single_sign_on_name_becomes_a_reader_without_a_password(users):
    user = users.ensure("wangwu")
    assert user.role == "reader" and users.ensure("wangwu").id == user.id
    assert users.verify("wangwu", "!") is None and users.verify("wangwu", "") is None


def test_two_handles_on_one_file_see_the_same_accounts(users, tmp_path):
    users.add("shared", "long-enough")
    other = Users(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    try:
        assert other.verify("shared", "long-enough") is not None
    finally:
        other.close()
