"""Search that says when it has no answer (issue 20), through the real site: the page and the API
name the missing words, the query log counts the search among the gaps, and everyday wording finds
the checklist written for it."""
import re

import pytest
import sqlalchemy

from kb.analytics import Analytics, now
from kb.database import open_database
from tests.web.test_analytics import page, rows


def test_a_topic_the_site_does_not_treat_is_answered_as_uncovered_naming_its_missing_words(anonymous):
    for query, missing, found in (("会议纪要怎么写", "会议纪要", "会议"), ("印章管理", "印章", "管理")):
        data = anonymous.get(f"/api/search?q={query}").get_json()
        assert data["total"] > 0 and data["covered"] is False and data["missing"] == [missing]
        assert data["coverage_note"] == f"没有找到讲“{missing}”的内容；下面的结果只含“{found}”。"
        assert all(found in hit["matched"] and missing not in hit["matched"] for hit in data["results"])
        _, body = page(anonymous, f"/search?q={query}")
        note = re.search(r'<p class="notice coverage-note" role="status">([^<]+)</p>', body).group(1)
        assert note == f"没有找到讲“{missing}”的内容；下面的结果只含“{found}”。"
        assert '<ol class="results"' in body  # the results are still shown, below the note


def test_a_query_the_articles_answer_gets_no_such_note(anonymous):
    for query in ("保密", "会议筹备", "领导出差陪同要准备什么", "督查督办"):
        data = anonymous.get(f"/api/search?q={query}").get_json()
        assert data["covered"] is True and "missing" not in data, query
        assert "coverage-note" not in page(anonymous, f"/search?q={query}")[1]


def test_an_uncovered_search_is_logged_as_not_found_with_its_missing_words_and_shows_among_the_gaps(client, site):
    page(client, "/search?q=会议纪要怎么写")
    page(client, "/search?q=保密")
    logged = {r["query"]: r for r in rows(site)}
    assert logged["会议纪要怎么写"]["missing"] == "会议纪要" and logged["会议纪要怎么写"]["results"] > 0
    assert logged["保密"]["missing"] is None
    _, body = page(client, "/analytics")
    gaps = body.split('id="zero-h"')[1].split('id="top-h"')[0]
    assert "会议纪要怎么写</a> <span class=\"muted small\">（结果里没有“会议纪要”）</span>" in gaps
    assert ">保密</a>" not in gaps
    assert "没有结果 <strong>1</strong> 次" in body


def test_a_query_log_made_before_missing_words_were_kept_takes_them_without_losing_rows(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with database.begin() as c:
        c.execute(sqlalchemy.text("CREATE TABLE kb_search_log (id INTEGER PRIMARY KEY, token VARCHAR(32) UNIQUE, "
                                  "at DATETIME, query VARCHAR(200), results INTEGER, corrected VARCHAR(200), "
                                  "source VARCHAR(8), ip VARCHAR(64))"))
        c.execute(sqlalchemy.text("INSERT INTO kb_search_log (token, at, query, results, source) "
                                  "VALUES ('aaaa', :at, '保密', 3, 'page')"), {"at": now()})
    log = Analytics(database)
    log.search("印章管理", 4, missing=["印章"])
    assert log.flush()
    assert [(r["query"], r["missing"]) for r in log.rows()] == [("保密", None), ("印章管理", "印章")]


# Issue 20's everyday-wording examples: the checklist's section is the time the question names, in
# other words (search.stages: 开会前 and 会前, 每天 and 每日), and no synonym says so.
@pytest.mark.parametrize("query, time_words, checklist, section", [
    ("开会前要准备哪些东西", {"开会前", "会前", "前"}, "meeting-preparation", "会前"),
    ("办公室主任每天要做什么", {"每天", "每日", "天天"}, "director-daily-weekly", None)])
def test_everyday_questions_put_their_checklist_first_without_a_synonym_for_them(anonymous, site, query, time_words,
                                                                                   checklist, section):
    groups = [set(line.split()) for line in site.synonyms_text()[0].splitlines() if not line.startswith("#")]
    assert not any(time_words & group for group in groups)
    first = anonymous.get(f"/api/search?q={query}").get_json()["results"][0]
    assert first["slug"] == checklist and (section is None or first["section"] == section)


def test_an_uncovered_search_summed_up_by_day_stays_among_the_gaps_with_its_missing_words(tmp_path):
    import datetime as dt

    from kb.analytics_report import report

    log = Analytics(open_database(f"sqlite:///{tmp_path / 'log.sqlite3'}"))
    log.search("印章管理", 4, missing=["印章"])
    log.search("保密", 6)
    assert log.flush()
    with log.engine.begin() as c:  # five days ago: past the days kept raw (kb.analytics_rollup)
        c.execute(sqlalchemy.text("UPDATE kb_search_log SET at = :at"), {"at": now() - dt.timedelta(days=5)})
    gaps = report(log, 30).found_nothing()
    assert [(q.query, q.zero, q.missing) for q in gaps] == [("印章管理", 1, "印章")]
    assert log.rows() == []  # summed up, the raw rows gone
