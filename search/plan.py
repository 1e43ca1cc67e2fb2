"""From what staff typed to what to look for: the query plan, independent of any engine.

Every word typed becomes a *group*: the word itself and its alternatives — synonyms an editor
listed, and, for a word the index does not have, its parts. A result needs one group to match
(more matched groups rank higher: coordination); within a group the best alternative counts.
Phrases in quotes are required groups, ``-word`` excludes, ``type:`` … filter.

Fallbacks, so that a query whose words occur in the text never finds nothing, each weighted
below the word as typed:

- a dictionary word no document contains whole (「督查督办」) is looked for by its parts
  (督查, 督办), as is a rare one (「公文处理」 where the text says 公文 … 处理);
- a word jieba segments differently in the text is found inside the index's words
  (「克思主」 in 马克思主义) or as the run of its characters (「动与静」 in “动”与“静”);
- failing those, by its pairs of characters.

A lone character is never a hit by itself when other words were typed: 「新员工」 must not
find every 新思想 and 新问题. Lone characters typed side by side are a word jieba does not know
(「螭头的主要功能」 cut 螭 / 头): where they stand side by side in the text (``Plan.runs``) they
count as a longer word would, while each still scores as a character.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from .analyzer import query_words, segmenter, stopwords, subwords
from .budget import UNLIMITED, Budget
from .folding import fold
from .parse import ParsedQuery

MAX_WORDS = 32  # groups of words; and as many phrases, and as many excluded words
PARTIAL = 0.4  # a word's parts, or an index word containing it, relative to the word itself
SYNONYM = 0.6  # a synonym, relative to the word typed
PHRASE_BOOST = 2.0
RARE = 2  # documents: a dictionary word this rare is also looked for by its parts
CONTAINING = 20  # index words tried for a fragment


class Vocabulary(Protocol):
    def known(self, term: str) -> bool: ...
    def frequency(self, term: str) -> int: ...
    def containing(self, fragment: str, limit: int = CONTAINING) -> list[str]: ...


@dataclass(frozen=True)
class Alt:
    """One way a group can match. ``mode``: "term" — the one term; "phrase" — the terms next to
    each other in this order; "parts" — any of the terms, their scores summed."""

    terms: tuple[str, ...]
    weight: float = 1.0
    mode: str = "term"
    via: str = ""  # "" as typed, "synonym", "partial"


@dataclass
class Group:
    label: str  # the word as typed
    alts: list[Alt]
    single: bool = False  # a lone character

    @property
    def terms(self) -> list[str]:
        return [t for a in self.alts for t in a.terms]


@dataclass
class Plan:
    groups: list[Group] = field(default_factory=list)
    required: list[Group] = field(default_factory=list)
    excludes: list[Group] = field(default_factory=list)
    # lone characters typed side by side, as phrases: a document with one of them matches as
    # one with a longer word does (they do not score of themselves)
    runs: list[Group] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    highlight: list[str] = field(default_factory=list)
    impossible: bool = False  # a required phrase the index cannot contain
    typed: int = 0  # words typed, including those nothing could match

    @property
    def searches_text(self) -> bool:
        return bool(self.groups or self.required)

    @property
    def needs_multichar(self) -> bool:
        """A lone character matches only beside a longer word when the query has one."""
        return any(not g.single for g in self.groups)


def _term(term: str, weight: float = 1.0, via: str = "") -> Alt:
    return Alt((term,), weight, "term", via)


def _containing(fragment: str, vocabulary: Vocabulary, weight: float) -> list[Alt]:
    return [_term(w, weight, "partial") for w in vocabulary.containing(fragment)]


def _parts(word: str, dictionary: tuple[str, ...], vocabulary: Vocabulary) -> Alt | None:
    inner = [w for w in subwords(word, dictionary) if vocabulary.known(w)]
    return Alt(tuple(inner), PARTIAL, "parts", "partial") if inner else None


def _pairs(word: str, vocabulary: Vocabulary) -> list[Alt]:
    pairs = list(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))
    known = [p for p in pairs if vocabulary.known(p)]
    if known:
        return [Alt(tuple(known), PARTIAL * 0.75, "parts", "partial")]
    alts: list[Alt] = []
    for p in pairs:
        alts += _containing(p, vocabulary, PARTIAL * 0.5)
    return alts


def fallbacks(word: str, dictionary: tuple[str, ...], vocabulary: Vocabulary) -> list[Alt]:
    """Weaker ways to find a word the index does not have (see the module's docstring)."""
    alts: list[Alt] = []
    parts = _parts(word, dictionary, vocabulary)
    if parts:
        alts.append(parts)
    alts += _containing(word, vocabulary, PARTIAL)
    chars = tuple(c for c in word if c.isalnum() and c not in stopwords())
    if len(chars) > 1 and all(vocabulary.known(c) for c in chars):
        alts.append(Alt(chars, PARTIAL, "phrase", "partial"))
    if not alts and len(word) > 2:
        alts += _pairs(word, vocabulary)
    return alts


def _word_group(word: str, chunk_alts: list[Alt], dictionary, vocabulary: Vocabulary, synonyms) -> Group:
    alts: list[Alt] = []
    if vocabulary.known(word):
        alts.append(_term(word))
        if len(word) > 2 and vocabulary.frequency(word) <= RARE:
            parts = _parts(word, dictionary, vocabulary)
            if parts:
                alts.append(parts)
    elif len(word) > 1:
        alts += chunk_alts + fallbacks(word, dictionary, vocabulary)
    for other in synonyms.of(word) if synonyms else []:
        if other != word and vocabulary.known(other):
            alts.append(_term(other, SYNONYM, "synonym"))
    return Group(word, list(dict.fromkeys(alts)), single=len(word) == 1)


def _phrase_group(text: str, dictionary, vocabulary: Vocabulary, weight: float = 1.0) -> Group | None:
    """Words in this order, next to each other; one word is just the word."""
    words = query_words(text, dictionary)
    if not words:
        return None
    if len(words) > 1:
        return Group(text, [Alt(tuple(words), weight, "phrase")])
    word = words[0]
    if vocabulary.known(word):
        return Group(text, [_term(word, weight)])
    alts = _containing(word, vocabulary, weight * PARTIAL)
    return Group(text, alts) if alts else None


def character_runs(words: list, vocabulary: Vocabulary) -> list[Group]:
    """The runs of two or more lone characters side by side among a typed chunk's ``words``
    (the segmenter's (term, start, end, sub-words)), each a phrase."""
    runs, run, end = [], [], -1
    for term, start, stop, _subs in [*words, ("", -2, -2, ())]:
        if len(term) == 1 and start == end and run:
            run.append(term)
        else:
            if len(run) > 1 and all(vocabulary.known(c) for c in run):
                runs.append(Group("".join(run), [Alt(tuple(run), 1.0, "phrase")]))
            run = [term] if len(term) == 1 else []
        end = stop
    return runs


def build_plan(parsed: ParsedQuery, dictionary: tuple[str, ...], vocabulary: Vocabulary, synonyms=None,
               budget: Budget = UNLIMITED) -> Plan:
    """The plan for ``parsed``; when ``budget`` runs out, the words after the ones planned so
    far are left out (the fallbacks of unknown words search the whole vocabulary)."""
    plan = Plan(filters=dict(parsed.filters))
    seen: set[str] = set()
    for chunk in parsed.words:
        if len(plan.groups) >= MAX_WORDS or (plan.groups and budget.over()):
            break
        found = segmenter(dictionary).words(chunk)
        words = [term for term, *_ in found]  # query_words(chunk)
        plan.runs += character_runs(found, vocabulary)
        unknown = [w for w in words if not vocabulary.known(w)]
        # a chunk segmented into several words, some unknown, may sit whole inside an index word
        chunk_alts = _containing(fold(chunk).lower(), vocabulary, PARTIAL * 1.5) if unknown and len(words) > 1 else []
        for word in words:
            if len(plan.groups) >= MAX_WORDS or (plan.groups and budget.over()):
                break
            if word in seen:
                continue
            seen.add(word)
            plan.typed += 1
            group = _word_group(word, chunk_alts, dictionary, vocabulary, synonyms)
            if group.alts:
                plan.groups.append(group)
    for text in parsed.phrases[:MAX_WORDS]:
        group = _phrase_group(text, dictionary, vocabulary, PHRASE_BOOST)
        if group is None:
            plan.impossible = True
        else:
            plan.required.append(group)
    if parsed.words and not plan.groups and not parsed.phrases:
        plan.impossible = True  # words typed, none of which the index can match
    plan.excludes = [g for g in (_phrase_group(e, dictionary, vocabulary) for e in parsed.excludes[:MAX_WORDS]) if g]
    plan.highlight = highlight_terms(parsed, dictionary)
    return plan


def highlight_terms(parsed: ParsedQuery, dictionary: tuple[str, ...] = ()) -> list[str]:
    """What to mark in snippets: each chunk as typed and its words, but no lone characters
    split off a longer chunk (they would light up everywhere)."""
    terms: list[str] = []
    for chunk in parsed.words:
        terms.append(chunk)
        terms += [w for w in query_words(chunk, dictionary) if len(w) > 1 or len(chunk) == 1]
    return list(dict.fromkeys(terms + parsed.phrases))
