"""The time a question names and the time a heading names (search.stages): a stage of an event —
its part and its characters — or a recurring period, read the same way from both, so that 开会前
finds the section 会前 and 每天 the sections 每日：…, which share no index word with them; and a word said split in two (离合词, 开完会), which is
tried and off by default."""
import dataclasses

import pytest

from search.analyzer import separated_words
from search.interface import Parameters, Query
from search.parse import parse_query
from search.plan import build_plan
from search.stages import AFTER, BEFORE, DURING, times, written_forms


@pytest.mark.parametrize("text, part, chars", [
    ("开会前要准备哪些东西", BEFORE, "开会"), ("会前", BEFORE, "会"), ("跟领导出门办事之前要弄好啥", BEFORE, "出门办事"),
    ("开会的时候手机要注意什么", DURING, "开会"), ("出差途中", DURING, "出差"), ("会中", DURING, "会"),
    ("出差回来以后还要干什么", AFTER, "出差回来"), ("返回后", AFTER, "返回"), ("会议结束后", AFTER, "会议结束"),
    ("开完会还要干啥", AFTER, "开会"),
])
def test_a_stage_is_the_part_of_an_event_and_the_characters_that_name_it(text, part, chars):
    assert [(s.part, s.event) for s in times(text).stages] == [(part, frozenset(chars))]


@pytest.mark.parametrize("text", ["陪领导开会要提前做哪些准备", "干办公室这行有没有前途", "服务中心", "几个副职夹在中间怎么办",
                                  "会议筹备清单"])
def test_words_that_merely_contain_a_marker_name_no_time(text):
    assert not times(text)


@pytest.mark.parametrize("query, head, same", [
    ("开会前要准备哪些东西", "会前", True), ("开会前要准备哪些东西", "会后", False),
    ("出差回来以后还要干什么", "返回后", True), ("出差回来以后还要干什么", "出发前", False),
    ("跟领导出门办事之前要弄好啥", "出发前", True), ("开完会还要干啥", "会后", True),
    ("接待前要准备什么", "会前", False),  # the same part of another event
    ("办公室主任每天要做什么", "每日：到岗与待命", True), ("每个礼拜要做哪些事", "每周：督查与落实", True),
    ("年底要做啥总结", "每月、每季与年终", True), ("办公室主任每天要做什么", "每周：督查与落实", False),
])
def test_a_query_and_a_heading_name_one_time_when_part_and_a_character_or_the_period_agree(query, head, same):
    assert times(query).shared_with(times(head)) is same


def test_a_period_said_in_everyday_words_is_also_looked_for_as_written():
    assert written_forms("办公室主任每天要做什么") == [(5, 7, "每日")]
    assert [w for *_, w in written_forms("每个礼拜和年底")] == ["每周", "年终"]
    assert written_forms("每日工作") == []  # already the written form


@pytest.mark.parametrize("query, slug, anchor", [("开会前要准备哪些东西", "meeting-preparation", "会前"),
                                                 ("出差回来以后还要干什么", "leader-trip-preparation", "返回后")])
def test_the_section_of_the_time_asked_about_comes_first(searcher, query, slug, anchor):
    first = searcher.search(Query(query)).hits[0]
    assert (first.slug, first.anchor) == (slug, anchor)


@pytest.mark.parametrize("text, words", [("开完会还要干啥", ["开会"]), ("请个假要找谁", ["请假"]), ("出了差回来", ["出差"]),
                                         ("一个人", []), ("这个事", []), ("会议纪要", [])])
def test_a_word_said_split_in_two_is_found_whole(text, words):
    assert separated_words(text) == words


def test_the_words_said_split_in_two_join_the_plan_when_switched_on(searcher):
    snap = searcher.snapshot()
    on = dataclasses.replace(Parameters(), separated=True)
    labels = [g.label for g in build_plan(parse_query("开完会还要干啥"), snap.dictionary, snap.vocabulary,
                                          searcher.synonyms, parameters=on).groups]
    assert "开会" in labels
    assert "开会" not in [g.label for g in build_plan(parse_query("开完会还要干啥"), snap.dictionary, snap.vocabulary,
                                                     searcher.synonyms).groups]  # off by default
