"""Plain retrieval baselines over paragraphs, to measure our search against (bench/drcd.py).

Both rank *paragraphs* — documents given as (key "slug#anchor", text) — from the same tokens:
jieba's precise mode (HMM on), lower-cased, without ``search/stopwords.txt`` and without
tokens that have no letter or digit. A result list of articles is made from the ranked
paragraphs the way a reader would see it: each article at the rank of its best paragraph.

- ``Bm25s``: ``bm25s.BM25()`` with its defaults (Lucene variant, k1 1.5, b 0.75).
- ``Fts5``: SQLite FTS5 (``unicode61``) over the space-joined tokens; the query is its tokens
  OR-ed, ranked by ``bm25()`` (k1 1.2, b 0.75), ties by insertion order.
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

DEPTH = 100  # paragraphs retrieved: enough for ten distinct articles


@dataclass
class Ranking:
    """What one search showed, in the terms the benchmark counts."""

    articles: list[str]  # slugs, best first
    top: str | None  # the first result's best section ("slug#anchor"), None when not a section
    sections: list[str]  # sections in the order they are shown
    best: list[str | None]  # each result's best section
    ms: float


def paragraph_ranking(keys: list[str], ms: float, shown: int = 10) -> Ranking:
    """Ranked paragraphs as a result list of ``shown`` articles."""
    articles, best = [], []
    for key in keys:
        slug = key.partition("#")[0]
        if slug not in articles:
            articles.append(slug)
            best.append(key)
    return Ranking(articles[:shown], keys[0] if keys else None, keys, best[:shown], ms)


class JiebaTerms:
    """The baselines' tokens (see the module's docstring); one private jieba tokenizer."""

    def __init__(self):
        import jieba

        from search.analyzer import stopwords

        self.jieba = jieba.Tokenizer()
        self.jieba.initialize()
        self.stop = stopwords()

    def __call__(self, text: str) -> list[str]:
        words = (w.lower().strip() for w in self.jieba.lcut(text))
        return [w for w in words if w and w not in self.stop and any(ch.isalnum() for ch in w)]


class Bm25s:
    name = "bm25s+jieba"

    def __init__(self, keys: list[str], texts: list[str], terms: JiebaTerms):
        import bm25s

        self.keys, self.terms = keys, terms
        self.retriever = bm25s.BM25()
        self.retriever.index([terms(t) for t in texts], show_progress=False)

    def rank(self, text: str) -> Ranking:
        started = time.perf_counter()
        tokens = self.terms(text)
        keys = []
        if tokens:
            docs, scores = self.retriever.retrieve([tokens], k=min(DEPTH, len(self.keys)), show_progress=False)
            # a score of 0 shares no token with the question: not a result
            keys = [self.keys[d] for d, s in zip(docs[0].tolist(), scores[0].tolist()) if s > 0]
        return paragraph_ranking(keys, (time.perf_counter() - started) * 1000)

    def close(self) -> None:
        pass


class Fts5:
    name = "fts5+jieba"

    def __init__(self, keys: list[str], texts: list[str], terms: JiebaTerms):
        self.keys, self.terms = keys, terms
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE p USING fts5(body, tokenize='unicode61')")
        self.db.executemany("INSERT INTO p(rowid, body) VALUES (?, ?)",
                            ((i, " ".join(terms(t))) for i, t in enumerate(texts)))

    def rank(self, text: str) -> Ranking:
        started = time.perf_counter()
        tokens = list(dict.fromkeys(self.terms(text)))
        keys = []
        if tokens:
            match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
            rows = self.db.execute("SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p), rowid LIMIT ?",
                                   (match, DEPTH))
            keys = [self.keys[r] for (r,) in rows]
        return paragraph_ranking(keys, (time.perf_counter() - started) * 1000)

    def close(self) -> None:
        self.db.close()
