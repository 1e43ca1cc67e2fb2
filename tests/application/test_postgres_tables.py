"""The tables of groups (and their managers), read confirmations and reminders, feedback and follows in a real PostgreSQL (.ci/test
sets KB_TEST_POSTGRES_URL), through the same use cases as on SQLite."""
import os

import pytest
from sqlalchemy import text

from application import Reader, Site
from tests.conftest import write_article
from tests.web.conftest import settings

URL = os.environ.get("KB_TEST_POSTGRES_URL", "")
TABLES = "kb_groups, kb_group_members, kb_group_managers, kb_contacts, kb_read_confirmations, kb_read_requests, " \
         "kb_read_reminders, kb_read_reminded, kb_feedback, kb_follows, kb_feed_tokens, kb_digests, kb_users, " \
         "kb_login_failures"


@pytest.fixture
def pg_site(content_dir, tmp_path):
    site = _pg_site(content_dir, tmp_path)
    yield site
    site.close()


def _pg_site(content_dir, tmp_path, **more) -> Site:
    if not URL:
        if os.environ.get("CI"):
            pytest.fail("KB_TEST_POSTGRES_URL is not set: .ci/test starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL (set KB_TEST_POSTGRES_URL=postgresql+psycopg://user:pw@host/db)")
    write_article(content_dir, "guides/pg.md", "正文。", slug="pg-rule", title="库里的规定", required_for="[新员工]",
                  owner="综合科")
    site = Site(settings(content_dir, tmp_path, database_url=URL, **more))
    with site._engine().begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {TABLES}"))
    site.prepare()
    return site


def test_groups_confirmations_feedback_and_follows_in_postgresql(pg_site):
    site = pg_site
    assert site._engine().dialect.name == "postgresql"
    site.users.add("新人", "long-enough", "reader")
    site.people.set_groups("新人", ["新员工", "综合科"])
    site.people.set_email("新人", "xin@example.cn")
    assert site.people.groups_of("新人") == {"新员工", "综合科"}
    assert [(g.name, g.members) for g in site.people.groups()] == [("新员工", 1), ("综合科", 1)]
    me = site.reader_for(site.users.get("新人"))
    article = site.catalog().get("pg-rule")
    assert [d.article.slug for d in site.reading.to_read(me)] == ["pg-rule"]
    assert site.reading.confirm(me, article, site.reading.version(article)) is not None
    assert site.reading.confirm(me, article, site.reading.version(article)) is not None  # twice: one row
    assert site.reading.to_read(me) == []
    assert [d.state for d in site.reading.report(Reader("m", "admin"), slug="pg-rule")] == ["confirmed"]
    site.feedback.give(article, False, "unclear", "第二段看不懂", "10.0.0.1")
    site.feedback.give(article, True, None, "", "10.0.0.2")
    (row,) = site.feedback.counts_for(me, 30)
    assert (row[1].helpful, row[1].not_helpful, row[1].open) == (1, 1, 1)
    (note,) = site.feedback.notes_for(me)
    site.feedback.handle(me, note.note.id)
    assert site.feedback.notes_for(me) == []
    site.following.store.follow("新人", "article", "pg-rule")
    site.following.store.follow("新人", "article", "pg-rule")  # twice: one row
    token = site.following.store.new_token("新人")
    assert site.following.store.account_of(token) == "新人"
    assert [f.target for f in site.following.store.of("新人")] == ["pg-rule"]


def test_group_managers_and_recorded_reminders_in_postgresql(content_dir, tmp_path, mail_server):
    site = _pg_site(content_dir, tmp_path, **mail_server.settings)
    try:
        _managers_and_reminders(site, mail_server)
    finally:
        site.close()


def _managers_and_reminders(site, mail_server):
    for name in ("新人", "处长"):
        site.users.add(name, "long-enough", "reader")
    site.people.set_groups("新人", ["新员工"])
    site.people.set_email("新人", "xin@example.cn")
    site.people.set_managers("新员工", ["处长"])
    site.people.set_managers("新员工", ["处长"])  # twice: one row
    assert site.people.managed_by("处长") == {"新员工"} and site.people.managers("新员工") == ["处长"]
    head = site.reader_for(site.users.get("处长"))
    assert [d.account for d in site.reading.report(head)] == ["新人"]
    first = site.reading.remind(head, "http://kb.example.cn", slug="pg-rule")
    again = site.reading.remind(head, "http://kb.example.cn", slug="pg-rule")
    assert list(first.sent) == ["新人"] and again.skipped == ["新人"] and len(mail_server.messages()) == 1
    last = site.reading.reminders.last_per_article(["pg-rule"])["pg-rule"]
    assert (last.by, last.people, last.sent) == ("处长", 1, 1)
    assert [s.skipped for s in site.reading.reminders.recent()] == [1, 0]
