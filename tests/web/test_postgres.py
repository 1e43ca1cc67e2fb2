"""Accounts in PostgreSQL, for several machines serving one site: the same code against a real
server (.ci/test installs and starts one and sets KB_TEST_POSTGRES_URL)."""
import os
import uuid

import pytest

from kb.users import AccountError, Users
from tests.web.conftest import log_in, settings
from web.app import create_app
from application import Site

URL = os.environ.get("KB_TEST_POSTGRES_URL", "")


@pytest.fixture
def database_url():
    if not URL:
        if os.environ.get("CI"):
            pytest.fail("KB_TEST_POSTGRES_URL is not set: .ci/test starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL (set KB_TEST_POSTGRES_URL=postgresql+psycopg://user:pw@host/db)")
    users = Users(URL)
    with users.engine.begin() as connection:  # a clean slate: the tables are the test's own
        from sqlalchemy import text

        connection.execute(text("DROP TABLE IF EXISTS kb_users, kb_login_failures, kb_login_attempts, kb_login_known"))
    users.close()
    return URL


def test_accounts_live_in_postgresql(database_url):
    users = Users(database_url)
    try:
        name = f"pg-{uuid.uuid4().hex[:8]}"
        users.add(name, "long-enough", "editor")
        with pytest.raises(AccountError, match="已被使用"):
            users.add(name, "long-enough")
        assert users.verify(name, "long-enough").role == "editor"
        assert users.limit.begin(name, "127.0.0.1").allowed
        session_id = users.get(name).get_id()
        users.end_sessions(name)
        assert users.by_session(session_id) is None
        assert users.engine.dialect.name == "postgresql"
    finally:
        users.close()


def test_two_sites_sharing_one_postgresql_database_share_their_accounts(database_url, content_dir, tmp_path):
    """Two machines (here: two Site objects with their own instance folders) behind one site."""
    one = Site(settings(content_dir, tmp_path / "one", database_url=database_url))
    two = Site(settings(content_dir, tmp_path / "two", database_url=database_url))
    try:
        one.users.add("shared-editor", "editor-password", "editor")
        client = log_in(create_app(two).test_client(), "shared-editor", "editor-password")
        assert client.get("/new").status_code == 200
    finally:
        one.close()
        two.close()
