"""What a question asks for, from its form: 「开会前要准备哪些东西」, 「办公室主任每天要做什么」 and
「出差回来以后还要干什么」 want the list of things to do — a checklist or a procedure — more than a
page that discusses the same words. Staff phrase such questions in a few fixed ways (要做什么,
准备哪些, 怎么办, 还要干啥 …), written here once. search.ranking lifts the documents of the types
``Parameters.steps_types`` by ``Parameters.intent`` for them, and the plan leaves out the words
that only make the question form (做, 干什么, 东西 in 哪些东西): they say what kind of answer is
wanted, not what it is about, and matched every page that happens to say 做 or 东西.
"""
from __future__ import annotations

import re

_ASK = r"(?:还要|还得|需要|应该|应当|要|该|得)?"
_VERB = r"(?:做|干|办|准备|注意|带|弄|搞|安排|落实|跟进)"
_WHAT = r"(?:什么|啥|哪些|些什么|嘛)"
STEPS = re.compile(
    rf"{_ASK}{_VERB}(?:些|点)?{_WHAT}(?:事|事情|东西|工作|准备)?"  # 要做什么, 准备哪些东西, 还要干啥
    rf"|{_ASK}{_WHAT}(?:事|事情|东西|工作)"  # 哪些事, 有什么事
    r"|怎么(?:办|做|弄|整|搞|安排|准备)|如何(?:做|办|准备|安排)|咋(?:办|整|弄)"
    r"|流程|步骤|程序|清单|注意事项"
)
# words that only make the question form; content verbs (准备, 注意, 安排 …) stay
FORM_WORDS = frozenset("做 干 办 弄 搞 整 带 做什么 干什么 干啥 干嘛 什么 啥 哪些 东西 事 事情 还要 还得 需要 应该 应当 要做 要干 "
                       "怎么办 怎么做 咋办 咋整 咋弄 些".split())


def steps_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` asks what to do; empty when it does not."""
    return [m.span() for m in STEPS.finditer(text)]


def wants_steps(text: str) -> bool:
    """Whether the words typed ask what to do (a checklist or a procedure answers)."""
    return bool(STEPS.search(text))


def question_form(word: str, start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether a word of a chunk, at ``start``–``end``, only makes its question form."""
    return word in FORM_WORDS and any(a <= start and end <= b for a, b in spans)
