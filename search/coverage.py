"""Whether the results answer what was asked: the words of the query each result matched, and
the distinctive words that no result has.

「会议纪要怎么写」 found ten results that all matched 会议 alone; nothing told the reader that the
site has nothing on 会议纪要, and the query log counted the search as found. Now a search says so
— 「没有找到讲“会议纪要”的内容；下面的结果只含“会议”」 — and the site logs it among the gaps.

A query word is *covered* by a result when the result matched it whole: as typed, by a synonym
an editor listed, by an index word containing it, or by parts that together hold all of its
characters (「督查督办」 by 督查 and 督办 is covered; 「会议纪要」 by 会议 alone is not). A word no
result covers is *missing*. Whether missing words matter is judged by weight, not by count: how
rare the word is in general Chinese (``Parameters.general_idf``, from jieba's dictionary, which
knows words the index has never seen). A missing word names a topic when that weight reaches
``Parameters.distinctive``, and the search is uncovered when such words weigh at least
``Parameters.uncovered_share`` of all the query's words: 「会议纪要怎么写」 (纪要 16.8 of 25.0) is
uncovered; 「开会前要准备哪些东西」 is not, though 东西 is in no article (8.1: not a topic).
Once a topic word is missing, the other words the index has nothing at all for — no word, no
part, no word containing them — and as rare as ``Parameters.unknown_joins`` count with it,
whatever their part of speech: in 「会议室预订」 (会议室 missing, only 会议 found) the site does
not know 预订 either, and jieba tags many such words as verbs (预订, 补办, 开饭). A word that
only makes the question form (search.intent: 干嘛, 啥) never names a topic. With
``Parameters.unknown_neutral`` the share is of the words the search could judge: a word nothing
in the index matches at all, and no topic, is left out of the whole (年终奖发放: 发放); tried and off
(docs/benchmarks.md), as is ``unknown_joins``.

Three more rules, each a parameter (docs/benchmarks.md says which are on and why): a noun the index
lacks that the results matched only by its first part names a topic however common it is
(``headless_topics``: 会议室 found only as 会议 — the last part of a Chinese compound says what the
thing is); a word the index has nothing for joins a missing topic only when it stands beside it
(``joins_beside``: 会议室预订, not 补办 two words away in 工作证丢了补办); jieba's verbal nouns
(vn: 管理, 评先) name no topic unless ``verbal_nouns``. The defaults do as before (verbal nouns
name topics, headless nouns need the rarity, and nothing joins): tried together with
``unknown_joins``, the rules raised detection but called answered held-out queries uncovered.

Both thresholds were chosen on the tuned queries only (bench/coverage.py, docs/benchmarks.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .analyzer import segmenter, stopwords
from .intent import FORM_WORDS
from .parameters import Parameters
from .plan import Alt, Group, Plan

FOUND_SHOWN = 4  # words named in 「下面的结果只含…」


@dataclass(frozen=True)
class Coverage:
    """What the results of a search leave out: ``missing`` distinctive words no result has,
    ``found`` the query's words the results do have (as the text says them)."""

    missing: tuple[str, ...] = ()
    found: tuple[str, ...] = ()

    @property
    def covered(self) -> bool:
        return not self.missing

    @property
    def note(self) -> str | None:
        """The sentence staff read above the results of an uncovered search."""
        if not self.missing:
            return None
        text = f"没有找到讲{_quoted(self.missing)}的内容"
        if self.found:
            text += f"；下面的结果只含{_quoted(self.found[:FOUND_SHOWN])}"
        return text + "。"

    def to_json(self) -> dict:
        data: dict = {"covered": self.covered}
        if self.missing:
            data.update(missing=list(self.missing), coverage_note=self.note)
        return data


COVERED = Coverage()


def _quoted(words: Iterable[str]) -> str:
    return "、".join(f"“{w}”" for w in words)


def _chars(word: str) -> set[str]:
    return {c for c in word if c.isalnum() and c not in stopwords()}


def matched_words(how: list[tuple[Group, Alt]]) -> list[str]:
    """The words of the text a result matched the query by: the word typed, else the synonym or
    the parts it was found by."""
    out: list[str] = []
    for group, alt in how:
        out += [group.label] if not alt.via else list(alt.said)
    return list(dict.fromkeys(out))


def covered_groups(how: list[tuple[Group, Alt]]) -> set[int]:
    """The groups (by id) that ``how`` — the alternatives one result matched — covers whole."""
    chars: dict[int, set[str]] = {}
    whole: set[int] = set()
    for group, alt in how:
        if alt.via in ("", "synonym"):
            whole.add(id(group))
        else:
            chars.setdefault(id(group), set()).update(c for t in alt.terms for c in t)
    labels = {id(g): g.label for g, _ in how}
    return whole | {g for g, found in chars.items() if _chars(labels[g]) <= found}


def headless(group: Group, hows: list[list[tuple[Group, Alt]]]) -> bool:
    """Whether the results matched ``group`` — a word the index does not have — only by parts that
    leave out its last character: in a Chinese compound the last part says what the thing is and
    the first what kind (会议室 is a room, 年终奖 a bonus, 工作证 a card), so results that matched
    会议 for 会议室 are about meetings, not rooms. 「接下来」 found by 下来 keeps its end, and a word no
    result matched at all is left to the other rules."""
    if any(alt.via == "" for alt in group.alts):
        return False  # the index has the word itself
    used = [alt for how in hows for g, alt in how if g is group]
    return bool(used) and all(alt.via == "partial" and group.label[-1] not in "".join(alt.terms) for alt in used)


def beside(text: str, one: str, other: str, seg) -> bool:
    """Whether the words ``one`` and ``other`` stand next to each other in ``text``, with nothing
    but stop words and question-form words between them (「固定资产怎么登记」: 怎么): a word the
    site has nothing for says more about a missing topic in the same phrase (会议室预订) than a
    word far off in a long question does."""
    a, b = text.find(one), text.find(other)
    if a < 0 or b < 0:
        return False
    gap = text[a + len(one):b] if a < b else text[b + len(other):a]
    return all(w in stopwords() or w in FORM_WORDS for w, *_ in seg.words(gap)) if gap.strip() else True


class Weights:
    """How much each query word says (``general_idf``) and whether it can name a topic, from the
    segmenter of the index's dictionary."""

    def __init__(self, dictionary: tuple[str, ...], p: Parameters):
        self.seg, self.p = segmenter(dictionary), p

    def __call__(self, word: str) -> float:
        return self.p.general_idf(*self.seg.frequency(word))

    def topic(self, word: str, weight: float) -> bool:
        if not any(c.isalpha() for c in word):
            return False  # a number (2021) says which, not what about
        return self.p.names_topic(weight, self.seg.tag(word))

    def topic_headless(self, word: str) -> bool:
        """Whether ``word``, which the results matched only by its first part, names a topic."""
        return any(c.isalpha() for c in word) and self.p.names_topic_headless(self.seg.tag(word))


def assess(plan: Plan, hows: list[list[tuple[Group, Alt]]], weight: Weights, p: Parameters) -> Coverage:
    """The coverage of a search whose results matched ``hows`` (one list per result)."""
    words = list(dict.fromkeys([g.label for g in plan.groups] + plan.unmatched))
    if not words:
        return COVERED
    covered: set[int] = set()
    for how in hows:
        covered |= covered_groups(how)
    covered_labels = {g.label for g in plan.groups if id(g) in covered}
    weights = {w: weight(w) for w in words}
    asked = [w for w in words if w not in FORM_WORDS]  # 干嘛, 啥: the question's form, never its topic
    topics = [w for w in asked if weight.topic(w, weights[w])]
    topics += [g.label for g in plan.groups if g.label in asked and g.label not in topics
               and g.label not in covered_labels and weight.topic_headless(g.label) and headless(g, hows)]
    missing = [w for w in topics if w not in covered_labels]
    if missing:  # the words the site has nothing for at all add to the gap a missing topic opens
        missing += [w for w in asked if w in plan.unmatched and w not in missing and len(w) > 1
                    and weights[w] >= p.unknown_joins
                    and (not p.joins_beside or any(beside(plan.said, w, m, weight.seg) for m in missing))]
    counted = topics if p.share_of_topics else words
    if p.unknown_neutral:  # a word nothing in the index matches, and no topic, says nothing either way
        counted = [w for w in counted if w in missing or w not in plan.unmatched]
    whole = sum(weights[w] for w in counted)
    if not missing or sum(weights[w] for w in missing) < p.uncovered_share * whole:
        return COVERED
    found = [w for how in hows for w in matched_words(how)]
    return Coverage(tuple(missing), tuple(dict.fromkeys(found)))
