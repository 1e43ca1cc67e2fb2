"""When a question is about, and when a heading is: 「开会前要准备哪些东西」 asks about the time
before a meeting, and the checklist's section 会前 is that time, though the two share no word —
jieba cuts 开会 / 前 in the one and keeps 会前 whole in the other (or the reverse), so no index
term matches. Staff name a time in two ways, and both are read here the same way for a query and
for a document's head (its section heading or its article's title):

- a **stage** of an event: the event's words and a word that says before, during or after it
  (``MARKERS``): 开会前, 会议结束后, 开会的时候, 回来以后, 出门办事之前, 开完会; 会前, 出发前,
  出差途中, 返回后. Two stages are the same when they say the same part (before, during,
  after) and their events share a character: 开会 and 会, 回来 and 返回, 出门 and 出发 —
  the colloquial and the written word for one event share a character far more often than
  they share a word;
- a **period** that recurs (``PERIODS``): 每天, 天天, 日常 and 每日 are one period; 每个礼拜 and 每周;
  年底 and 年终. A period said in everyday words is also looked for in its written form
  (``written_forms``: 每天 → 每日), an index word, so that the sections it heads are found at all.

Nothing here names a topic (会议, 出差 stay ordinary words, matched as usual); search.ranking
lifts a document whose head is the time the query is about (``Parameters.stage``). The tables
are general Chinese, not this site's words, written from what the time words mean rather than
from the queries that failed. Measured (docs/benchmarks.md, 第五轮): everyday tuned Hit@1
0.404 → 0.511 (its time questions 0.333 → 0.750), held out 0.391 → 0.435; the main set and
the blind set unchanged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .analyzer import segmenter, stopwords
from .folding import fold

BEFORE, DURING, AFTER = "before", "during", "after"
# a word that says which part of an event the words before it name
MARKERS = {
    "前": BEFORE, "之前": BEFORE, "以前": BEFORE,
    "时": DURING, "时候": DURING, "期间": DURING, "途中": DURING, "中": DURING, "当中": DURING, "过程中": DURING,
    "后": AFTER, "之后": AFTER, "以后": AFTER, "完": AFTER, "完了": AFTER, "完毕": AFTER,
}
# a verb ending in 完 says the event is over: 开完 (会), 办完, 吃完 (饭)
DONE = "完"
PARTICLES = frozenset("的 了 过 着".split())  # between an event and its marker
EVENT_CHARS = 4  # at most this many characters before a marker name its event (出门办事之前)

# recurring periods as staff say them, each with the form office writing uses (None: the same)
PERIODS: dict[str, dict[str, str | None]] = {
    "day": {"每天": "每日", "天天": "每日", "每一天": "每日", "每日": None, "日常": None, "每个工作日": "每日"},
    "week": {"每周": None, "每一周": "每周", "每星期": "每周", "每个星期": "每周", "每礼拜": "每周", "每个礼拜": "每周",
             "周周": "每周"},
    "month": {"每月": None, "每个月": "每月", "每一个月": "每月", "月月": "每月", "月底": None, "月初": None, "月度": None},
    "quarter": {"每季": None, "每季度": "每季", "每个季度": "每季", "季度": None},
    "year": {"每年": None, "年年": "每年", "年底": "年终", "年末": "年终", "年终": None, "年初": None, "年度": None},
}
_SAID = {said: (period, written) for period, forms in PERIODS.items() for said, written in forms.items()}
_PERIOD = re.compile("|".join(sorted(map(re.escape, _SAID), key=len, reverse=True)))


def written_forms(text: str) -> list[tuple[int, int, str]]:
    """(start, end, the written form) of each period ``text`` says in its own words: 每天 is
    每日 in the text, 每个礼拜 每周, 年底 年终. A query looks for both."""
    return [(m.start(), m.end(), w) for m in _PERIOD.finditer(text) if (w := _SAID[m.group()][1])]


@dataclass(frozen=True)
class Stage:
    """A part of an event (``part``: BEFORE, DURING, AFTER) and the characters of its words."""

    part: str
    event: frozenset[str]


@dataclass(frozen=True)
class Times:
    """The times a text names: stages of events and recurring periods."""

    stages: tuple[Stage, ...] = ()
    periods: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.stages or self.periods)

    def shared_with(self, other: "Times") -> bool:
        """Whether the two name one time: a period in common, or the same part of events that
        share a character."""
        if self.periods & other.periods:
            return True
        return any(a.part == b.part and a.event & b.event for a in self.stages for b in other.stages)


NONE = Times()


def _event_chars(words: list[str]) -> frozenset[str]:
    return frozenset(c for w in words for c in w if c.isalnum())


def _event_before(words: list[str], at: int) -> list[str]:
    """The words before ``words[at]`` that name its event: back over a particle next to the
    marker (开会的时候, 客人走了以后), up to ``EVENT_CHARS`` characters, never across
    punctuation or a stop word (but the one character next to the marker: 会 of 会中)."""
    found: list[str] = []
    size = 0
    i = at - 1
    while i >= 0 and words[i] in PARTICLES:
        i -= 1
    while i >= 0 and size < EVENT_CHARS:
        word = words[i]
        if not any(c.isalnum() for c in word) or (word in stopwords() and (found or len(word) > 1)):
            break
        found.insert(0, word)
        size += len(word)
        i -= 1
    return found


def _stage(words: list[str], at: int, tag) -> Stage | None:
    word = words[at]
    if word in MARKERS:
        event = _event_before(words, at)
        if word == DONE and at + 1 < len(words):  # 开 / 完 / 会: the thing done comes after
            event += [words[at + 1]]
        chars = _event_chars(event)
        return Stage(MARKERS[word], chars) if chars else None
    if len(word) >= 2 and word.endswith(DONE) and tag(word) == "v":  # 办完, 开完 (会)
        after = words[at + 1 : at + 2] if at + 1 < len(words) and len(words[at + 1]) <= 2 else []
        return Stage(AFTER, _event_chars([word[:-1], *after]))
    if len(word) in (2, 3) and word[-1] in MARKERS and tag(word) == "t":  # 会前, 会后, 会中: time words
        chars = _event_chars([word[:-1]])
        return Stage(MARKERS[word[-1]], chars) if chars else None
    return None


def times(text: str, dictionary: tuple[str, ...] = ()) -> Times:
    """The times ``text`` (a query, a heading, a title) names. Most heads say none: they are
    told without segmenting (or hashing the dictionary for the cache)."""
    text = fold(text or "").lower()
    periods = frozenset(_SAID[m.group()][0] for m in _PERIOD.finditer(text))
    if not any(m in text for m in ("前", "时", "中", "后", "完")):
        return Times((), periods) if periods else NONE
    stages = _stages(text, dictionary)
    return Times(stages, periods) if stages or periods else NONE


@lru_cache(maxsize=20_000)
def _stages(text: str, dictionary: tuple[str, ...]) -> tuple[Stage, ...]:
    seg = segmenter(dictionary)
    words = [w for w in seg.jieba.cut(text, HMM=False) if w.strip()]
    return tuple(s for at in range(len(words)) if (s := _stage(words, at, seg.tag)) is not None)
