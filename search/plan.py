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

from kb import docno

from .analyzer import query_words, segmenter, separated_words, stopwords, subwords
from .budget import UNLIMITED, Budget
from kb.sections import without_ordinal

from .folding import fold
from .intent import question_form, steps_spans, wants_steps
from .parameters import DEFAULT, Parameters
from .parse import ParsedQuery
from .stages import NONE as NO_TIMES, Times, times, written_forms

MAX_WORDS = 32  # groups of words; and as many phrases, and as many excluded words
_JOINED = 4  # words typed side by side looked up together in the synonyms (保守 / 秘密 → 保守秘密)


class Vocabulary(Protocol):
    def known(self, term: str) -> bool: ...
    def frequency(self, term: str) -> int: ...
    def containing(self, fragment: str, limit: int = DEFAULT.containing) -> list[str]: ...


@dataclass(frozen=True)
class Alt:
    """One way a group can match. ``mode``: "term" — the one term; "phrase" — the terms next to
    each other in this order; "parts" — any of the terms, their scores summed."""

    terms: tuple[str, ...]
    weight: float = 1.0
    mode: str = "term"
    via: str = ""  # "" as typed, "synonym", "partial"

    @property
    def said(self) -> tuple[str, ...]:
        """The words as a reader sees them: a synonym the index splits (保守秘密: 保守 / 秘密) is
        the one word the editor listed."""
        return ("".join(self.terms),) if self.mode == "phrase" and self.via == "synonym" else self.terms


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
    scope: object = None  # search.interface.Scope: what the reader may see (None: everything)
    highlight: list[str] = field(default_factory=list)
    impossible: bool = False  # a required phrase the index cannot contain
    typed: int = 0  # words typed, including those nothing could match
    unmatched: list[str] = field(default_factory=list)  # words typed that nothing in the index can match
    wants_steps: bool = False  # the question asks what to do (search.intent): checklists and procedures answer
    times: Times = NO_TIMES  # the stages and periods the query is about (search.stages)
    dictionary: tuple[str, ...] = field(default=(), repr=False)  # the query's: heads are read with it
    said: str = ""  # the words typed, folded: where each word stands (search.coverage: words side by side)
    # the groups (indexes in ``groups``) of words typed side by side, the index having both as typed
    together: list[tuple[int, int]] = field(default_factory=list)

    def about_time_of(self, head: str) -> bool:
        """Whether a document's head (its heading or its article's title) is the time the query
        is about: 会前 for 「开会前要准备哪些东西」, 每日 for 「每天要做什么」 (search.stages)."""
        return bool(self.times) and self.times.shared_with(times(without_ordinal(head or ""), self.dictionary))

    @property
    def searches_text(self) -> bool:
        return bool(self.groups or self.required)

    @property
    def needs_multichar(self) -> bool:
        """A lone character matches only beside a longer word when the query has one."""
        return any(not g.single for g in self.groups)


def _term(term: str, weight: float = 1.0, via: str = "") -> Alt:
    return Alt((term,), weight, "term", via)


@dataclass
class _Planner:
    """What planning one query needs at hand: the index's dictionary and words, the synonyms
    list and the parameters (the weights of fallbacks and synonyms)."""

    dictionary: tuple[str, ...]
    vocabulary: Vocabulary
    synonyms: object
    p: Parameters

    def containing(self, fragment: str, weight: float) -> list[Alt]:
        return [_term(w, weight, "partial") for w in self.vocabulary.containing(fragment, self.p.containing)]

    def parts(self, word: str) -> Alt | None:
        inner = [w for w in subwords(word, self.dictionary) if self.vocabulary.known(w)]
        return Alt(tuple(inner), self.p.partial, "parts", "partial") if inner else None

    def pairs(self, word: str) -> list[Alt]:
        pairs = list(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))
        known = [p for p in pairs if self.vocabulary.known(p)]
        if known:
            return [Alt(tuple(known), self.p.partial * 0.75, "parts", "partial")]
        alts: list[Alt] = []
        for p in pairs:
            alts += self.containing(p, self.p.partial * 0.5)
        return alts

    def fallbacks(self, word: str) -> list[Alt]:
        """Weaker ways to find a word the index does not have (see the module's docstring)."""
        alts: list[Alt] = []
        parts = self.parts(word)
        if parts:
            alts.append(parts)
        alts += self.containing(word, self.p.partial)
        chars = tuple(c for c in word if c.isalnum() and c not in stopwords())
        if len(chars) > 1 and all(self.vocabulary.known(c) for c in chars):
            alts.append(Alt(chars, self.p.partial, "phrase", "partial"))
        if not alts and len(word) > 2:
            alts += self.pairs(word)
        return alts

    def synonym_alts(self, word: str) -> list[Alt]:
        """The synonyms an editor listed for ``word``: one the index has is that word, one it
        splits into several (保守秘密: 保守 / 秘密) is those words side by side."""
        alts: list[Alt] = []
        for other in self.synonyms.of(word) if self.synonyms else []:
            if other == word:
                continue
            if self.vocabulary.known(other):
                alts.append(_term(other, self.p.synonym, "synonym"))
                continue
            words = query_words(other, self.dictionary)
            if len(words) > 1 and all(self.vocabulary.known(w) for w in words):
                alts.append(Alt(tuple(words), self.p.synonym, "phrase", "synonym"))
        return alts

    def joined_synonyms(self, found: list) -> dict[str, list[Alt]]:
        """The synonyms of words typed side by side that the segmenter split and an editor
        listed as one (「保守秘密」, 保守 / 秘密, in the group of 保密): each of the words also
        looks for them, so a text saying 保密 matches the whole of what was typed. ``found``:
        the segmenter's (term, start, end, sub-words) of one chunk."""
        out: dict[str, list[Alt]] = {}
        if not self.synonyms:
            return out
        for i in range(len(found) - 1):
            for j in range(i + 2, min(i + _JOINED, len(found)) + 1):
                run = found[i:j]
                if run[-2][2] != run[-1][1]:
                    break  # not side by side: a word left out between them
                for alt in self.synonym_alts("".join(term for term, *_ in run)):
                    for term, *_ in run:
                        out.setdefault(term, [])
                        if alt not in out[term]:
                            out[term].append(alt)
        return out

    def word_group(self, word: str, chunk_alts: list[Alt], written: tuple[str, ...] = (),
                   joined: list[Alt] = ()) -> Group:
        alts: list[Alt] = []
        if self.vocabulary.known(word):
            alts.append(_term(word))
            if len(word) > 2 and self.vocabulary.frequency(word) <= self.p.rare:
                parts = self.parts(word)
                if parts:
                    alts.append(parts)
        elif len(word) > 1:
            alts += chunk_alts + self.fallbacks(word)
        alts += self.synonym_alts(word) + list(joined)
        for other in written:  # a period in the written form (search.stages: 每天 → 每日)
            if other != word and self.vocabulary.known(other):
                alts.append(_term(other, self.p.synonym, "synonym"))
        return Group(word, list(dict.fromkeys(alts)), single=len(word) == 1)

    def phrase_group(self, text: str, weight: float = 1.0) -> Group | None:
        """Words in this order, next to each other; one word is just the word."""
        words = query_words(text, self.dictionary)
        if not words:
            return None
        if len(words) > 1:
            return Group(text, [Alt(tuple(words), weight, "phrase")])
        word = words[0]
        if self.vocabulary.known(word):
            return Group(text, [_term(word, weight)])
        alts = self.containing(word, weight * self.p.partial)
        return Group(text, alts) if alts else None


def _written_by_word(found: list, chunk: str) -> dict[str, tuple[str, ...]]:
    """The written forms of the periods a chunk says (search.stages), each given to the first
    of the chunk's words (``found``: the segmenter's) that it overlaps: 每个礼拜 → 每个 / 礼拜."""
    out: dict[str, tuple[str, ...]] = {}
    for start, end, form in written_forms(chunk):
        word = next((w for w, a, b, _s in found if a < end and start < b), None)
        if word is not None:
            out[word] = out.get(word, ()) + (form,)
    return out


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


def document_numbers(words: list[str], dictionary: tuple[str, ...], vocabulary: Vocabulary) -> tuple[list[Group], list[str]]:
    """The document numbers among the typed ``words`` that the index knows (kb.docno,
    search.documents), each one group of its one index term, and the words left for the usual
    plan. Typed in any way, a number is looked up as GB/T 9704 writes it; of its agency code,
    words the segmenter splits off in front (「根据办发〔2024〕12号」) and a code written apart
    (「办发 〔2024〕12号」) may be left to the words, but the code is never cut inside a word:
    「国办发」 must not find 「办发」's number. A number the index does not know is typed words."""
    text = fold(" ".join(words))
    groups: list[Group] = []
    kept, at = [], 0
    for found in docno.find(text):
        number, prefix = found.number, found.number.prefix
        cuts = sorted({start for _t, start, _e, _s in segmenter(dictionary).words(prefix)} - {0})
        if found.spaced or not prefix:
            cuts.append(len(prefix))
        for cut in [0, *cuts]:
            term = number.text(prefix[cut:]).lower()
            if vocabulary.known(term):
                groups.append(Group(text[found.start:found.end], [_term(term)]))
                kept += [text[at:found.start], prefix[:cut]]
                at = found.end
                break
    if not groups:
        return [], words
    kept.append(text[at:])
    return groups, " ".join(kept).split()


def build_plan(parsed: ParsedQuery, dictionary: tuple[str, ...], vocabulary: Vocabulary, synonyms=None,
               budget: Budget = UNLIMITED, parameters: Parameters = DEFAULT) -> Plan:
    """The plan for ``parsed``; when ``budget`` runs out, the words after the ones planned so
    far are left out (the fallbacks of unknown words search the whole vocabulary)."""
    planner = _Planner(dictionary, vocabulary, synonyms, parameters)
    typed = fold(" ".join(parsed.words)).lower()
    plan = Plan(filters=dict(parsed.filters), wants_steps=wants_steps(typed),
                times=times(typed, dictionary), dictionary=dictionary, said=typed)
    numbers, words = document_numbers(parsed.words, dictionary, vocabulary) if parsed.words else ([], [])
    plan.groups += numbers
    plan.typed += len(numbers)
    seen: set[str] = set()
    for chunk in words:
        if len(plan.groups) >= MAX_WORDS or (plan.groups and budget.over()):
            break
        found = segmenter(dictionary).words(chunk)
        spans = steps_spans(fold(chunk)) if parameters.intent else []
        if spans:  # the words that only make the question form say what kind of answer is wanted
            found = [w for w in found if not question_form(w[0], w[1], w[2], spans)] or found
        words = [term for term, *_ in found]  # query_words(chunk)
        words += [w for w in separated_words(chunk, dictionary) if w not in words] if parameters.separated else []
        written = _written_by_word(found, fold(chunk).lower())
        joined = planner.joined_synonyms(found)
        plan.runs += character_runs(found, vocabulary)
        unknown = [w for w in words if not vocabulary.known(w)]
        # a chunk segmented into several words, some unknown, may sit whole inside an index word
        chunk_alts = planner.containing(fold(chunk).lower(), parameters.partial * 1.5) if unknown and len(words) > 1 else []
        last = None  # the group of the word before, when the index has it as typed
        for at, word in enumerate(words):
            if len(plan.groups) >= MAX_WORDS or (plan.groups and budget.over()):
                break
            if at >= len(found):
                last = None  # a word put back together (separated_words) stands nowhere in the chunk
            if word in seen:
                last = None
                continue
            seen.add(word)
            plan.typed += 1
            group = planner.word_group(word, chunk_alts, written.get(word, ()), joined.get(word, ()))
            if group.alts:
                plan.groups.append(group)
                here = len(plan.groups) - 1 if vocabulary.known(word) else None
                if last is not None and here is not None:
                    plan.together.append((last, here))
                last = here
            else:
                plan.unmatched.append(word)
                last = None
    for text in parsed.phrases[:MAX_WORDS]:
        group = planner.phrase_group(text, parameters.phrase_boost)
        if group is None:
            plan.impossible = True
        else:
            plan.required.append(group)
    if parsed.words and not plan.groups and not parsed.phrases:
        plan.impossible = True  # words typed, none of which the index can match
    plan.excludes = [g for g in (planner.phrase_group(e) for e in parsed.excludes[:MAX_WORDS]) if g]
    plan.highlight = highlight_terms(parsed, dictionary) + [g.alts[0].terms[0] for g in numbers]
    return plan


def highlight_terms(parsed: ParsedQuery, dictionary: tuple[str, ...] = ()) -> list[str]:
    """What to mark in snippets: each chunk as typed and its words, but no lone characters
    split off a longer chunk (they would light up everywhere)."""
    terms: list[str] = []
    for chunk in parsed.words:
        terms.append(chunk)
        terms += [w for w in query_words(chunk, dictionary) if len(w) > 1 or len(chunk) == 1]
    return list(dict.fromkeys(terms + parsed.phrases))
