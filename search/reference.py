"""The reference ranking: a query plan run through Whoosh's own matching and BM25F scorer.

It walks every match in Python, as the first search core did — far too slow to serve (seconds at
10,000 articles) but plain enough to trust. Tests run it beside the fast path (search.ranking)
on small corpora and require the same totals, facets and top results; benchmarks may use it to
check the fast path on real data.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from whoosh import query as Q
from whoosh import scoring

from kb.article import TYPES
from kb.sections import without_ordinal

from . import ranking
from .analyzer import segmenter
from .documents import PATH_TYPE
from .facets import TAG_FACETS
from .plan import Alt, Group, Plan
from .schema import TEXT_FIELD


@dataclass
class Reference:
    total: int = 0
    facets: dict = field(default_factory=lambda: {"type": {}, "tags": {}, "category": {}})
    # articles best first: (slug, [(document id, score), …] best first)
    ranked: list[tuple[str, list[tuple[str, float]]]] = field(default_factory=list)


class _Weighting(scoring.BM25F):
    """Whoosh's BM25F scorer with the idf the fast path uses (ranking.inverse_frequency)."""

    def idf(self, searcher, fieldname, text):
        return ranking.inverse_frequency(searcher.doc_count_all(), searcher.doc_frequency(fieldname, text))


class ReferenceRanker:
    def __init__(self, index):
        self.searcher = index.searcher(weighting=_Weighting(B=ranking.B, K1=ranking.K1))
        self.reader = self.searcher.reader()
        self.n = self.searcher.doc_count_all()
        self.avg = self.searcher.avg_field_length(TEXT_FIELD) or 1.0
        self.stored = {d: self.searcher.stored_fields(d) for d in self.reader.all_doc_ids()}
        dictionary = getattr(self.searcher.schema[TEXT_FIELD].analyzer, "dictionary", ())
        self.heads = {d: self._head(f, dictionary) for d, f in self.stored.items()}

    @staticmethod
    def _head(fields: dict, dictionary) -> tuple[set[str], int]:
        """(terms, words) of a document's head: its section's heading, or the article's title."""
        text = without_ordinal(fields.get("section") or "") if fields["kind"] == "section" else fields.get("article_title")
        terms, words = set(), 0
        for term, _start, _end, subs in segmenter(dictionary).words(text or ""):
            terms.add(term)
            terms.update(sub for sub, _ in subs)
            words += 1
        return terms, words

    def close(self) -> None:
        self.searcher.close()

    def term(self, term: str) -> dict[int, float]:
        """Whoosh's own BM25F score of every document containing ``term``."""
        hits = self.searcher.search(Q.Term(TEXT_FIELD, term), limit=None)
        return {hit.docnum: hit.score for hit in hits}

    def _positions(self, term: str) -> dict[int, set[int]]:
        if (TEXT_FIELD, term) not in self.reader:
            return {}
        out: dict[int, set[int]] = {}
        matcher = self.reader.postings(TEXT_FIELD, term)
        while matcher.is_active():
            if not self.reader.is_deleted(matcher.id()):
                out[matcher.id()] = set(matcher.value_as("positions"))
            matcher.next()
        return out

    def phrase(self, terms: tuple[str, ...]) -> dict[int, float]:
        found = [self._positions(t) for t in terms]
        docs = set(found[0]).intersection(*found[1:]) if found else set()
        scores = {}
        for doc in docs:
            starts = [p for p in found[0][doc] if all(p + i in found[i][doc] for i in range(1, len(terms)))]
            if starts:
                scores[doc] = len(starts)
        idf = ranking.inverse_frequency(self.n, len(scores))
        return {d: scoring.bm25(idf, f, self.searcher.doc_field_length(d, TEXT_FIELD), self.avg, ranking.B, ranking.K1)
                for d, f in scores.items()}

    def alt(self, alt: Alt) -> dict[int, float]:
        if alt.mode == "phrase":
            found = self.phrase(alt.terms)
        elif alt.mode == "term":
            found = self.term(alt.terms[0])
        else:
            found = defaultdict(float)
            for t in alt.terms:
                for d, s in self.term(t).items():
                    found[d] += s
        return {d: alt.weight * s for d, s in found.items()}

    def group_weight(self, group: Group) -> float:
        """ranking.Ranker.group_weight: the idf of the group's rarest word, times its alternative's weight."""
        found = [alt.weight * ranking.inverse_frequency(self.n, len(self._positions(t)))
                 for alt in group.alts for t in alt.terms if self._positions(t)]
        return max(found, default=0.0)

    def group(self, group: Group) -> dict[int, float]:
        best: dict[int, float] = {}
        for alt in group.alts:
            for d, s in self.alt(alt).items():
                best[d] = max(best.get(d, 0.0), s)
        return best

    def in_head(self, group: Group) -> set[int]:
        """Documents the group matches with a term that stands in their head."""
        found = set()
        for alt in group.alts:
            found |= {d for d in self.alt(alt) if set(alt.terms) & self.heads[d][0]}
        return found

    def _passes(self, doc: int, filters: dict[str, list[str]]) -> bool:
        fields = self.stored[doc]
        tags = [t for t in (fields.get("tag") or "").split(",") if t]
        for name, values in filters.items():
            have = tags if name == "tag" else [fields.get(name)]
            if not set(values) & set(have):
                return False
        return True

    def run(self, plan: Plan, limit: int = 10) -> Reference:
        out = Reference()
        if plan.impossible:
            return out
        scores: dict[int, float] = defaultdict(float)
        share: Counter = Counter()  # the groups matched: their weight, or their number
        heads: Counter = Counter()
        multi: set[int] = set()
        weight = [self.group_weight(g) if ranking.IDF_COORD else 1.0 for g in plan.groups]
        for group, w in zip(plan.groups, weight):
            for d, s in self.group(group).items():
                scores[d] += s
                share[d] += w
                if not group.single:
                    multi.add(d)
            heads.update(self.in_head(group))
        for run in plan.runs:
            multi |= set(self.group(run)) & set(share)
        n = len(plan.groups)
        scored = {d: scores[d] * (share[d] / sum(weight)) ** ranking.COORD
                  * (1 + ranking.HEAD * (heads[d] / n) * min(1.0, heads[d] / max(self.heads[d][1], 1)))
                  for d in share}
        if plan.required:
            docs = set(self.stored)  # a phrase decides; the other words only rank
        elif plan.groups:
            docs = multi if plan.needs_multichar else set(share)
        else:
            docs = {d for d, f in self.stored.items() if f["kind"] == "article"}  # filters alone list articles
        scores = {d: scored.get(d, 0.0) for d in docs}
        for group in plan.required:
            found = self.group(group)
            scores = {d: s + found[d] for d, s in scores.items() if d in found}
        gone = set().union(*(self.group(g) for g in plan.excludes)) if plan.excludes else set()
        scores = {d: s for d, s in scores.items()
                  if d not in gone and self._passes(d, plan.filters) and self.stored[d]["type"] != PATH_TYPE}
        scores = self._rerank(plan, scores)
        by_article: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for d, s in sorted(scores.items(), key=lambda kv: (-kv[1], self.stored[kv[0]]["id"])):
            by_article[self.stored[d]["slug"]].append((self.stored[d]["id"], s))
        out.total = len(by_article)
        out.facets = self._facets(list(by_article))
        out.ranked = list(by_article.items())[:limit]
        return out

    def _rerank(self, plan: Plan, scores: dict[int, float]) -> dict[int, float]:
        """The proximity bonus (ranking.Ranker.proximity) on the best ``RERANK`` documents and
        those tying with the last of them, window by window."""
        groups = plan.groups[:63]
        if not ranking.PROXIMITY or len(groups) < 2 or not scores:
            return scores
        ordered = sorted(scores.values(), reverse=True)
        threshold = ordered[min(int(ranking.RERANK), len(ordered)) - 1]
        where = [{t: self._positions(t) for t in dict.fromkeys(g.terms)} for g in groups]
        weight = [self.group_weight(g) for g in groups]
        total = sum(weight)
        if not total:
            return scores
        out = dict(scores)
        for doc, score in scores.items():
            if score < threshold:
                continue
            occurrences = sorted((p, g) for g, terms in enumerate(where) for found in terms.values()
                                 for p in found.get(doc, ()))
            best = 0.0
            for p, _ in occurrences:
                inside = {g for q, g in occurrences if p <= q < p + int(ranking.WINDOW)}
                if len(inside) >= 2:
                    best = max(best, sum(weight[g] for g in inside))
            out[doc] = score * (1 + ranking.PROXIMITY * best / total)
        return out

    def _facets(self, slugs: list[str]) -> dict:
        articles = {f["slug"]: f for f in self.stored.values() if f["kind"] == "article"}
        types, cats, tags = Counter(), Counter(), Counter()
        for slug in slugs:
            fields = articles[slug]
            types[fields["type"]] += 1
            cats[fields["category"]] += 1
            tags.update(t for t in (fields.get("tag") or "").split(",") if t)

        def common(counter, limit=None):
            pairs = sorted(counter.items(), key=lambda p: (-p[1], p[0]))
            return dict(pairs[:limit] if limit else pairs)

        return {"type": {k: types[k] for k in TYPES if types[k]}, "tags": common(tags, TAG_FACETS),
                "category": common(cats)}
