"""What counts when search says it has no answer (search.coverage), on the bundled articles: a word
that only makes the question form never names a topic; a noun found only by its first part is a
missing topic (会议室 of 会议); a verbal noun (评先) names none; and — when switched on — the words
the index has nothing at all for join a missing topic word standing beside them, or are left out
of the share (tried, off by default: docs/benchmarks.md)."""
import dataclasses

import pytest

from kb.config import load_config
from search.interface import Parameters, Query, open_engine
from tests.conftest import CONTENT


def test_a_word_of_the_question_form_is_no_missing_topic(searcher):
    """干嘛 is a rare noun to jieba (idf 16.5) that no article has; 突发 answers the question."""
    result = searcher.search(Query("出了突发状况先干嘛"))
    assert result.total and result.covering.covered


@pytest.fixture(scope="module")
def joining(built_index):
    engine = open_engine(load_config(content_dir=CONTENT, index_dir=built_index),
                         dataclasses.replace(Parameters(), distinctive=10.0, unknown_joins=10.0), cache_size=0)
    yield engine
    engine.close()


def test_words_the_index_has_nothing_for_join_a_missing_topic(joining, searcher):
    """会议室 is missing (only 会议 found) and the site knows no 预订 either."""
    result = joining.search(Query("会议室预订"))
    assert result.total and result.covering.missing == ("会议室", "预订")
    assert result.covering.note.startswith("没有找到讲“会议室”、“预订”的内容")
    alone = joining.search(Query("预订 会议"))  # no topic missing: an unknown word alone opens no gap
    assert alone.covering.covered
    assert searcher.search(Query("会议室预订")).covering.covered  # off by default


def test_with_unknown_words_neutral_the_share_is_of_the_words_the_search_could_judge(built_index, searcher):
    """预订 is in no article and no topic: left out, 会议室 (missing, only 会议 found) is all of it."""
    engine = open_engine(load_config(content_dir=CONTENT, index_dir=built_index),
                         dataclasses.replace(Parameters(), distinctive=10.0, unknown_neutral=True), cache_size=0)
    try:
        assert engine.search(Query("会议室预订")).covering.missing == ("会议室",)
        assert engine.search(Query("出了突发状况先干嘛")).covering.covered
    finally:
        engine.close()
    assert searcher.search(Query("会议室预订")).covering.covered  # off by default


def _engine(built_index, **changes):
    return open_engine(load_config(content_dir=CONTENT, index_dir=built_index),
                       dataclasses.replace(Parameters(), **changes), cache_size=0)


def test_a_noun_found_only_by_its_first_part_is_a_missing_topic(built_index):
    """No article treats 会议室 or 固定资产; the results have only 会议 / 固定, what modifies them.
    Both words are commoner than ``distinctive`` (11.5, 10.9), so the rarity rule alone let the
    results pass as an answer."""
    engine = _engine(built_index, headless_topics=True)
    old = _engine(built_index, headless_topics=False)
    try:
        for query, found in (("会议室", "会议"), ("固定资产", "固定")):
            result = engine.search(Query(query))
            assert result.total and result.covering.missing == (query,), query
            assert result.covering.note == f"没有找到讲“{query}”的内容；下面的结果只含“{found}”。"
            assert old.search(Query(query)).covering.covered, query
        assert engine.search(Query("接下来")).covering.covered  # found by 下来: its end is there
        assert engine.search(Query("会议筹备")).covering.covered
    finally:
        engine.close()
        old.close()


def test_a_word_the_index_lacks_joins_a_missing_topic_only_beside_it(built_index):
    """预订 and 登记 stand next to the missing noun (怎么 between is a question word); 补办 is
    two words away from 工作证 (丢 between), in no phrase with it."""
    beside = _engine(built_index, unknown_joins=10.0, joins_beside=True, headless_topics=True)
    anywhere = _engine(built_index, unknown_joins=10.0, joins_beside=False, headless_topics=True)
    try:
        assert beside.search(Query("会议室预订")).covering.missing == ("会议室", "预订")
        result = beside.search(Query("固定资产怎么登记"))
        assert result.covering.note == "没有找到讲“固定资产”、“登记”的内容；下面的结果只含“固定”。"
        assert beside.search(Query("工作证丢了补办")).covering.covered
        assert anywhere.search(Query("工作证丢了补办")).covering.missing == ("工作证", "补办")
    finally:
        beside.close()
        anywhere.close()


def test_a_verbal_noun_names_no_topic(built_index):
    """「评优评先要不要去争」 is answered by 不要争功劳; jieba tags 评先 a verbal noun (vn), like
    管理 and 活动: it names an activity, not a thing the site lacks."""
    engine = _engine(built_index, unknown_joins=10.0, verbal_nouns=False)
    old = _engine(built_index, unknown_joins=10.0, verbal_nouns=True)
    try:
        assert engine.search(Query("评优评先要不要去争")).covering.covered
        assert "评先" in old.search(Query("评优评先要不要去争")).covering.missing
    finally:
        engine.close()
        old.close()
