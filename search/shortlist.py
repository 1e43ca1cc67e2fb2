"""A shortlist for the ranking: the documents that can reach the first page, scored exactly, and
the matching articles counted without scoring the rest.

Why: the fast path (search.ranking) scores every document that holds a query word, and common
words (工作, 办公室, 领导) are in most of the 530,000 documents of 50,000 articles — the numpy
work per query grew with the corpus (HTTP p95 46 ms there). But a common word's idf is small, so
a document holding only the common words of a query cannot score high. This is max-score
pruning (Turtle and Flood's MaxScore, as Lucene uses it), done over arrays:

- the query's *rare* groups (postings of at most ``RARE_SHARE`` of the documents) are scored in
  full, as search.ranking does; the documents they match are the shortlist;
- the *common* groups are scored only for the shortlisted documents, looked up in their postings
  (a binary search per document, no pass over all of a common word's postings' scores);
- every other matching document holds common words only, and its score is at most the sum of
  those groups' highest possible BM25 — the largest weighted frequency over the smallest length
  normalisation — times the coordination and head bonus of matching all of them: the *floor*;
- reading paths and the articles that repeal or replace others (search.lifecycle) need their
  documents' exact scores: their documents that match join the shortlist whatever words they hold.

The shortlist answers only when the floor stays below everything the ranking takes from it: the
documents proximity reranks (``Parameters.rerank``) and those ``Ranker._by_score`` groups into the
page must all score above the floor, so that no document left out could have been among them
(search.ranking checks, and falls back to scoring everything when not). Then the page, its scores
and the proximity bonus are the same as scoring everything, bit for bit: the same numbers are
added in the same order.

Totals and facets count articles, and need no score: the articles holding any counted group's word
are marked through each term's postings (one gather and one scatter), then filtered as the ranking
filters. Documents matter only for exclusions (``-word`` removes a document, not its article), for
which the union is made over documents.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .budget import Budget
from .plan import Alt, Group, Plan

RARE_SHARE = 0.02  # a group is rare when its postings are at most this share of the documents
COMMON_SHARE = 0.5  # of common words only, the least common lists when it is in at most this share
DENSE_LOOKUP = 64  # a shortlist of more than 1/64 of the documents is looked up through a map
# below this many documents (~20,000 articles) the shortlist measured no faster than scoring
# everything (10,000 articles, 116,000 documents: docs/benchmarks.md)
MIN_DOCUMENTS = 200_000


@dataclass
class Shortlist:
    docs: np.ndarray  # the shortlisted documents that match as the ranking requires, ascending
    scores: np.ndarray  # their scores, as Ranker._candidates computes them
    floor: float  # every other matching document scores at most this (status and intent included)
    present: np.ndarray  # the matching articles the filters let through, reading paths left out


def _lookup(docs: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index into ``docs`` of each of ``wanted``, whether it is there); ``docs`` ascending."""
    if not len(docs):
        return np.zeros(len(wanted), np.int64), np.zeros(len(wanted), dtype=bool)
    at = np.minimum(np.searchsorted(docs, wanted), len(docs) - 1)
    return at, docs[at] == wanted


def _union(lists: list[np.ndarray], size: int) -> np.ndarray:
    """The documents of any of ``lists``, ascending: marked in a mask of every document (hashing
    or sorting a hundred thousand numbers costs more than a pass over half a million bytes)."""
    lists = [d for d in lists if len(d)]
    if len(lists) == 1:
        return np.asarray(lists[0], dtype=np.int64)
    mask = np.zeros(size, dtype=bool)
    for d in lists:
        mask[d] = True
    return np.flatnonzero(mask)


class Pruner:
    """One query's shortlist over a Ranker (search.ranking): its postings cache is the query's."""

    def __init__(self, ranker, plan: Plan, cache: dict, budget: Budget, rare_share: float = RARE_SHARE,
                 min_documents: int = MIN_DOCUMENTS):
        self.r, self.plan, self.cache, self.budget = ranker, plan, cache, budget
        self.rare_share, self.min_documents = rare_share, min_documents
        self.common_share = COMMON_SHARE
        self._at: np.ndarray | None = None

    # --- when ---------------------------------------------------------------------------------

    def _eligible(self) -> bool:
        plan, p = self.plan, self.r.p
        return (bool(plan.groups) and not plan.required and not plan.runs and p.coord >= 0
                and self.r.matrix.size >= self.min_documents)

    def _postings_size(self, group: Group) -> int:
        return sum(len(self.r._postings(t, self.cache).docs) for t in group.terms)

    # --- the shortlist ------------------------------------------------------------------------

    def run(self) -> Shortlist | None:
        if not self._eligible():
            return None
        plan, r = self.plan, self.r
        sizes = [self._postings_size(g) for g in plan.groups]
        rare = [n <= self.rare_share * r.matrix.size for n in sizes]
        if all(rare):
            return None  # scoring everything is cheap
        if not any(rare):  # common words only: the documents of the least common one are listed
            smallest = int(np.argmin(sizes))
            if sizes[smallest] > self.common_share * r.matrix.size or len(sizes) == 1:
                return None  # one word: its documents are all there is to list
            rare[smallest] = True
        floor = self._floor(rare)
        full: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for i, group in enumerate(plan.groups):
            if i and self.budget.over():
                return None  # the full path answers with what it reaches in time
            if rare[i]:
                full[i] = r.group_scores(group, self.cache, self.budget)
        special = r.special_docs()
        listed = [full[i][0] for i in full]
        if len(special):
            listed.append(special[self._matching(special)])
        # a document with a common word in its head may be lifted by the head bonus: listed too,
        # so that the floor needs no head bonus
        listed += [r.group_heads(g, self.cache) for g, is_rare in zip(plan.groups, rare) if not is_rare]
        docs = _union(listed, r.matrix.size)
        docs, scores = self._score(docs, full)
        return Shortlist(docs, scores, floor, self._present())

    def _matching(self, docs: np.ndarray) -> np.ndarray:
        """Which of ``docs`` match any group (by any alternative)."""
        found = np.zeros(len(docs), dtype=bool)
        for group in self.plan.groups:
            for lists in self._doc_lists(group):
                found |= _lookup(lists, docs)[1]
        return found

    def _doc_lists(self, group: Group) -> list[np.ndarray]:
        """The documents of each alternative's terms (a phrase: the documents having it)."""
        out = []
        for alt in group.alts:
            if alt.mode == "phrase":
                out.append(self.r.alt_scores(alt, self.cache)[0])
            else:
                out += [self.r._postings(t, self.cache).docs for t in alt.terms]
        return out

    def _score(self, docs: np.ndarray, full: dict) -> tuple[np.ndarray, np.ndarray]:
        """Ranker._candidates over ``docs`` only: the same sums in the same order."""
        r, plan = self.r, self.plan
        n = len(docs)
        if n * DENSE_LOOKUP > r.matrix.size:  # a long list: looked up through a map of all documents
            self._at = np.full(r.matrix.size, -1, dtype=np.int64)
            self._at[docs] = np.arange(n)
        score, share = np.zeros(n), np.zeros(n)
        in_head = np.zeros(n, dtype=np.int16)
        multi = np.zeros(n, dtype=bool) if plan.needs_multichar else None
        weights = []
        for i, group in enumerate(plan.groups):
            if i in full:
                idx, at = self._find(full[i][0], docs)
                values = full[i][1][at]
                heads = self._find(r.group_heads(group, self.cache), docs)[0]
                for alt in group.alts:
                    self.cache[("reached", alt)] = True
            else:
                idx, values, heads = self._looked_up(group, docs)
            weights.append(r.group_weight(group, self.cache) if r.p.idf_coord else 1.0)
            score[idx] += values
            share[idx] += weights[-1]
            in_head[heads] += 1
            if multi is not None and not group.single:
                multi[idx] = True
        hit = np.flatnonzero(share)
        whole = sum(weights) * len(plan.groups) / len(weights)
        factor = r.p.coordination(share[hit], whole)
        lifted = np.flatnonzero(in_head[hit])  # elsewhere the head bonus is exactly 1
        if len(lifted):
            at = hit[lifted]
            factor[lifted] *= r.p.head_factor(in_head[at], r.matrix.doc_head[docs[at]], len(plan.groups))
        score[hit] *= factor
        if multi is not None:
            hit = hit[multi[hit]]
        return docs[hit], score[hit]

    def _looked_up(self, group: Group, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(which of ``docs`` a common group matches, its best alternative's score there, which
        have one of its terms in the head), from the postings: Ranker.group_scores and
        group_heads, element by element."""
        r, n = self.r, len(docs)
        heads = np.zeros(n, dtype=bool)
        found = []
        for alt in group.alts:
            self.cache[("reached", alt)] = True
            if alt.mode == "phrase":
                pdocs, pscores = r.alt_scores(alt, self.cache)
                idx, at = self._find(pdocs, docs)
                values = pscores[at]
                has = np.zeros(n, dtype=bool)
                has[idx] = True
                for term in alt.terms:
                    p = r._postings(term, self.cache)
                    tidx, tat = self._find(p.docs, docs)
                    lifted = tidx[p.heads[tat] > 0]
                    heads[lifted[has[lifted]]] = True
            else:
                idx, values = self._alt_values(alt, docs, heads)
            if len(idx):
                found.append((idx, values))
        if len(found) == 1:
            return found[0][0], found[0][1], np.flatnonzero(heads)
        best, matched = np.zeros(n), np.zeros(n, dtype=bool)
        for idx, values in found:  # the best alternative, as Ranker._combine takes it
            best[idx] = np.maximum(best[idx], values)
            matched[idx] = True
        idx = np.flatnonzero(matched)
        return idx, best[idx], np.flatnonzero(heads)

    def _alt_values(self, alt: Alt, docs: np.ndarray, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of ``docs`` a term or a word's parts match, the scores there: Ranker.alt_scores),
        marking ``heads``."""
        r = self.r
        parts = []
        for term in alt.terms:
            p = r._postings(term, self.cache)
            idx, at = self._find(p.docs, docs)
            if len(idx):
                parts.append((idx, r._bm25(p.weights[at], docs[idx], len(p.docs))))
                heads[idx[p.heads[at] > 0]] = True
        if len(parts) <= 1:
            return (parts[0][0], alt.weight * parts[0][1]) if parts else (np.zeros(0, np.int64), np.zeros(0))
        total, matched = np.zeros(len(docs)), np.zeros(len(docs), dtype=bool)
        for idx, scores in parts:  # the parts' scores summed, as Ranker._combine sums them
            total[idx] += scores
            matched[idx] = True
        idx = np.flatnonzero(matched)
        return idx, alt.weight * total[idx]

    def _find(self, lists: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of the shortlist ``docs`` are in ``lists``, where in ``lists``): by binary
        search, or, for a long shortlist, through the map of every document to its place in it
        (one gather over ``lists``)."""
        if self._at is None:
            at, found = _lookup(lists, docs)
            idx = np.flatnonzero(found)
            return idx, at[idx]
        place = self._at[lists]
        inside = np.flatnonzero(place >= 0)
        return place[inside], inside

    # --- what the others can score ---------------------------------------------------------------

    def _floor(self, rare: list[bool]) -> float:
        """The highest score a matching document outside the shortlist can have: it holds common
        groups only (see the module's docstring)."""
        r, plan = self.r, self.plan
        common = [g for g, is_rare in zip(plan.groups, rare) if not is_rare]
        bound = sum(self._group_bound(g) for g in common)
        weights = [r.group_weight(g, self.cache) if r.p.idf_coord else 1.0 for g in plan.groups]
        whole = sum(weights)
        mine = sum(w for w, is_rare in zip(weights, rare) if not is_rare)
        bound *= r.p.coordination(min(mine, whole), whole)  # no head bonus: those documents are listed
        status = r._status_factors()
        bound *= max(1.0, float(status.max())) if status is not None else 1.0
        if plan.wants_steps and r.p.intent:
            bound *= max(1.0, 1 + r.p.intent)
        return bound * (1 + 1e-9)  # rounding: a computed score may exceed the true bound by an ulp

    def _group_bound(self, group: Group) -> float:
        return max((self._alt_bound(alt) for alt in group.alts), default=0.0)

    def _alt_bound(self, alt: Alt) -> float:
        r = self.r
        if alt.mode == "phrase":
            scores = r.alt_scores(alt, self.cache)[1]
            return float(scores.max()) if len(scores) else 0.0
        return alt.weight * sum(r.term_max(t, self.cache) for t in alt.terms)

    # --- counting -------------------------------------------------------------------------------

    def _present(self) -> np.ndarray:
        """The articles with a document that matches (Ranker._candidates: a group counts only
        beside a word of two or more characters when the query has one), that the filters and
        the reader's scope let through, that no exclusion removes, reading paths left out."""
        r, plan = self.r, self.plan
        counted = [g for g in plan.groups if not g.single] if plan.needs_multichar else plan.groups
        article = r.matrix.doc_article
        seen = np.zeros(len(r.table), dtype=bool)
        if plan.excludes:  # a document, not its article, is excluded: the union of documents
            mask = np.zeros(r.matrix.size, dtype=bool)
            for d in (d for g in counted for d in self._doc_lists(g)):
                mask[d] = True
            for group in plan.excludes:
                if self.budget.over():
                    break
                mask[r.group_scores(group, self.cache)[0]] = False
            seen[article[np.flatnonzero(mask)]] = True
        else:
            for group in counted:
                for alt in group.alts:
                    if alt.mode == "phrase":
                        seen[article[r.alt_scores(alt, self.cache)[0]]] = True
                    else:
                        for term in alt.terms:
                            seen |= r.matrix.articles_with(term)
        allowed = r.table.filter_mask(plan.filters, plan.scope) if plan.filters or plan.scope else r.table.live
        return np.flatnonzero(seen & allowed & ~r.table.is_path)
