"""The reference: a query plan run through Whoosh's own matching and BM25F scorer, and a second,
slow search engine built on it.

It walks every match in Python, as the first search core did — far too slow to serve (seconds at
10,000 articles) but plain enough to trust. Tests run ``ReferenceRanker`` beside the fast path
(search.ranking) on small corpora and require the same totals, facets and top results; the
formulas beyond BM25 (coordination, the head bonus, proximity) are the ones of
``search.parameters``, written once. ``ReferenceEngine`` answers the whole search interface from
Whoosh alone — its own vocabulary, matching, scoring, filters, facets, snippets and suggestions —
so the contract suite (tests/search/test_contract.py) runs against two engines, as a second
engine (OpenSearch, say) would have to pass it.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from whoosh import query as Q
from whoosh import scoring

from kb.article import article_url
from kb.config import between, setting
from kb.fields import registry
from kb.sections import without_ordinal

from . import lifecycle
from .analyzer import segmenter
from .coverage import Weights, assess, matched_words
from .documents import FIELD_PREFIX, PATH_TYPE, attachment_link
from .engine import Engine
from .facets import VALUE_FACETS
from .highlight import snippet
from .interface import IndexUnavailable, Query
from .parameters import DEFAULT, Parameters
from .parse import parse_query
from .pins import first
from .plan import Alt, Group, Plan, build_plan
from .results import Hit, SearchResult, Suggestion, empty_facets
from .schema import TEXT_FIELD
from .record import record_complete
from .storage import live_path, open_whoosh, version_stamp


@dataclass
class Reference:
    total: int = 0
    facets: dict = field(default_factory=empty_facets)
    # articles best first: (slug, [(document id, score), …] best first)
    ranked: list[tuple[str, list[tuple[str, float]]]] = field(default_factory=list)


def _values(fields: dict, name: str) -> list[str]:
    """An indexed article field's values as a document of the index stores them."""
    return [v for v in (fields.get(FIELD_PREFIX + name) or "").split(",") if v]


class _Weighting(scoring.BM25F):
    """Whoosh's BM25F scorer with the idf the fast path uses (Parameters.idf)."""

    def __init__(self, p: Parameters):
        super().__init__(B=p.b, K1=p.k1)
        self.p = p

    def idf(self, searcher, fieldname, text):
        return self.p.idf(searcher.doc_count_all(), searcher.doc_frequency(fieldname, text))


class ReferenceRanker:
    def __init__(self, index, parameters: Parameters = DEFAULT):
        self.p = parameters
        self.searcher = index.searcher(weighting=_Weighting(parameters))
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
        idf = self.p.idf(self.n, len(scores))
        return {d: self.p.bm25(idf, f, self.p.norm(self.searcher.doc_field_length(d, TEXT_FIELD), self.avg))
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
        found = [alt.weight * self.p.idf(self.n, len(self._positions(t)))
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
        return all(set(values) & set(_values(fields, name)) for name, values in filters.items())

    def _in_scope(self, doc: int, scope) -> bool:
        if not scope:
            return True
        fields = self.stored[doc]
        return scope.allows({name: _values(fields, name) for name in {*scope.hide, *scope.only}})

    def run(self, plan: Plan, limit: int = 10, page: int = 1, sort: str = "relevance") -> Reference:
        out = Reference()
        if plan.impossible:
            return out
        scores: dict[int, float] = defaultdict(float)
        share: Counter = Counter()  # the groups matched: their weight, or their number
        heads: Counter = Counter()
        multi: set[int] = set()
        weight = [self.group_weight(g) if self.p.idf_coord else 1.0 for g in plan.groups]
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
        scored = {d: scores[d] * self.p.coordination(share[d], sum(weight))
                  * float(self.p.head_factor(heads[d], self.heads[d][1], n)) for d in share}
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
                  if d not in gone and self._passes(d, plan.filters) and self._in_scope(d, plan.scope)
                  and PATH_TYPE not in _values(self.stored[d], "type")}
        scores = {d: s * self.p.status_factor((self.stored[d].get("lifecycle") or {}).get("status", ""))
                  for d, s in scores.items()}  # ranking.Ranker.execute: 试行 below 现行, 废止 lower
        if plan.wants_steps and self.p.intent:  # ranking.Ranker.execute: a question asking what to do
            steps = set(self.p.steps_types)
            scores = {d: s * self.p.intent_factor(bool(steps & set(_values(self.stored[d], "type"))))
                      for d, s in scores.items()}
        order = sort if sort in {f.name for f in registry().sortable} else None
        if order is None and not plan.searches_text and registry().sortable:
            order = registry().sortable[0].name  # filters alone list the newest first
        if order is None:
            scores = self._below_replacements(self._rerank(plan, scores))
        by_article: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for d, s in sorted(scores.items(), key=lambda kv: (-kv[1], self.stored[kv[0]]["id"])):
            by_article[self.stored[d]["slug"]].append((self.stored[d]["id"], s))
        out.total = len(by_article)
        out.facets = self._facets(list(by_article))
        ranked = list(by_article.items())
        if order is not None:  # newest first, ties by title, as the fast path and the site's lists
            ranked = sorted(ranked, key=lambda kv: self._order_key(kv[0], order), reverse=True)
        out.ranked = ranked[(page - 1) * limit : page * limit]
        return out

    def _order_key(self, slug: str, name: str) -> tuple[str, str]:
        fields = self._article(slug)
        return next(iter(_values(fields, name)), ""), fields.get("article_title") or ""

    def _article(self, slug: str) -> dict:
        return next(f for f in self.stored.values() if f["kind"] == "article" and f["slug"] == slug)

    def _rerank(self, plan: Plan, scores: dict[int, float]) -> dict[int, float]:
        """The proximity bonus (ranking.Ranker.proximity) on the best ``rerank`` documents and
        those tying with the last of them, window by window."""
        groups = plan.groups[:63]
        close = self.p.proximity and len(groups) >= 2
        when = self.p.stage and plan.times
        joined = self.p.together and plan.together
        if not (close or when or joined) or not scores:
            return scores
        ordered = sorted(scores.values(), reverse=True)
        threshold = ordered[min(int(self.p.rerank), len(ordered)) - 1]
        out = dict(scores)
        if when:  # ranking.Ranker._rerank: a section headed by the time asked about (search.stages)
            for doc, score in scores.items():
                if score >= threshold:
                    fields = self.stored[doc]
                    head = fields.get("section") if fields["kind"] == "section" else fields.get("article_title")
                    out[doc] = score * float(self.p.stage_factor(plan.about_time_of(head or "")))
        if joined:  # ranking.Ranker.together: words typed side by side standing side by side
            pairs = [(self._positions(plan.groups[i].label), self._positions(plan.groups[j].label),
                      self.group_weight(plan.groups[i]) + self.group_weight(plan.groups[j])) for i, j in plan.together]
            whole = sum(w for *_, w in pairs)
            for doc, score in scores.items():
                if score >= threshold and whole:
                    share = sum(w for first, second, w in pairs
                                if first.get(doc, set()) & {p - 1 for p in second.get(doc, ())})
                    out[doc] = out[doc] * float(self.p.together_factor(share / whole))
        where = [{t: self._positions(t) for t in dict.fromkeys(g.terms)} for g in groups]
        weight = [self.group_weight(g) for g in groups]
        total = sum(weight)
        if not close or not total:
            return out
        for doc, score in scores.items():
            if score < threshold:
                continue
            occurrences = sorted((p, g) for g, terms in enumerate(where) for found in terms.values()
                                 for p in found.get(doc, ()))
            best = 0.0
            for p, _ in occurrences:
                inside = {g for q, g in occurrences if p <= q < p + int(self.p.window)}
                if len(inside) >= 2:
                    best = max(best, sum(weight[g] for g in inside))
            out[doc] = out[doc] * self.p.proximity_factor(best / total)
        return out

    def _below_replacements(self, scores: dict[int, float]) -> dict[int, float]:
        """ranking.Ranker._below_replacements: a repealed article held below its replacement."""
        lives = {f["slug"]: f.get("lifecycle") or {} for f in self.stored.values() if f["kind"] == "article"}
        best: dict[str, float] = defaultdict(float)
        for d, s in scores.items():
            best[self.stored[d]["slug"]] = max(best[self.stored[d]["slug"]], s)
        out = dict(scores)
        for old, new in lifecycle.replacements(lives).items():
            top = max((best.get(n, 0.0) for n in new), default=0.0)
            if best.get(old) and top and best[old] >= top:
                for d, s in scores.items():
                    if self.stored[d]["slug"] == old:
                        out[d] = min(s, self.p.below(top))
        return out

    def matched(self, plan: Plan, docs: list[int]) -> dict[int, list[tuple[Group, Alt]]]:
        """ranking.Ranker.matched: the alternatives of each group that each of ``docs`` matched,
        a word's parts narrowed to those the document has."""
        out: dict[int, list[tuple[Group, Alt]]] = {d: [] for d in docs}
        for group in plan.groups + plan.required:
            for alt in group.alts:
                found = self.alt(alt)
                for d in docs:
                    if d not in found:
                        continue
                    if alt.mode == "parts":
                        alt_here = replace(alt, terms=tuple(t for t in alt.terms if d in self.term(t)))
                        out[d].append((group, alt_here))
                    else:
                        out[d].append((group, alt))
        return out

    def _facets(self, slugs: list[str]) -> dict:
        counts: dict[str, Counter] = {f.name: Counter() for f in registry().facets}
        for slug in slugs:
            fields = self._article(slug)
            for name, counter in counts.items():
                counter.update(_values(fields, name))
        out = {}
        for f in registry().facets:
            pairs = sorted(((k, c) for k, c in counts[f.name].items() if c), key=lambda p: (-p[1], p[0]))
            if f.choices:
                out[f.name] = {k: counts[f.name][k] for k in f.choices if counts[f.name][k]}
            else:
                out[f.name] = dict(pairs[:VALUE_FACETS] if f.kind in ("list", "slugs") else pairs)
        return out


class _Lexicon:
    """The plan's vocabulary (search.plan.Vocabulary) from Whoosh's own term list."""

    def __init__(self, reader):
        self.df = {t.decode("utf-8") if isinstance(t, bytes) else t: reader.doc_frequency(TEXT_FIELD, t)
                   for t in reader.lexicon(TEXT_FIELD)}

    def known(self, term: str) -> bool:
        return term in self.df

    def frequency(self, term: str) -> int:
        return self.df.get(term, 0)

    def containing(self, fragment: str, limit: int = 20) -> list[str]:
        fragment = fragment.lower().strip()
        if not fragment:
            return []
        found = [t for t in self.df if fragment in t and t != fragment]
        return sorted(found, key=lambda t: (-self.df[t], len(t), t))[:limit]


class ReferenceEngine(Engine):
    """The search interface answered from Whoosh alone (see the module's docstring). It keeps its
    index as the fast engine does — Whoosh is the index of record for both — and searches it
    without the ranking matrix: every search opens the index's current version and walks it."""

    @dataclass(frozen=True)
    class Settings:
        build_workers: int = setting(0, "完整建索引时并行读文件、分词、写索引记录的进程数；0 表示每核一个（最多 4 个）", between(0, 64))
        cache_size = 0  # nothing is cached: every search walks the index

    def ready(self) -> bool:
        return super().ready() and record_complete(self.index_path)

    def _open_reference(self):
        stamp = version_stamp(self.index_path)
        if stamp is None:
            raise IndexUnavailable("索引还没有建立")
        if not record_complete(self.index_path):  # a cold build's Whoosh record is being written
            raise IndexUnavailable("索引正在写入，请稍后再试")
        index = open_whoosh(live_path(self.index_path).resolve())
        ranker = ReferenceRanker(index, self.parameters)
        dictionary = tuple(getattr(ranker.searcher.schema[TEXT_FIELD].analyzer, "dictionary", ()))
        return ranker, _Lexicon(ranker.reader), dictionary

    def search(self, query: Query) -> SearchResult:
        started = time.perf_counter()
        parsed = parse_query(query.text)
        for name, values in query.filters.items():
            for value in values:
                parsed.add_filter(name, value)
        limit, page = max(1, min(query.limit, 100)), max(1, query.page)
        result = SearchResult(query=query.text or "", parsed=parsed, page=page, limit=limit)
        if parsed.is_empty:
            return result
        ranker, lexicon, dictionary = self._open_reference()
        try:
            plan = build_plan(parsed, dictionary, lexicon, self.synonyms, parameters=self.parameters)
            plan.scope = query.scope
            ref = ranker.run(plan, limit=limit, page=page, sort=query.sort)
            result.total, result.facets, result.terms = ref.total, ref.facets, plan.highlight
            by_id = {f["id"]: f for f in ranker.stored.values()}
            result.hits = [self._hit(by_id, slug, docs, plan) for slug, docs in ref.ranked]
            docnum = {f["id"]: d for d, f in ranker.stored.items()}
            shown = [[docnum[i] for i, _ in docs] for _, docs in ref.ranked]
            matched = ranker.matched(plan, [d for ds in shown for d in ds])
            hows = [[m for d in ds for m in matched[d]] for ds in shown]
            for hit, how in zip(result.hits, hows):
                hit.matched = matched_words(how)
            if plan.groups or plan.unmatched:
                result.covering = assess(plan, hows, Weights(dictionary, self.parameters), self.parameters)
            if page == 1 and query.sort in ("relevance", "", None) and parsed.words + parsed.phrases:
                result.hits = first(self._pinned(ranker, by_id, query, plan, dictionary), result.hits)
        finally:
            ranker.close()
        result.took_ms = (time.perf_counter() - started) * 1000
        return result

    def _pinned(self, ranker: ReferenceRanker, by_id: dict, query: Query, plan: Plan, dictionary) -> list[Hit]:
        """The best bets pinned for the query that its filters and the reader's scope let through."""
        docnum = {f["id"]: d for d, f in ranker.stored.items()}
        hits = []
        for pin in self.pins.for_query(query.text, dictionary, self.synonyms):
            d = docnum.get(pin.target)
            if d is None or PATH_TYPE in _values(ranker.stored[d], "type") or not ranker._in_scope(d, query.scope) \
                    or not ranker._passes(d, plan.filters):
                continue
            hits.append(self._hit(by_id, pin.slug, [(pin.target, 0.0)], plan))
        return hits

    def _hit(self, by_id: dict, slug: str, docs: list[tuple[str, float]], plan: Plan) -> Hit:
        best_id, score = docs[0]
        shown = by_id[best_id]
        article = next(f for f in by_id.values() if f["slug"] == slug and f["kind"] == "article")
        anchor = shown.get("anchor") or ""
        return Hit(
            slug=slug, title=article["article_title"], url=article_url(slug, anchor or None),
            section=shown.get("section") if anchor else None, anchor=anchor,
            heading_path=list(shown.get("heading_path") or []), snippet=snippet(shown.get("text") or "", plan.highlight),
            score=float(score), fields={f.name: _values(article, f.name) for f in registry().indexed},
            more=[{"section": by_id[d].get("section"), "anchor": by_id[d].get("anchor"),
                   "url": article_url(slug, by_id[d].get("anchor"))} for d, _ in docs[1:] if by_id[d].get("anchor")],
            attachment=attachment_link(slug, anchor),
        )

    def partial_matches(self, query: Query) -> SearchResult:
        """Results containing a pair of the characters typed, as the fast engine's."""
        text = "".join(ch for ch in query.text.lower() if ch.isalnum())
        pairs = " ".join(dict.fromkeys(text[i : i + 2] for i in range(len(text) - 1)))
        return self.search(query.with_text(pairs)) if pairs else SearchResult(query.text, parse_query(query.text))

    def suggest_words(self, text: str) -> str | None:
        return None  # no speller: the reference answers what was typed

    def suggest(self, text: str, limit: int = 8, scope=None) -> list[Suggestion]:
        """Titles and section headings containing what was typed, of the articles in ``scope``."""
        text = text.strip().lower()
        if not text:
            return []
        ranker, _, _ = self._open_reference()
        try:
            out = []
            for doc, f in sorted(ranker.stored.items(), key=lambda kv: kv[1]["id"]):
                if PATH_TYPE in _values(f, "type") or not ranker._in_scope(doc, scope):
                    continue
                label = f["article_title"] if f["kind"] == "article" else f.get("section") or ""
                if text in label.lower():
                    kind = "title" if f["kind"] == "article" else "heading"
                    out.append(Suggestion(label, kind, article_url(f["slug"], f.get("anchor") or None),
                                          "" if kind == "title" else f["article_title"]))
            return out[:limit]
        finally:
            ranker.close()
