"""The ranking's parameters, and its formulas, written once.

Lucene and Tantivy score with a ``Similarity`` object handed to the searcher, Whoosh with a
``BM25F(B=…, K1=…)``: the parameters are a value, not module globals. Here ``Parameters`` is
that value. The fast ranker (search.ranking, numpy arrays) and the reference (search.reference,
Whoosh's matching, one document at a time) both score through the methods below — each works on
a number as on an array — so the two cannot drift apart, and a benchmark tries other settings
by passing another ``Parameters`` (``dataclasses.replace``) instead of patching modules.

Every value was chosen on the tuned sets only (bench/tune.py; docs/benchmarks.md): the office
set's tuned part and all of DRCD dev. The zone weights decide what the index holds (a word's
weighted frequency), so they are part of the index's fingerprint: an index built with other
zones is rebuilt by itself.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field

import numpy as np


@dataclass(frozen=True)
class Zones:
    """What a word counts for by where it stands (search.documents). A query word in a section's
    heading says much more about the section than the same word in passing in its text, and a
    word in the article's summary less than one in its title."""

    # the article's own document
    title: float = 2.0
    tags: float = 1.5
    summary: float = 0.25
    lead: float = 1.0
    # a section's document
    context: float = 0.3  # the article's title, for context
    heading: float = 2.0
    body: float = 1.0


@dataclass(frozen=True)
class Parameters:
    k1: float = 1.2  # Whoosh's default 1.2
    b: float = 0.5  # Whoosh's default 0.75
    coord: float = 0.5  # exponent of the share of the query matched: of its groups' weight (idf_coord) or number
    idf_coord: bool = True  # False: the share of groups by number (for comparison in bench/tune.py)
    head: float = 1.0  # bonus for a query that covers a document's head: see ``head_factor``
    more: int = 3  # other matching sections listed with an article's best one
    proximity: float = 0.5  # bonus for the query's words close together: see ``proximity_factor``
    window: int = 10  # positions (words, stop words left out) that count as close together
    rerank: int = 100  # the best documents by BM25 that the proximity bonus is computed for
    # bonus for words typed side by side (one chunk: 会议纪要 → 会议 / 纪要) that stand side by side in the
    # document too, as a share of those pairs' weight: see ``together_factor``. 0.5 chosen on the tuned parts
    # (main tuned −1 query, DRCD dev section R@1 +0.6 points; 0.25 the same on main); held-out and blind up or
    # flat (docs/benchmarks.md, fourth round of issue 20)
    together: float = 0.5
    lucene_idf: bool = True  # False: Whoosh's idf (for comparison in bench/tune.py)
    # the query plan (search.plan): alternatives of a word, relative to the word as typed
    partial: float = 0.4  # a word's parts, or an index word containing it
    synonym: float = 0.6  # a synonym an editor listed, or a period's written form (search.stages: 每天 → 每日)
    # look for the words a query says split in two (search.analyzer.separated_words: 开完会 → 开会); main tuned
    # +1 query, held-out and everyday held-out flat: not adopted (docs/benchmarks.md)
    separated: bool = False
    phrase_boost: float = 2.0  # a phrase in quotes
    rare: int = 2  # documents: a dictionary word this rare is also looked for by its parts
    containing: int = 20  # index words tried for a fragment
    # a document whose head is the time the query is about (search.stages: 会前 for 开会前, 每日 for 每天);
    # 3 starts the plateau of everyday tuned Hit@1 on the grid 0.5–6 (docs/benchmarks.md)
    stage: float = 3.0
    # a question that asks what to do (search.intent) lifts these types' documents by ``intent`` and drops
    # the words of its question form (tried at 1: not adopted, docs/benchmarks.md)
    intent: float = 0.0
    steps_types: tuple[str, ...] = ("checklist", "procedure")
    # lifecycle (search.lifecycle): a document's score by its article's status
    trial: float = 0.8  # 试行 below 现行
    repealed: float = 0.5  # 废止 lower still, and never above its replacement (``below``)
    # coverage (search.coverage): when the results say nothing about a query's distinctive words
    # chosen by bench/coverage.py --sweep: most tuned uncovered queries found with false alarms under 2 % on
    # every tuned judged set (docs/benchmarks.md)
    distinctive: float = 12.0  # a word this rare in general Chinese (``general_idf``) may name a topic
    uncovered_share: float = 0.6  # uncovered when the missing distinctive words weigh this share of the query
    unknown_joins: float = 99.0  # a word the index has nothing for, this rare, joins a missing topic (99: never)
    # ... only when it stands next to a missing topic word (nothing but stop words and question-form words
    # between: 会议室预订, 固定资产怎么登记), not anywhere in a long question
    joins_beside: bool = True
    # a word the index has nothing for (and no topic) is left out of the share: the sweep's choice on the tuned
    # queries (detection 0.40 → 0.60), but held out 0.50 → 0.50 with main false alarms 1 → 2 of 76: not adopted
    unknown_neutral: bool = False
    share_of_topics: bool = False  # the share is of the topic words' weight (True) or of all the query's words
    untagged_topics: bool = False  # a word jieba has no part of speech for may name a topic (domain words)
    topic_tags: tuple[str, ...] = ("n", "nz", "nt", "nr", "nrt", "nrfg", "l", "j", "eng")  # nouns
    # verbal nouns (jieba's vn: 管理, 评先) name an activity more than a thing (False: they name no topic)
    verbal_nouns: bool = True
    # a noun the index lacks, matched only by its first part, names a topic whatever its rarity: the results
    # have what modifies it, not what it is (会议室 of 会议, 年终奖 of 年终); see search.coverage.headless
    headless_topics: bool = False
    zones: Zones = field(default_factory=Zones)

    def index_fingerprint(self) -> str:
        """What of these parameters the index holds: the zone weights."""
        return hashlib.sha1(json.dumps(asdict(self.zones), sort_keys=True).encode()).hexdigest()[:8]

    # --- the formulas ---------------------------------------------------------------------------

    def idf(self, documents: int, df) -> float:
        """Lucene's BM25 idf. Whoosh's own, log(N / (df + 1)) + 1, never falls below 1, so a word in
        most documents (为, 开始, 发生) still outweighs a rare topic word often enough to lose
        questions (measured on DRCD's tuned split, docs/benchmarks.md)."""
        if not documents:
            return 0.0
        if not self.lucene_idf:
            return math.log(documents / (df + 1)) + 1
        return math.log(1 + (documents - df + 0.5) / (df + 0.5))

    def norm(self, length, average: float):
        """K1 × (1 − B + B × length / average length): a document's length normalisation."""
        return self.k1 * ((1 - self.b) + self.b * length / (average or 1.0))

    def bm25(self, idf: float, tf, norm):
        """BM25 of term frequencies ``tf`` (zone-weighted, as Whoosh keeps them) with ``norm``."""
        return (idf * (self.k1 + 1)) * tf / (tf + norm)

    def coordination(self, share, whole: float):
        """The share of the query's weight a document matched, raised to ``coord``."""
        return (share / whole) ** self.coord

    def head_factor(self, in_head, head_words, groups: int):
        """1 + HEAD × (share of the query's words in the head) × (share of the head they cover):
        「大局意识」 lifts the section headed 大局意识 more than one headed 政治觉悟要高，大局意识要强,
        and a query that is an article's title lifts the article's own document."""
        return 1 + self.head * (in_head / groups) * np.minimum(1.0, in_head / np.maximum(head_words, 1))

    def general_idf(self, frequency: int, total: int) -> float:
        """How rare a word is in general Chinese: the idf of its frequency in jieba's dictionary
        (a 60-million-word corpus). The index cannot say this of a word it does not have, and
        coverage asks exactly about such words: 纪要 (16.8) and 印章 (12.5) name a topic, 东西
        (8.1) and 每天 (9.1) do not."""
        return math.log(max(total, 1) / (frequency + 1))

    def names_topic(self, weight: float, tag: str | None) -> bool:
        """Whether a word of this ``general_idf`` and part of speech (jieba's tag; None for words
        it has none for, such as the domain dictionary's) is distinctive enough that results
        without it do not answer the query. Only nouns name topics: 谁来管, 出错, 泄密 (verbs) and
        手底下 (a place word) are rare words, but a page without them may well answer."""
        if not tag:
            return weight >= self.distinctive and self.untagged_topics
        return weight >= self.distinctive and (tag in self.topic_tags or (self.verbal_nouns and tag == "vn"))

    def names_topic_headless(self, tag: str | None) -> bool:
        """Whether a word the results matched only by its first part (search.coverage.headless) names
        a topic: a noun does, however common (会议室 11.5, 固定资产 10.9), when ``headless_topics``."""
        return self.headless_topics and bool(tag) and tag in self.topic_tags

    def intent_factor(self, steps):
        """1 + INTENT for a document of a checklist or procedure (``steps``: 1 or 0) when the
        question asks what to do."""
        return 1 + self.intent * steps

    def together_factor(self, share):
        """1 + TOGETHER × the share of the weight of the word pairs typed side by side that the
        document has side by side."""
        return 1 + self.together * np.asarray(share, dtype=np.float64)

    def stage_factor(self, same):
        """1 + STAGE for a document whose head names the time the query is about (``same``: 1 or 0):
        the section 会前 of a checklist for 「开会前要准备哪些东西」. Its words are rarely the
        question's (the question's are 开会, 准备, 东西), so it needs a bonus of this size to come
        before pages that merely say them (everyday tuned Hit@1 flat from 3 to 6, lower below)."""
        return 1 + self.stage * np.asarray(same, dtype=np.float64)

    def status_factor(self, status: str) -> float:
        """What an article's status (kb.fields LIFECYCLE) makes of its documents' scores: a rule
        on trial below one in force that matches as well, a repealed one lower still. No judged
        query has an article that is not in force yet, so these are not tuned: 0.8 puts a trial
        rule below a current one that scores within a quarter of it."""
        return {"trial": self.trial, "repealed": self.repealed}.get(status, 1.0)

    @staticmethod
    def below(score: float) -> float:
        """The score a repealed article is held to under its replacement's ``score``."""
        return score * (1 - 1e-6)

    def proximity_factor(self, closeness):
        """1 + PROXIMITY × the share of the query's weight found within ``window`` words."""
        return 1 + self.proximity * closeness


DEFAULT = Parameters()
