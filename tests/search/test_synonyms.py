"""The synonyms list editors keep: its checks (Chinese messages with line numbers), adding a
word, candidates from the query log, and search taking up a changed list without re-indexing."""
import os
import time

import pytest

from kb.analytics_report import Pair
from kb.synonyms import add_word, candidates, parse
from search.analyzer import query_words
from search.synonyms import check
from tests.conftest import CONTENT, engine_for
from tests.conftest import ask


def messages(text):
    return [(p.line, p.severity, p.message) for p in check(text)]


def test_the_bundled_list_has_no_errors_or_warnings():
    # 保守秘密 is cut into 保守 / 秘密 (not in content/_dictionary.txt): it is looked for as the
    # two words side by side, nothing an editor has to mend
    assert check((CONTENT / "_synonyms.txt").read_text(encoding="utf-8")) == []


def test_a_synonym_search_splits_finds_where_its_words_stand_together(searcher):
    """The bundled list has 「保密 保守秘密 守密」: a search for 保密 finds the section headed
    要能保守秘密, saying it was found by the synonym, and typed as one 保守秘密 is found by 保密."""
    found = ask(searcher, "保密")
    hit = next(h for h in found.hits if h.slug == "office-director-basic-conditions")
    assert hit.section.endswith("要能保守秘密") and "同义词：保守秘密" in hit.why
    assert "保守秘密" in hit.matched
    plain = ask(searcher, "保守 秘密")  # two words typed apart are two words
    together = ask(searcher, "保守秘密")
    assert together.total > plain.total and "confidentiality" in [h.slug for h in together.hits]


def test_a_word_in_two_groups_is_an_error_naming_both_lines():
    found = messages("# 注释\n会议 开会\n\n请示 请教\n开会，碰头会\n")
    assert found == [(5, "error", "「开会」已经在第 2 行的一组里；一个词只能属于一组，要合并就把两行写成一行")]


def test_the_same_word_in_traditional_characters_is_the_same_word():
    [(line, severity, message)] = messages("会议 开会\n會議 碰头会\n")
    assert line == 2 and severity == "error" and "就是「会议」，繁简或大小写不同" in message and "第 1 行" in message


def test_empty_and_one_word_groups_are_errors():
    found = messages("会议 开会\n，、 ,\n碰头会\n值班 值班\n")
    assert (2, "error", "这一行只有分隔符，没有词（空的一组）") in found
    assert any(line == 3 and "只有一个词「碰头会」" in m for line, _, m in found)
    assert any(line == 4 and "只有一个词「值班」" in m for line, _, m in found)
    assert (4, "warning", "「值班」在这一行里写了两次") in found


def test_query_syntax_and_sentences_are_not_words():
    found = messages('会议 -开会\n请示 type:清单\n来访 "接待"\n出差 外出到很远很远很远很远很远很远的地方去办事情\n')
    assert [line for line, severity, _ in found if severity == "error"] == [1, 2, 3, 4]
    assert "搜索语法" in found[0][2] and "太长" in found[3][2]


def test_words_search_ignores_get_a_warning_and_words_it_splits_none():
    found = messages("派车 公车\n的 之\n")
    assert {line for line, severity, m in found if severity == "warning" and "停用词" in m} == {2}
    assert not [p for p in found if p[0] == 1]  # 派车 (派 / 车) is looked for as the two side by side


def test_adding_a_word_to_a_group_or_as_a_new_group():
    text = "# 同义词\n会议 开会  # 常用\n请示 请教\n"
    assert add_word(text, "碰头会", line=2) == "# 同义词\n会议 开会 碰头会  # 常用\n请示 请教\n"
    assert add_word(text, "接风", partner="接待") == text + "接待 接风\n"
    with pytest.raises(ValueError, match="第 1 行不是一组同义词"):
        add_word(text, "x", line=1)
    assert [g.words for g in parse("会议、开会，碰头会\n")] == [("会议", "开会", "碰头会")]


def test_the_query_log_suggests_where_a_word_that_found_nothing_belongs():
    text = "会议 开会 办会\n请示 请教\n"
    words = lambda q: query_words(q)  # noqa: E731
    pairs = [Pair("碰头会", "开会 通知", 3), Pair("公车", "用车", 2), Pair("请教", "请示", 5),
             Pair("领导临时要请人吃饭", "接待 用餐", 1), Pair("公车 申请", "用车", 1)]
    found = {c.word: c for c in candidates(pairs, text, words)}
    assert set(found) == {"碰头会", "公车"}  # 请教 is in a group already; a sentence pairs with no one word
    assert found["碰头会"].group.line == 1 and found["碰头会"].times == 3
    assert found["公车"].group is None and found["公车"].partner == "用车"


def test_a_changed_list_is_used_at_once_without_reindexing_despite_the_cache(built_index, tmp_path):
    own = tmp_path / "_synonyms.txt"
    own.write_text("会议 开会\n", encoding="utf-8")
    engine = engine_for(CONTENT, built_index, synonyms_path=own)  # with its result cache
    try:
        assert ask(engine, "碰头会").total == 0
        replacement = tmp_path / "new.txt"
        replacement.write_text("会议 碰头\n", encoding="utf-8")  # the same size: only the file differs
        os.replace(replacement, own)  # as a save does
        assert ask(engine, "碰头会").total == 0
        replacement.write_text("会议 碰头会\n", encoding="utf-8")
        os.replace(replacement, own)
        found = ask(engine, "碰头会")
        assert found.total > 0 and "同义词：会议" in found.hits[0].why
    finally:
        engine.close()


def test_the_engine_checks_and_splits_with_the_index_dictionary(searcher):
    assert searcher.words("保密原則") == ["保密", "原则"]
    assert searcher.words("督查督办") == ["督查督办"]  # a word of content/_dictionary.txt
    assert searcher.check_synonyms("督查督办 催办\n") == []
    assert [p.severity for p in searcher.check_synonyms("会议\n")] == ["error"]


def test_an_added_word_is_one_word_and_a_new_group_has_two():
    with pytest.raises(ValueError, match="不能有空格"):
        add_word("会议 开会\n", "公车 申请", line=1)
    with pytest.raises(ValueError, match="另一个词"):
        add_word("会议 开会\n", "公车")


def test_a_group_over_the_limit_is_an_error_that_names_the_limit():
    from kb.synonyms import MAX_GROUP

    words = " ".join(f"词语{i}" for i in range(MAX_GROUP + 5))
    [(line, severity, message)] = [m for m in messages(f"会议 开会\n{words}\n") if m[1] == "error"]
    assert line == 2 and f"这一组有 {MAX_GROUP + 5} 个词，超过了每组 {MAX_GROUP} 个词的上限" in message


def test_a_huge_group_written_by_hand_is_read_up_to_the_limit_and_searches_keep_the_budget(tmp_path, built_index):
    """Issue 16: one group of 2,763 common words made every search slow, past the budget and
    not flagged. A hand-written file is read up to MAX_GROUP words a group; a search whose
    time is up after the first word's alternative answers, flagged incomplete."""
    from search.analyzer import query_words
    from kb.synonyms import MAX_GROUP
    from search.synonyms import Synonyms

    from search.interface import Query

    words = [w for w in dict.fromkeys(query_words((CONTENT / "guides" / "office-service-work.md").read_text(
        encoding="utf-8"))) if len(w) > 1][:2763]
    path = tmp_path / "_synonyms.txt"
    path.write_text("保密 " + " ".join(w for w in words if w != "保密") + "\n", encoding="utf-8")
    assert len(Synonyms(path).of("保密")) == MAX_GROUP - 1
    engine = engine_for(CONTENT, built_index, synonyms_path=path)
    full = engine.search(Query("保密", limit=3))
    assert not full.incomplete and full.total > 0
    cut = engine.search(Query("保密", limit=4, deadline=time.monotonic() - 1))
    assert cut.incomplete and 0 < cut.total < full.total  # the word itself, none of its synonyms
