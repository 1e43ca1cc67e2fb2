"""Questions that ask what to do (search.intent), with the knob on as it was tried (it is off by
default: docs/benchmarks.md): the question form's words are left out of the plan."""
import dataclasses

import pytest

from kb.config import load_config
from search.interface import Parameters, open_engine
from search.intent import wants_steps
from search.parse import parse_query
from search.plan import build_plan
from tests.conftest import CONTENT

TRIED = dataclasses.replace(Parameters(), intent=1.0)


@pytest.fixture(scope="module")
def tried(built_index):
    engine = open_engine(load_config(content_dir=CONTENT, index_dir=built_index), TRIED, cache_size=0)
    yield engine
    engine.close()


@pytest.mark.parametrize("text, asks", [("开会前要准备哪些东西", True), ("出差回来以后还要干什么", True), ("遇到突发事件怎么办", True),
                                        ("会议筹备", False), ("办公室主任的基本要求", False), ("什么是三办", False)])
def test_the_question_form_says_whether_steps_are_wanted(text, asks):
    assert wants_steps(text) is asks


def test_the_words_of_the_question_form_are_left_out_of_the_plan(tried):
    snap = tried.snapshot()
    plan = build_plan(parse_query("出差回来以后还要干什么"), snap.dictionary, snap.vocabulary, tried.synonyms,
                      parameters=TRIED)
    assert [g.label for g in plan.groups] == ["出差", "回来", "以后"] and plan.wants_steps
    default = build_plan(parse_query("出差回来以后还要干什么"), snap.dictionary, snap.vocabulary, tried.synonyms)
    assert "干什么" in [g.label for g in default.groups]
