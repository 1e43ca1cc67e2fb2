"""What counts when search says it has no answer (search.coverage), on the bundled articles: a word
that only makes the question form never names a topic, and — when switched on — the words the
index has nothing at all for join a missing topic word, or are left out of the share (both tried, off by
default: docs/benchmarks.md)."""
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
