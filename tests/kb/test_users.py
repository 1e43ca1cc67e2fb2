"""Accounts in a real SQLite file: roles, hashed passwords, the last admin, failed logins."""
import sqlite3

import pytest

from kb.users import MAX_FAILURES, AccountError, Users


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


def test_failed_logins_are_counted_per_key_until_cleared(users):
    for _ in range(MAX_FAILURES - 1):
        users.record_failure("li|1.2.3.4")
    assert not users.too_many_failures("li|1.2.3.4")
    users.record_failure("li|1.2.3.4")
    assert users.too_many_failures("li|1.2.3.4")
    assert not users.too_many_failures("li|5.6.7.8")
    users.clear_failures("li|1.2.3.4")
    assert not users.too_many_failures("li|1.2.3.4")


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
