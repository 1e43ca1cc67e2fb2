"""Bounded work per search (issue 9.1): limits on what a query may ask for, and a time budget
after which a search answers with what it has found, saying so in Chinese."""
import time

from search.engine import MAX_LIMIT, MAX_PAGE
from search.parse import MAX_QUERY_CHARS, parse_query
from search.plan import MAX_WORDS
from search.interface import Query
from tests.conftest import ask


def test_a_search_out_of_time_answers_with_what_it_has_and_says_so(searcher):
    words = "保密 会议 请示 汇报 接待 值班 公文 督查"
    full = ask(searcher, words)
    assert not full.incomplete and full.note is None
    cut = ask(searcher, words, limit=9, deadline=time.monotonic() - 1)  # another limit: not the cached answer
    assert cut.incomplete
    assert cut.hits and cut.total > 0  # the first word was searched
    assert cut.total <= full.total
    assert "时限" in cut.note and "不完整" in cut.note
    data = cut.to_json()
    assert data["incomplete"] is True and data["note"] == cut.note
    assert "incomplete" not in full.to_json() and "note" not in full.to_json()
    assert all(h["snippet"] for h in data["results"])


def test_an_incomplete_answer_is_never_served_again_from_the_cache(searcher):
    words = "保密 会议 接待 请示汇报 公文处理"
    assert ask(searcher, words, limit=7, deadline=time.monotonic() - 1).incomplete
    assert not ask(searcher, words, limit=7).incomplete


def test_partial_matches_keep_to_the_budget_too(searcher):
    cut = searcher.partial_matches(Query("保密会议接待值班", deadline=time.monotonic() - 1))
    assert cut.incomplete and "时限" in cut.note


def test_the_budget_comes_from_the_configuration(tmp_path, built_index):
    from tests.conftest import CONTENT, engine_for

    engine = engine_for(CONTENT, built_index)
    assert engine.setup.search_budget_ms == 1000
    assert not ask(engine, "保密 会议").incomplete


def test_queries_and_pages_are_bounded(searcher):
    parsed = parse_query("保密" * 5000)
    assert len(parsed.text) == MAX_QUERY_CHARS
    phrases = " ".join(f'"保密{i}"' for i in range(100)) + " " + " ".join(f"-会议{i}" for i in range(100))
    from search.plan import build_plan

    snap = searcher.snapshot()
    plan = build_plan(parse_query(phrases), snap.dictionary, snap.vocabulary)
    assert len(plan.required) + len(plan.excludes) <= 2 * MAX_WORDS
    result = ask(searcher, "会议", limit=10**6, page=10**9)
    assert result.limit == MAX_LIMIT and result.page == MAX_PAGE
