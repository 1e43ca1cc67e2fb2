"""Ranking a query plan over the matrix: scores, totals, facets and per-article grouping.

Scores are BM25 as Whoosh's BM25F scorer computes it (the rounded lengths Whoosh stores, the
zone-weighted term frequencies it keeps as posting weights), with Lucene's idf, which lets a word
found in most documents count for almost nothing; search.reference runs the same plan through
Whoosh's scorer, and tests compare the two. A group scores its best
alternative; a document's score is the sum over the groups it matches, scaled by the share of
groups matched (coordination). Every step is a vectorised operation over the postings of the
query's terms or over all documents — nothing iterates matches in Python — so exact totals,
facets and grouping cost a few milliseconds at 10,000 articles.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .budget import UNLIMITED, Budget
from .facets import ArticleTable
from .matrix import KIND_ARTICLE, Matrix
from .plan import Alt, Group, Plan

K1, B = 2.0, 0.5  # chosen on the tuned sets (bench/tune.py); Whoosh defaults 1.2, 0.75
COORD = 0.5  # exponent of the share of groups matched
HEAD = 1.0  # bonus for a query that covers a document's head: see ``head_factor``
MORE = 3  # other matching sections listed with an article's best one
LUCENE_IDF = 1  # 0: Whoosh's idf (for comparison in bench/tune.py)


@dataclass
class Ranked:
    total: int = 0
    facets: dict = field(default_factory=lambda: {"type": {}, "tags": {}, "category": {}})
    # the page's articles, best first: (article index, [(document, score), …] best first)
    page: list[tuple[int, list[tuple[int, float]]]] = field(default_factory=list)
    # per document shown: the alternatives of each group that it matched
    matched: dict[int, list[tuple[Group, Alt]]] = field(default_factory=dict)
    # reading paths that match, best first: (article index, [(document, score)])
    paths: list[tuple[int, list[tuple[int, float]]]] = field(default_factory=list)


def inverse_frequency(documents: int, df: int) -> float:
    """Lucene's BM25 idf. Whoosh's own, log(N / (df + 1)) + 1, never falls below 1, so a word in
    most documents (为, 开始, 发生) still outweighs a rare topic word often enough to lose questions
    (measured on DRCD's tuned split, docs/benchmarks.md)."""
    if not documents:
        return 0.0
    if not LUCENE_IDF:
        return math.log(documents / (df + 1)) + 1
    return math.log(1 + (documents - df + 0.5) / (df + 0.5))


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.float64)


def _in_sorted(values: np.ndarray, sorted_: np.ndarray) -> np.ndarray:
    """Which of ``values`` occur in the ascending array ``sorted_`` (one binary search each)."""
    if not len(sorted_):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_, values), len(sorted_) - 1)
    return sorted_[at] == values


def _ascending_unique(keys: np.ndarray) -> np.ndarray:
    """``keys`` ascending without repeats (a word's parts can stand twice at one position)."""
    if len(keys) > 1 and not (keys[1:] >= keys[:-1]).all():
        keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


class Ranker:
    def __init__(self, matrix: Matrix, table: ArticleTable):
        self.matrix = matrix
        self.table = table
        self._norms = None

    # --- scoring ----------------------------------------------------------------------------

    def _norm(self) -> np.ndarray:
        """K1 × (1 − B + B × length / average length) of every document, once per index version
        (and per setting of K1 and B, which bench/tune.py changes)."""
        if self._norms is None or self._norms[0] != (K1, B):
            m = self.matrix
            self._norms = (K1, B), K1 * ((1 - B) + B * m.doc_length / (m.avg_length or 1.0))
        return self._norms[1]

    def _bm25(self, tf: np.ndarray, docs: np.ndarray, df: int) -> np.ndarray:
        idf = inverse_frequency(self.matrix.doc_count, df)
        tf = tf.astype(np.float64)
        return (idf * (K1 + 1)) * tf / (tf + self._norm()[docs])

    def _postings(self, term: str, cache: dict):
        if term not in cache:
            cache[term] = self.matrix.postings(term)
        return cache[term]

    def phrase(self, terms: tuple[str, ...], cache: dict) -> tuple[np.ndarray, np.ndarray]:
        """(documents, occurrences) of the terms next to each other in this order.

        Postings come sorted by document and position, so every step is a merge of sorted
        arrays (``_in_sorted``) rather than numpy's set operations, which hash or sort again:
        a phrase of two of the commonest words took 0.8 s at 10,000 articles that way."""
        postings = [self._postings(t, cache) for t in terms]
        docs = postings[0].docs
        for p in postings[1:]:
            docs = docs[_in_sorted(docs, p.docs)]
            if not len(docs):
                return _empty()
        keys = None
        last = len(terms) - 1
        for i, p in enumerate(postings):
            d, pos = p.positions()
            inside = _in_sorted(d, docs)
            k = _ascending_unique((d[inside] << 32) + pos[inside] + (last - i))  # where the phrase would end
            keys = k if keys is None else keys[_in_sorted(keys, k)]
            if not len(keys):
                return _empty()
        found, counts = np.unique(keys >> 32, return_counts=True)
        return found, counts.astype(np.float64)

    def _combine(self, results: list[tuple[np.ndarray, np.ndarray]], best: bool) -> tuple[np.ndarray, np.ndarray]:
        """One score per document from several (documents, scores), each with unique documents:
        the best (``best``) or the sum. Scattered into a dense array: no sorting."""
        results = [r for r in results if len(r[0])]
        if not results:
            return _empty()
        if len(results) == 1:
            return results[0]
        size = self.matrix.size
        total, seen = np.zeros(size), np.zeros(size, dtype=bool)
        for docs, scores in results:
            if best:
                total[docs] = np.maximum(total[docs], scores)
            else:
                total[docs] += scores
            seen[docs] = True
        found = np.flatnonzero(seen)
        return found, total[found]

    def alt_scores(self, alt: Alt, cache: dict) -> tuple[np.ndarray, np.ndarray]:
        """(documents, scores) of one alternative, documents ascending; kept for the query."""
        key = ("alt", alt)
        if key in cache:
            return cache[key]
        if alt.mode == "phrase":
            docs, freq = self.phrase(alt.terms, cache)
            found = docs, alt.weight * self._bm25(freq, docs, len(docs)) if len(docs) else freq
        elif alt.mode == "term":
            p = self._postings(alt.terms[0], cache)
            found = p.docs, alt.weight * self._bm25(p.weights, p.docs, len(p.docs))
        else:
            parts = [self._postings(t, cache) for t in alt.terms]
            docs, scores = self._combine([(p.docs, self._bm25(p.weights, p.docs, len(p.docs))) for p in parts],
                                         best=False)
            found = docs, alt.weight * scores
        cache[key] = found
        return found

    def group_heads(self, group: Group, cache: dict) -> np.ndarray:
        """The documents the group matches with one of its terms in their head, each once."""
        found = []
        for alt in group.alts:
            for term in alt.terms:
                p = self._postings(term, cache)
                heads = p.docs[p.heads > 0]
                if alt.mode == "phrase":  # the term is in the head, but is the phrase in the document?
                    heads = heads[np.isin(heads, self.alt_scores(alt, cache)[0])]
                found.append(heads)
        if len(found) == 1:
            return found[0]  # one term's postings name each document once
        mask = np.zeros(self.matrix.size, dtype=bool)
        for heads in found:
            mask[heads] = True
        return np.flatnonzero(mask)

    @staticmethod
    def head_factor(in_head: np.ndarray, head_words: np.ndarray, groups: int) -> np.ndarray:
        """1 + HEAD × (share of the query's words in the head) × (share of the head they cover):
        「大局意识」 lifts the section headed 大局意识 more than one headed 政治觉悟要高，大局意识要强,
        and a query that is an article's title lifts the article's own document."""
        return 1 + HEAD * (in_head / groups) * np.minimum(1.0, in_head / np.maximum(head_words, 1))

    def group_scores(self, group: Group, cache: dict) -> tuple[np.ndarray, np.ndarray]:
        """Documents matching any alternative, each scored by its best one."""
        return self._combine([self.alt_scores(a, cache) for a in group.alts], best=True)

    # --- matching ---------------------------------------------------------------------------

    def _candidates(self, plan: Plan, cache: dict, budget: Budget) -> tuple[np.ndarray, np.ndarray]:
        """(documents matching the plan's words and phrases, their scores). Out of time, the
        groups and phrases not reached yet are left out: fewer words matched, fewer phrases
        required."""
        size = self.matrix.size
        score = np.zeros(size)
        if plan.groups:
            count = np.zeros(size, dtype=np.int16)
            in_head = np.zeros(size, dtype=np.int16)
            multi = np.zeros(size, dtype=bool) if plan.needs_multichar else None
            for i, group in enumerate(plan.groups):
                if i and budget.over():
                    break
                docs, s = self.group_scores(group, cache)
                score[docs] += s
                count[docs] += 1
                in_head[self.group_heads(group, cache)] += 1
                if multi is not None and not group.single:
                    multi[docs] = True
            ok = (count > 0) if multi is None else multi
            hit = np.flatnonzero(count)  # coordination and the head bonus where something matched
            n = len(plan.groups)
            score[hit] *= (count[hit] / n) ** COORD * self.head_factor(in_head[hit], self.matrix.doc_head[hit], n)
        else:
            ok = self.matrix.doc_kind == KIND_ARTICLE  # filters alone list articles
        if plan.required:
            ok = np.ones(size, dtype=bool)  # a phrase decides; the other words only rank
        for i, group in enumerate(plan.required):
            if (i or plan.groups) and budget.over():
                break
            docs, s = self.group_scores(group, cache)
            found = np.zeros(size, dtype=bool)
            found[docs] = True
            ok &= found
            score[docs] += s
        cand = np.flatnonzero(ok)
        return cand, score[cand]

    def _allowed(self, cand: np.ndarray, plan: Plan, cache: dict, budget: Budget) -> np.ndarray:
        articles = self.table.filter_mask(plan.filters) if plan.filters else self.table.live
        keep = articles[self.matrix.doc_article[cand]]
        if plan.excludes:
            gone = np.zeros(self.matrix.size, dtype=bool)
            for group in plan.excludes:
                if budget.over():
                    break
                gone[self.group_scores(group, cache)[0]] = True
            keep &= ~gone[cand]
        return keep

    def execute(self, plan: Plan, page: int = 1, limit: int = 10, sort: str = "relevance",
                budget: Budget = UNLIMITED) -> Ranked:
        ranked = Ranked()
        if plan.impossible or not self.matrix.size:
            return ranked
        cache: dict = {}
        cand, scores = self._candidates(plan, cache, budget)
        keep = self._allowed(cand, plan, cache, budget)
        cand, scores = cand[keep], scores[keep]
        on_path = self.table.is_path[self.matrix.doc_article[cand]]
        if on_path.any():
            ranked.paths = self._by_score(cand[on_path], scores[on_path], self.matrix.doc_article[cand[on_path]], 3)
            cand, scores = cand[~on_path], scores[~on_path]
        if not len(cand):
            return ranked
        arts = self.matrix.doc_article[cand]
        seen = np.zeros(len(self.table), dtype=bool)
        seen[arts] = True
        present = np.flatnonzero(seen)  # the matching articles, each once
        ranked.total = len(present)
        ranked.facets = self.table.facets(present)
        start = (page - 1) * limit
        if sort == "updated" or not plan.searches_text:
            ranked.page = self._by_date(cand, scores, arts, present, start, limit)
        else:
            ranked.page = self._by_score(cand, scores, arts, start + limit)[start:]
        shown = [d for _, docs in ranked.page + ranked.paths for d, _ in docs]
        ranked.matched = self.matched(plan, np.array(shown, dtype=np.int64), cache)
        return ranked

    def _by_score(self, cand, scores, arts, need: int):
        """The first ``need`` articles by their best document, each with its other good ones."""
        k = min(len(cand), max(need * 8, 64))
        while True:
            top = np.argpartition(-scores, k - 1)[:k] if k < len(cand) else np.arange(len(cand))
            top = top[np.lexsort((cand[top], -scores[top]))]
            groups: dict[int, list[tuple[int, float]]] = {}
            for i in top.tolist():
                docs = groups.setdefault(int(arts[i]), [])
                if len(docs) <= MORE:
                    docs.append((int(cand[i]), float(scores[i])))
            if len(groups) >= need or k == len(cand):
                return list(groups.items())[:need]
            k = min(len(cand), k * 4)

    def _by_date(self, cand, scores, arts, present, start: int, limit: int):
        chosen = present[np.argsort(self.table.date_rank[present], kind="stable")][start : start + limit]
        inside = np.isin(arts, chosen)
        c, s, a = cand[inside], scores[inside], arts[inside]
        order = np.lexsort((c, -s))
        groups: dict[int, list[tuple[int, float]]] = {int(x): [] for x in chosen}
        for i in order.tolist():
            docs = groups[int(a[i])]
            if len(docs) <= MORE:
                docs.append((int(c[i]), float(s[i])))
        return list(groups.items())

    def matched(self, plan: Plan, docs: np.ndarray, cache: dict) -> dict[int, list[tuple[Group, Alt]]]:
        """Which alternative of which group each of ``docs`` matched (for highlighting and
        for telling staff why a result came up)."""
        out: dict[int, list[tuple[Group, Alt]]] = {int(d): [] for d in docs.tolist()}
        if not len(docs):
            return out
        for group in plan.groups + plan.required:
            for alt in group.alts:
                if ("alt", alt) not in cache:
                    continue  # not reached in time
                found = self.alt_scores(alt, cache)[0]
                if not len(found):
                    continue
                at = np.minimum(np.searchsorted(found, docs), len(found) - 1)
                for d in docs[found[at] == docs].tolist():
                    out[int(d)].append((group, alt))
        return out
