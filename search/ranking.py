"""Ranking a query plan over the matrix: scores, totals, facets and per-article grouping.

Scores are BM25 as Whoosh's BM25F scorer computes it (the rounded lengths Whoosh stores, the
zone-weighted term frequencies it keeps as posting weights), with Lucene's idf, which lets a word
found in most documents count for almost nothing; search.reference runs the same plan through
Whoosh's scorer, and tests compare the two. A group scores its best
alternative; a document's score is the sum over the groups it matches, scaled by the share of
the query it matched — each group weighed by its idf, so a page with the one rare word a question
is about beats one with two common ones (coordination) — and, for the best hundred documents, by
how close together the query's words stand in them (proximity). Every step is a vectorised operation over the postings of the
query's terms or over all documents — nothing iterates matches in Python — so exact totals,
facets and grouping cost a few milliseconds at 10,000 articles.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from . import lifecycle
from .budget import UNLIMITED, Budget
from .facets import ArticleTable
from .matrix import KIND_ARTICLE, Matrix
from .parameters import DEFAULT, Parameters
from .plan import Alt, Group, Plan
from .results import empty_facets
from .shortlist import MIN_DOCUMENTS, RARE_SHARE, Pruner, Shortlist

@dataclass
class Ranked:
    total: int = 0
    facets: dict = field(default_factory=empty_facets)
    # the page's articles, best first: (article index, [(document, score), …] best first)
    page: list[tuple[int, list[tuple[int, float]]]] = field(default_factory=list)
    # per document shown: the alternatives of each group that it matched
    matched: dict[int, list[tuple[Group, Alt]]] = field(default_factory=dict)
    # reading paths that match, best first: (article index, [(document, score)])
    paths: list[tuple[int, list[tuple[int, float]]]] = field(default_factory=list)


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


def _above(scores: np.ndarray, leaders: np.ndarray, rerank: int, floor: float) -> bool:
    """Whether the documents ``_rerank`` chose from a shortlist are the ones it would choose from
    every document: fewer than all of the shortlist, each scoring above what the others can."""
    return int(rerank) < len(scores) and bool(leaders.any()) and float(scores[leaders].min()) > floor


class Ranker:
    # search.shortlist: which groups are rare, and from what size of index a shortlist is tried
    rare_share = RARE_SHARE
    min_documents = MIN_DOCUMENTS

    def __init__(self, matrix: Matrix, table: ArticleTable, parameters: Parameters = DEFAULT):
        self.matrix = matrix
        self.table = table
        self.p = parameters
        self._norms = None
        self._term_max: dict[str, float] = {}

    # --- scoring ----------------------------------------------------------------------------

    def _norm(self) -> np.ndarray:
        """The length normalisation of every document, once per index version."""
        if self._norms is None:
            self._norms = self.p.norm(self.matrix.doc_length, self.matrix.avg_length)
        return self._norms

    def term_max(self, term: str, cache: dict) -> float:
        """The highest BM25 ``term`` has in any document, kept for the index version (a float per
        word: queries share their common words) — what search.shortlist's floor is made of."""
        found = self._term_max.get(term)
        if found is None:
            p = self._postings(term, cache)
            found = float(self._bm25(p.weights, p.docs, len(p.docs)).max()) if len(p.docs) else 0.0
            if len(self._term_max) >= 100_000:
                self._term_max.clear()
            self._term_max[term] = found
        return found

    def special_docs(self) -> np.ndarray:
        """The live documents of reading paths and of articles that repeal or replace others:
        the ranking needs their exact scores whatever words they hold (search.shortlist)."""
        if not hasattr(self, "_special"):
            articles = self.table.is_path.copy()
            for old, new in self._replaced().items():
                articles[old] = True
                articles[new] = True
            self._special = np.flatnonzero(articles[self.matrix.doc_article] & self.matrix.live) \
                if self.matrix.size else np.zeros(0, np.int64)
        return self._special

    def _bm25(self, tf: np.ndarray, docs: np.ndarray, df: int) -> np.ndarray:
        return self.p.bm25(self.p.idf(self.matrix.doc_count, df), tf.astype(np.float64), self._norm()[docs])

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

    def _alt_docs(self, alt: Alt, cache: dict) -> np.ndarray:
        """The documents of one alternative, ascending, without scoring them: a shortlist
        (search.shortlist) scores a common word's postings only where it needs to."""
        if ("alt", alt) in cache or alt.mode == "phrase":
            return self.alt_scores(alt, cache)[0]
        docs = [self._postings(t, cache).docs for t in alt.terms]
        if len(docs) == 1:
            return docs[0]
        mask = np.zeros(self.matrix.size, dtype=bool)
        for d in docs:
            mask[d] = True
        return np.flatnonzero(mask)

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

    def group_weight(self, group: Group, cache: dict) -> float:
        """What a group is worth to the query: the idf of its rarest word, times the weight of
        the alternative it stands in (a word's parts count less than the word). Kept for the
        query: coordination and proximity both ask."""
        key = ("weight", id(group))
        if key not in cache:
            best = 0.0
            for alt in group.alts:
                for term in alt.terms:
                    df = len(self._postings(term, cache).docs)
                    if df:
                        best = max(best, alt.weight * self.p.idf(self.matrix.doc_count, df))
            cache[key] = best
        return cache[key]

    def group_scores(self, group: Group, cache: dict, budget: Budget = UNLIMITED) -> tuple[np.ndarray, np.ndarray]:
        """Documents matching any alternative, each scored by its best one. Out of time, the
        alternatives after the first are left out (synonyms and fallbacks count in the budget)."""
        found = []
        for i, alt in enumerate(group.alts):
            if i and budget.over():
                break
            found.append(self.alt_scores(alt, cache))
        return self._combine(found, best=True)

    def _positions_in(self, term: str, docs: np.ndarray, cache: dict) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) of ``term`` in ``docs``, read once for the proximity and the
        together bonus of the same documents."""
        key = ("at", term, docs.tobytes())
        if key not in cache:
            cache[key] = self._postings(term, cache).positions_in(docs)
        return cache[key]

    def proximity(self, plan: Plan, docs: np.ndarray, cache: dict) -> np.ndarray:
        """For each of ``docs`` (ascending), the share of the query's weight — each group's idf —
        that stands within ``window`` words of each other somewhere in the document (two or
        more groups; else 0): an answer says the question's words together, a page that merely
        has them says them apart.

        Vectorised: every occurrence of a query word in these documents, sorted by position,
        opens a window; the groups in each window are OR-ed as bits (``reduceat`` over the
        window's range), weighed, and the best window of each document kept."""
        groups = plan.groups[:63]
        out = np.zeros(len(docs))
        if len(groups) < 2 or not len(docs):
            return out
        weight = np.array([self.group_weight(g, cache) for g in groups])
        where, at, bit = [], [], []
        for g, group in enumerate(groups):
            for term in dict.fromkeys(group.terms):
                p = self._postings(term, cache)
                if not len(p.docs):
                    continue
                d, pos = self._positions_in(term, docs, cache)
                where.append(np.searchsorted(docs, d))
                at.append(pos)
                bit.append(np.full(len(d), g, dtype=np.int64))
        total = weight.sum()
        if not where or not total:
            return out
        where, at, bit = np.concatenate(where), np.concatenate(at), np.concatenate(bit)
        if not len(where):
            return out
        key = (where << 32) + at
        order = np.argsort(key, kind="stable")
        key, where, bits = key[order], where[order], np.left_shift(np.uint64(1), bit[order].astype(np.uint64))
        ends = np.searchsorted(key, key + int(self.p.window), side="left")
        starts = np.arange(len(key))
        bounds = np.empty(2 * len(key), dtype=np.int64)
        bounds[0::2], bounds[1::2] = starts, ends
        padded = np.r_[bits, np.uint64(0)]
        windows = np.bitwise_or.reduceat(padded, bounds)[0::2]
        has = ((windows[:, None] >> np.arange(len(groups), dtype=np.uint64)) & np.uint64(1)).astype(bool)
        value = np.where(has.sum(axis=1) >= 2, has @ weight, 0.0)
        np.maximum.at(out, where, value)
        return out / total

    def together(self, plan: Plan, docs: np.ndarray, cache: dict) -> np.ndarray:
        """For each of ``docs`` (ascending), the share of the weight of the word pairs typed side
        by side (``Plan.together``) that stand side by side, in that order, in the document."""
        out = np.zeros(len(docs))
        total = 0.0
        for i, j in plan.together:
            first, second = plan.groups[i], plan.groups[j]
            weight = self.group_weight(first, cache) + self.group_weight(second, cache)
            total += weight
            da, pa = self._positions_in(first.label, docs, cache)
            db, pb = self._positions_in(second.label, docs, cache)
            if not len(da) or not len(db):
                continue
            after = (np.searchsorted(docs, da) << 32) + pa + 1
            here = np.searchsorted(docs, db)
            out[np.unique(here[np.isin((here << 32) + pb, after)])] += weight
        return out / total if total else out

    def _rerank(self, plan: Plan, cand: np.ndarray, scores: np.ndarray, cache: dict, budget: Budget):
        """(``scores`` with the proximity bonus, and the bonus of a head that is the time the query
        is about (search.stages), on the best ``rerank`` documents, which of ``cand`` those are —
        they stay the best: a bonus only raises — or None). Out of time, BM25 alone ranks: the
        bonus would read positions of words not even scored."""
        close = self.p.proximity and len(plan.groups) >= 2
        when = self.p.stage and plan.times
        joined = self.p.together and plan.together
        if not (close or when or joined) or not len(cand) or budget.over():
            return scores, None
        k = int(self.p.rerank)
        if k < len(cand):  # the best RERANK, and any that tie with the last of them
            leaders = scores >= np.partition(scores, len(cand) - k)[len(cand) - k]
        else:
            leaders = np.ones(len(cand), dtype=bool)
        top = np.flatnonzero(leaders)  # ascending, as cand is: so are cand[top]
        scores, docs = scores.copy(), cand[top]
        if close:
            scores[top] *= self.p.proximity_factor(self.proximity(plan, docs, cache))
        if joined:  # words typed side by side standing side by side: 会议纪要, not 会议 … 纪要
            scores[top] *= self.p.together_factor(self.together(plan, docs, cache))
        if when:  # a section headed by the time asked about: 会前 for 开会前, 每日 for 每天 (search.stages)
            scores[top] *= self.p.stage_factor([plan.about_time_of(self._head(int(d))) for d in docs])
        return scores, leaders

    def _head(self, doc: int) -> str:
        """A document's head: its section's heading, or its article's title."""
        if self.matrix.doc_kind[doc] == KIND_ARTICLE:
            return self.matrix.articles[int(self.matrix.doc_article[doc])]["title"]
        return self.matrix.section(doc)

    # --- lifecycle (search.lifecycle) ----------------------------------------------------------

    def _status_factors(self) -> np.ndarray | None:
        """Each article's ``Parameters.status_factor``, once per index version; None when every
        article is in force."""
        if not hasattr(self, "_status"):
            factors = np.array([self.p.status_factor((a.get("lifecycle") or {}).get("status", ""))
                                for a in self.matrix.articles], dtype=np.float64)
            self._status = factors if len(factors) and (factors != 1.0).any() else None
        return self._status

    def _replaced(self) -> dict[int, list[int]]:
        """Repealed article -> the live articles in force that replace it, once per index version."""
        if not hasattr(self, "_replacements"):
            index = self.table.by_slug
            lives = {a["slug"]: a.get("lifecycle") or {}
                     for i, a in enumerate(self.matrix.articles) if self.table.live[i]}
            self._replacements = {index[old]: [index[n] for n in new if n in index]
                                  for old, new in lifecycle.replacements(lives).items() if old in index}
            self._replacements = {k: v for k, v in self._replacements.items() if v}
        return self._replacements

    def _below_replacements(self, cand: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, bool]:
        """``scores`` with every repealed article held below its best replacement among the
        matches (``Parameters.below``); whether any was."""
        arts = self.matrix.doc_article[cand]
        best = np.zeros(len(self.table))
        np.maximum.at(best, arts, scores)
        held = False
        for old, new in self._replaced().items():
            top = max(best[n] for n in new)
            if best[old] and top and best[old] >= top:
                mine = arts == old
                scores = scores.copy() if not held else scores
                scores[mine] = np.minimum(scores[mine], self.p.below(top))
                held = True
        return scores, held

    # --- matching ---------------------------------------------------------------------------

    def _candidates(self, plan: Plan, cache: dict, budget: Budget) -> tuple[np.ndarray, np.ndarray]:
        """(documents matching the plan's words and phrases, their scores). Out of time, the
        groups and phrases not reached yet are left out: fewer words matched, fewer phrases
        required."""
        size = self.matrix.size
        score = np.zeros(size)
        hit = None
        if plan.groups:
            share = np.zeros(size)  # the groups matched: their weight (``group_weight``), or their number
            weights = []
            in_head = np.zeros(size, dtype=np.int16)
            multi = np.zeros(size, dtype=bool) if plan.needs_multichar else None
            for i, group in enumerate(plan.groups):
                if i and budget.over():
                    break
                docs, s = self.group_scores(group, cache, budget)
                weights.append(self.group_weight(group, cache) if self.p.idf_coord else 1.0)
                score[docs] += s
                share[docs] += weights[-1]
                in_head[self.group_heads(group, cache)] += 1
                if multi is not None and not group.single:
                    multi[docs] = True
            if multi is not None:
                for run in plan.runs:
                    multi[self.group_scores(run, cache)[0]] = True
            hit = np.flatnonzero(share)  # coordination and the head bonus where something matched
            n = len(plan.groups)
            # groups left out for time weigh what the others do on average
            whole = sum(weights) * n / len(weights)
            score[hit] *= self.p.coordination(share[hit], whole) * self.p.head_factor(in_head[hit], self.matrix.doc_head[hit], n)
            ok = None if multi is None else multi[hit]  # over ``hit``, not over all documents
        else:
            ok = self.matrix.doc_kind == KIND_ARTICLE  # filters alone list articles
        if plan.required:
            hit, ok = None, np.ones(size, dtype=bool)  # a phrase decides; the other words only rank
        for i, group in enumerate(plan.required):
            if (i or plan.groups) and budget.over():
                break
            docs, s = self.group_scores(group, cache, budget)
            found = np.zeros(size, dtype=bool)
            found[docs] = True
            ok &= found
            score[docs] += s
        if hit is None:
            cand = np.flatnonzero(ok)
        else:
            cand = hit if ok is None else hit[ok]
        return cand, score[cand]

    def _allowed(self, cand: np.ndarray, plan: Plan, cache: dict, budget: Budget) -> np.ndarray:
        articles = self.table.filter_mask(plan.filters, plan.scope) if plan.filters or plan.scope else self.table.live
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
        if plan.impossible or not self.matrix.size:
            return Ranked()
        cache: dict = {}
        order = self.table.ranks.get(sort)  # a field to order by, newest first; else relevance
        if order is None and not plan.searches_text and self.table.ranks:
            order = next(iter(self.table.ranks.values()))  # filters alone list the newest first
        if order is None:  # the documents that can reach the page, when a floor tells (search.shortlist)
            short = Pruner(self, plan, cache, budget, self.rare_share, self.min_documents).run()
            ranked = self._select(plan, cache, budget, page, limit, None, short) if short is not None else None
            if ranked is not None:
                return ranked
            for key in [k for k in cache if k[0] == "reached"]:
                del cache[key]  # scored in full now: what was reached is what the budget let through
        return self._select(plan, cache, budget, page, limit, order, None)

    def _select(self, plan: Plan, cache: dict, budget: Budget, page: int, limit: int, order, short: Shortlist | None):
        """The page, its totals and facets, from every matching document — or from a shortlist,
        None when its floor is not below what the page takes (then everything is scored)."""
        ranked = Ranked()
        floor = None if short is None else short.floor
        cand, scores = self._candidates(plan, cache, budget) if short is None else (short.docs, short.scores)
        keep = self._allowed(cand, plan, cache, budget)
        cand, scores = cand[keep], scores[keep]
        status = self._status_factors()
        if status is not None and len(cand):  # 试行 below 现行, 废止 lower (search.lifecycle)
            scores = scores * status[self.matrix.doc_article[cand]]
        if plan.wants_steps and self.p.intent and len(cand):
            steps = self.table.type_mask(self.p.steps_types)[self.matrix.doc_article[cand]]
            scores = scores * self.p.intent_factor(steps)
        leaders = None
        if order is None:
            before = scores
            scores, leaders = self._rerank(plan, cand, scores, cache, budget)
            if floor is not None and leaders is not None and not _above(before, leaders, self.p.rerank, floor):
                return None  # a document left out might have been reranked
            if self._replaced() and len(cand):
                scores, held = self._below_replacements(cand, scores)
                leaders = None if held else leaders
        on_path = self.table.is_path[self.matrix.doc_article[cand]]
        if on_path.any():
            ranked.paths = self._by_score(cand[on_path], scores[on_path], self.matrix.doc_article[cand[on_path]], 3)
            cand, scores = cand[~on_path], scores[~on_path]
            leaders = leaders[~on_path] if leaders is not None else None
        if short is None:
            if not len(cand):
                return ranked
            seen = np.zeros(len(self.table), dtype=bool)
            seen[self.matrix.doc_article[cand]] = True
            present = np.flatnonzero(seen)  # the matching articles, each once
        else:
            present = short.present  # counted without scores
            if not len(present) or not len(cand):
                return ranked if not len(present) else None
        arts = self.matrix.doc_article[cand]
        ranked.total = len(present)
        ranked.facets = self.table.facets(present)
        start = (page - 1) * limit
        if order is not None:
            ranked.page = self._by_order(order, cand, scores, arts, present, start, limit)
        else:
            chosen = self._by_score(cand, scores, arts, start + limit, leaders, floor)
            if chosen is None:
                return None
            ranked.page = chosen[start:]
        shown = [d for _, docs in ranked.page + ranked.paths for d, _ in docs]
        ranked.matched = self.matched(plan, np.array(shown, dtype=np.int64), cache)
        return ranked

    def _by_score(self, cand, scores, arts, need: int, leaders: np.ndarray | None = None,
                  floor: float | None = None):
        """The first ``need`` articles by their best document, each with its other good ones.
        ``leaders``: a mask of ``cand`` known to hold its best documents (``_rerank``). ``floor``:
        ``cand`` is a shortlist, and every document left out scores at most this; None when the
        documents this takes are not all above it."""
        k = min(len(cand), max(need * 8, 64)) if floor is None else max(need * 8, 64)
        pool = np.flatnonzero(leaders) if leaders is not None else None
        while True:
            if pool is not None and k <= len(pool):
                top = pool[np.lexsort((cand[pool], -scores[pool]))][:k]
            else:
                if floor is not None and k >= len(cand):
                    return None
                if k < len(cand):  # the best k, and any that tie with the last of them: the order decides
                    kth = -np.partition(-scores, k - 1)[k - 1]
                    if floor is not None and kth <= floor:
                        return None
                    top = np.flatnonzero(scores >= kth)
                else:
                    top = np.arange(len(cand))
                top = top[np.lexsort((cand[top], -scores[top]))][:k]
            groups: dict[int, list[tuple[int, float]]] = {}
            for i in top.tolist():
                docs = groups.setdefault(int(arts[i]), [])
                if len(docs) <= self.p.more:
                    docs.append((int(cand[i]), float(scores[i])))
            if len(groups) >= need or k == len(cand):
                return list(groups.items())[:need]
            k = min(len(cand), k * 4) if floor is None else k * 4

    def _by_order(self, order: np.ndarray, cand, scores, arts, present, start: int, limit: int):
        chosen = present[np.argsort(order[present], kind="stable")][start : start + limit]
        inside = np.isin(arts, chosen)
        c, s, a = cand[inside], scores[inside], arts[inside]
        order = np.lexsort((c, -s))
        groups: dict[int, list[tuple[int, float]]] = {int(x): [] for x in chosen}
        for i in order.tolist():
            docs = groups[int(a[i])]
            if len(docs) <= self.p.more:
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
                if ("alt", alt) not in cache and ("reached", alt) not in cache:
                    continue  # not reached in time
                found = self._alt_docs(alt, cache)
                if not len(found):
                    continue
                at = np.minimum(np.searchsorted(found, docs), len(found) - 1)
                inside = docs[found[at] == docs]
                if alt.mode != "parts":
                    for d in inside.tolist():
                        out[int(d)].append((group, alt))
                    continue
                # of a word's parts, say which each document has (coverage: 会议 of 会议纪要 is not all of it)
                has = {t: _in_sorted(inside, self._postings(t, cache).docs) for t in alt.terms}
                for i, d in enumerate(inside.tolist()):
                    out[int(d)].append((group, replace(alt, terms=tuple(t for t in alt.terms if has[t][i]))))
        return out
