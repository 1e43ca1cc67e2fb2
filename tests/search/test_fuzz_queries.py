"""Property-based fuzz of queries against the engine (issue 9): whatever is typed — the query
syntax's own characters in any order, Chinese, control characters, very long or odd numbers
for the paging — a search, its suggestions and its partial matches never raise and always
answer in the shape of the API. KB_FUZZ_EXAMPLES sets the number of queries tried (default 500)."""
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.engine import MAX_LIMIT
from kb.fields import registry
from search.interface import Query
from tests.conftest import ask

FUZZ = settings(max_examples=int(os.environ.get("KB_FUZZ_EXAMPLES", "500")), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
# the query language's own characters, full-width forms, Chinese words of the content, controls
QUERY_CHARS = st.sampled_from(list(' "“”「」：:－-+*?~^()[]{}|&!\\/.,，。、') + ["OR", "AND", "type:", "tag:", "category:",
                                                                          "类型：", "标签:", "分类："]
                              + ["保密", "会议", "请示汇报", "办公室", "接待", "克思主", "55", "baomi", "bmgz"]
                              + list("的一是在不了有和人这中大为上个国我以要") + ["\x00", "\x1f", "\u200b", "\ufeff", "\U0001F600"])
QUERIES = st.one_of(st.lists(QUERY_CHARS, max_size=40).map("".join), st.text(max_size=80),
                    st.lists(QUERY_CHARS, min_size=300, max_size=500).map("".join))  # past MAX_QUERY_CHARS
NUMBERS = st.one_of(st.integers(-5, 5), st.integers(-10**12, 10**12), st.none())
OPTIONAL = st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["checklist", "清单", "保密", "办公室综合"]))
JSON_KEYS = {"query", "total", "page", "results", "facets", "took_ms", "covered"}
HIT_KEYS = {"slug", "title", "url", "section", "anchor", "heading_path", "snippet", "score", "type", "tags", "category",
            "updated", "more", "why", "matched", "pinned"}


def assert_api_shape(data: dict) -> None:
    assert JSON_KEYS <= set(data) and set(data) - JSON_KEYS <= {"suggestion", "corrected_from", "incomplete", "note", "partial",
                                                           "missing", "coverage_note"}
    assert isinstance(data["total"], int) and data["total"] >= 0 and len(data["results"]) <= MAX_LIMIT
    assert set(data["facets"]) == {f.name for f in registry().facets}
    for hit in data["results"]:
        assert HIT_KEYS <= set(hit) and hit["url"].startswith("/a/") and isinstance(hit["snippet"], str)
    json.dumps(data, ensure_ascii=False)


@FUZZ
@given(text=QUERIES, limit=NUMBERS, page=NUMBERS, type=OPTIONAL, tag=OPTIONAL, category=OPTIONAL,
       sort=st.sampled_from(["relevance", "updated", "x", ""]))
def test_any_query_answers_in_the_shape_of_the_api(searcher, text, limit, page, type, tag, category, sort):
    result = ask(searcher, text, limit=limit, page=page, type=type, tag=tag, category=category, sort=sort)
    assert_api_shape(result.to_json())
    assert len(result.hits) <= result.limit


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=QUERIES)
def test_any_query_gets_suggestions_and_partial_matches_without_raising(searcher, text):
    correction = searcher.suggest_words(text)
    assert correction is None or isinstance(correction, str)
    assert all(s.to_json() for s in searcher.suggest(text))
    assert_api_shape(searcher.partial_matches(Query(text)).to_json())
