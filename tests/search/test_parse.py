import pytest

from search.parse import parse_query


def test_words_phrases_excludes_and_filters():
    q = parse_query('保密 "请示汇报" -值班 type:清单 tag:会务 category:办公室综合 OR 会议')
    assert q.words == ["保密", "会议"]
    assert q.phrases == ["请示汇报"]
    assert q.excludes == ["值班"]
    assert q.filters == {"type": ["checklist"], "tags": ["会务"], "category": ["办公室综合"]}


def test_chinese_quotes_colons_and_filter_names():
    q = parse_query("“会议纪要” 类型：流程 标签：保密")
    assert q.phrases == ["会议纪要"]
    assert q.filters == {"type": ["procedure"], "tags": ["保密"]}


def test_unbalanced_quote_runs_to_the_end():
    assert parse_query('"请示 汇报').phrases == ["请示 汇报"]


@pytest.mark.parametrize("text", ["", "   ", "(((", ")))", "\"", "-", "type:", "AND OR NOT", "*?~^:", "a" * 10000, "\x00\u200b"])
def test_anything_parses(text):
    parse_query(text)
