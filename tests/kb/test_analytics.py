"""The query log in a real SQLite file (and PostgreSQL when .ci/test provides one): what is
kept and what is not, reports, retention, and recording that never raises or loses events
when the database is busy."""
import datetime as dt
import logging
import multiprocessing
import os
import sqlite3

import pytest
from sqlalchemy import text

from kb import analytics as analytics_module
from kb import database
from kb.analytics import Analytics, Opened, Search, now
from kb.analytics_report import csv_rows, report

POSTGRES = os.environ.get("KB_TEST_POSTGRES_URL", "")


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'kb.sqlite3'}"


@pytest.fixture
def log(db_url):
    engine = database.open_database(db_url)
    yield Analytics(engine)
    engine.dispose()


def add_rows(log, *rows):
    """Searches (and opened results) made at chosen times, written as the log would."""
    with log.session() as s:
        for row in rows:
            s.add(row)
        s.commit()


def search_row(query, results, days_ago=0, token=None, at=None):
    return Search(token=token or analytics_module.new_token(), at=at or now() - dt.timedelta(days=days_ago),
                  query=query, results=results, source="page")


def test_a_search_is_kept_without_who_asked_and_only_once_flushed(log, db_url, tmp_path):
    token = log.search("  保密   原则 ", 3, ip="10.1.2.3")
    assert log.rows() == [] and log.pending() == 1  # queued: the search's response is not held up
    assert log.flush()
    [row] = log.rows()
    assert row["query"] == "保密 原则" and row["results"] == 3 and row["token"] == token
    assert row["ip"] is None and row["source"] == "page"
    assert row["at"].second == 0 and row["at"].microsecond == 0  # to the minute
    columns = {r[1] for r in sqlite3.connect(tmp_path / "kb.sqlite3").execute("pragma table_info(kb_search_log)")}
    assert not columns & {"user", "user_id", "session", "cookie", "name"}


def test_an_address_is_kept_only_when_configured(db_url):
    engine = database.open_database(db_url)
    with_ip = Analytics(engine, record_ip=True)
    with_ip.search("值班", 2, ip="10.1.2.3")
    with_ip.flush()
    assert with_ip.rows()[0]["ip"] == "10.1.2.3"
    engine.dispose()


def test_switched_off_nothing_is_recorded(db_url):
    engine = database.open_database(db_url)
    off = Analytics(engine, enabled=False)
    assert off.search("保密", 3) is None
    off.opened("abc", "/a/x")
    assert off.pending() == 0 and off.flush() and off.rows() == []
    engine.dispose()


def test_the_report_lists_top_zero_and_unopened_queries(log):
    t1 = log.search("保密", 5)
    log.search("保密", 5)
    log.search("BaoMi", 0)  # same query as baomi
    t2 = log.search("baomi", 0)
    log.search("公车", 0)
    t3 = log.search("开会", 11)
    log.opened(t1, "/a/confidentiality", 1)
    log.opened(t3, "/a/meeting-preparation#会前", 2, after=t2)
    log.flush()
    rep = report(log, days=30)
    assert (rep.searches, rep.zero, rep.opened) == (6, 3, 2)
    top = {q.query: q for q in rep.top()}
    assert top["保密"].searches == 2 and top["保密"].opened == 1 and top["保密"].average == 5
    assert [q.query for q in rep.found_nothing()] == ["baomi", "公车"]
    assert [q.query for q in rep.not_opened()] == []  # 保密 and 开会 were opened
    log.search("值班", 4)
    assert [q.query for q in report(log, days=30).not_opened()] == ["值班"]
    assert [(p.typed, p.then, p.times) for p in rep.pairs] == [("baomi", "开会", 1)]
    this_week = rep.weeks[-1]
    assert len(rep.weeks) == 12 and (this_week.searches, this_week.zero, this_week.opened) == (6, 3, 2)
    assert this_week.start.weekday() == 0


def test_weeks_count_searches_by_the_monday_they_follow(log):
    monday = now().date() - dt.timedelta(days=now().weekday())
    last_week = dt.datetime.combine(monday - dt.timedelta(days=1), dt.time(23, 59))  # Sunday night
    add_rows(log, search_row("保密", 1, at=last_week), search_row("保密", 0, at=last_week),
             search_row("保密", 1, at=dt.datetime.combine(monday, dt.time(0, 1))),
             search_row("很久以前", 1, days_ago=200))
    weeks = {w.start: w for w in report(log, days=365).weeks}
    assert (weeks[monday - dt.timedelta(weeks=1)].searches, weeks[monday - dt.timedelta(weeks=1)].zero) == (2, 1)
    assert weeks[monday].searches == 1
    assert sum(w.searches for w in weeks.values()) == 3  # 200 days ago is not among the 12 weeks


def test_old_searches_are_deleted_after_the_retention_period(log):
    old = analytics_module.new_token()
    add_rows(log, search_row("去年的查询", 1, days_ago=181, token=old), search_row("上个月的查询", 1, days_ago=30),
             Opened(token=old, at=now() - dt.timedelta(days=181), url="/a/x", rank=1))
    assert log.purge() == 1
    assert [r["query"] for r in log.rows()] == ["上个月的查询"]
    with log.session() as s:
        assert s.execute(text("select count(*) from kb_search_opened")).scalar() == 0


def test_recording_purges_now_and_then(log):
    add_rows(log, search_row("去年的查询", 1, days_ago=400))
    log.search("保密", 1)
    log.flush()  # the first write of a process purges
    assert [r["query"] for r in log.rows()] == ["保密"]


def test_the_csv_has_every_query_and_cannot_run_formulas(log):
    log.search("=HYPERLINK(\"http://x\")", 0)
    log.search("-值班", 2)
    log.search("保密", 1)
    log.search("保密", 1)
    rows = csv_rows(report(log, days=30))
    assert rows[0][:2] == ["查询", "搜索次数"]
    assert rows[1][:3] == ["保密", "2", "0"]
    assert {r[0] for r in rows[2:]} == {"'=hyperlink(\"http://x\")", "'-值班"}


def test_a_database_that_cannot_be_written_loses_nothing_and_raises_nothing(tmp_path, caplog):
    engine = database.open_database(f"sqlite:///{tmp_path / 'missing-folder' / 'kb.sqlite3'}")
    broken = Analytics(engine)
    broken.search("保密", 3)
    with caplog.at_level(logging.WARNING, logger="kb.analytics"):
        assert broken.flush() is False
    assert "could not write 1 events" in caplog.text and broken.pending() == 1
    (tmp_path / "missing-folder").mkdir()
    assert broken.flush() and [r["query"] for r in broken.rows()] == ["保密"]
    engine.dispose()


def test_a_locked_sqlite_file_delays_the_events_not_the_caller(tmp_path, monkeypatch):
    monkeypatch.setattr(database, "BUSY_SECONDS", 0.2)
    path = tmp_path / "kb.sqlite3"
    engine = database.open_database(f"sqlite:///{path}")
    log = Analytics(engine)
    log.search("保密", 1)
    log.flush()
    holder = sqlite3.connect(path, timeout=0.1)
    holder.execute("begin exclusive")  # another process writing for a long time
    log.search("值班", 2)
    assert log.flush() is False and log.pending() == 1
    holder.rollback()
    assert log.flush() and [r["query"] for r in log.rows()] == ["保密", "值班"]
    engine.dispose()


def _record_many(url: str, worker: int, count: int) -> None:
    engine = database.open_database(url)
    log = Analytics(engine)
    for i in range(count):
        log.search(f"查询{worker}-{i}", i)
        assert log.flush()
    engine.dispose()


def test_several_worker_processes_write_one_sqlite_file(db_url):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_record_many, args=(db_url, w, 40)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    engine = database.open_database(db_url)
    rows = Analytics(engine).rows()
    assert len(rows) == 160 and len({r["token"] for r in rows}) == 160
    engine.dispose()


def test_the_log_and_its_report_work_in_postgresql():
    if not POSTGRES:
        if os.environ.get("CI"):
            pytest.fail("KB_TEST_POSTGRES_URL is not set: .ci/test starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL (set KB_TEST_POSTGRES_URL)")
    engine = database.open_database(POSTGRES)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS kb_search_log, kb_search_opened, kb_search_daily, "
                                "kb_search_pairs_daily, kb_search_rolled"))
    log = Analytics(engine)
    try:
        zero = log.search("公车", 0)
        found = log.search("派车", 2)
        log.opened(found, "/a/x", 1, after=zero)
        assert log.flush()
        add_rows(log, search_row("上周的查询", 3, days_ago=7))  # summed up by the report
        rep = report(log, days=30)
        assert {q.query: q.searches for q in rep.queries} == {"公车": 1, "派车": 1, "上周的查询": 1}
        assert [r["query"] for r in log.rows()] == ["公车", "派车"]
        rep = report(log, days=1)
        assert (rep.searches, rep.zero, rep.opened) == (2, 1, 1)
        assert [(p.typed, p.then) for p in rep.pairs] == [("公车", "派车")]
        assert rep.weeks[-1].searches == 2
        assert engine.dialect.name == "postgresql"
    finally:
        engine.dispose()


def test_one_address_gets_its_burst_then_its_rate_and_others_are_not_held_up(log):
    burst = analytics_module.PER_ADDRESS[1]
    recorded = [log.search(f"查询{i}", 1, ip="10.0.0.1") for i in range(burst + 50)]
    assert sum(t is not None for t in recorded) <= burst + 2  # a token or two comes back meanwhile
    assert log.search("别人的查询", 1, ip="10.0.0.2") is not None
    assert not log.opened("0" * 16, "/a/x", ip="10.0.0.1")


def test_no_more_than_the_daily_cap_is_kept_whatever_the_addresses(log, monkeypatch):
    monkeypatch.setattr(analytics_module, "MAX_PER_DAY", 30)
    for i in range(50):
        token = log.search(f"查询{i}", 1, ip=f"10.1.{i}.1")
        log.opened(token, "/a/x", ip=f"10.1.{i}.1")
        log.flush()
    with log.session() as s:
        assert s.execute(text("select count(*) from kb_search_log")).scalar() == 30
        assert s.execute(text("select count(*) from kb_search_opened")).scalar() == 30


def test_days_that_are_over_are_summed_up_and_the_report_is_the_same(log):
    from kb.analytics_rollup import roll_up

    rows = []
    for days_ago in (3, 3, 10, 40):
        token = analytics_module.new_token()
        rows.append(search_row("保密", 4, days_ago=days_ago, token=token))
        rows.append(Opened(token=token, at=now() - dt.timedelta(days=days_ago), url="/a/x", rank=1))
    zero = analytics_module.new_token()
    rows.append(search_row("baomi", 0, days_ago=3, token=zero))
    then = analytics_module.new_token()
    rows.append(search_row("开会", 2, days_ago=3, token=then))
    rows.append(Opened(token=then, at=now() - dt.timedelta(days=3), url="/a/y", rank=1, after=zero))
    rows.append(search_row("今天的查询", 1))
    add_rows(log, *rows)

    def summary():
        rep = report(log, days=30)
        return (sorted((q.query, q.searches, q.zero, q.opened, q.average) for q in rep.queries),
                [(w.searches, w.zero, w.opened) for w in rep.weeks], [(p.typed, p.then, p.times) for p in rep.pairs])

    with log.session() as s:  # as the report saw the raw rows before any summing up
        from kb.analytics_report import Report, _pairs, _queries, _weeks

        since = now() - dt.timedelta(days=30)
        before = Report(since, _queries(s, since), _weeks(s, 12), _pairs(s, since))
    expected = (sorted((q.query, q.searches, q.zero, q.opened, q.average) for q in before.queries),
                [(w.searches, w.zero, w.opened) for w in before.weeks], [(p.typed, p.then, p.times) for p in before.pairs])
    assert summary() == expected and ("保密", 3, 0, 3, 4.0) in expected[0]
    assert [r["query"] for r in log.rows()] == ["今天的查询"]  # the raw rows of past days are gone
    assert roll_up(log) == 0 and summary() == expected  # summed once
