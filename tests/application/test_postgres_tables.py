"""The tables of groups, read confirmations, feedback and follows in a real PostgreSQL (.ci/test
sets KB_TEST_POSTGRES_URL), through the same use cases as on SQLite."""
import os

import pytest
from sqlalchemy import text

from application import Reader, Site
from tests.conftest import write_article
from tests.web.conftest import settings

URL = os.environ.get("KB_TEST_POSTGRES_URL", "")
TABLES = "kb_groups, kb_group_members, kb_contacts, kb_read_confirmations, kb_read_requests, kb_feedback, " \
         "kb_follows, kb_feed_tokens, kb_digests, kb_users, kb_login_failures"


@pytest.fixture
def pg_site(content_dir, tmp_path):
    if not URL:
        if os.environ.get("CI"):
            pytest.fail("KB_TEST_POSTGRES_URL is not set: .ci/test starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL (set KB_TEST_POSTGRES_URL=postgresql+psycopg://user:pw@host/db)")
    write_article(content_dir, "guides/pg.md", "正文。", slug="pg-rule", title="库里的规定", required_for="[新员工]",
                  owner="综合科")
    site = Site(settings(content_dir, tmp_path, database_url=URL))
    with site._engine().begin() as connection:
        connection.execute(text(f"DROP TABLE IF EXISTS {TABLES}"))
    site.prepare()
    yield site
    site.close()


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
