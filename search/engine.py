"""The search engine: Whoosh as the index of record, the ranking matrix for speed.

A search reads one *snapshot* of the index — the matrix segments of one committed version —
which it holds by reference, without a lock: many threads search at once, and a commit by
another process is picked up by the next search (one ``stat`` of the manifest tells), while
searches already running finish on the version they began with. Answering a query touches
Whoosh not at all: what a result shows is kept beside the matrix (search.matrix), because
unpickling Whoosh's stored fields costs half a millisecond a result. Whoosh stays the record
that the index is built from, that updates commit to, and that the reference (search.reference)
checks the matrix against.
"""
from __future__ import annotations

import logging
import pickle
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

from kb.article import Problem, article_url
from kb.config import between, setting

from .analyzer import query_words, read_dictionary, segmenter
from .budget import Budget
from .coverage import Weights, assess, matched_words
from .documents import attachment_link
from .facets import ArticleTable
from .highlight import snippet
from .interface import EVERYTHING, EngineSetup, Health, IndexUnavailable, Query, Scope, SearchEngine
from .folding import fold
from .matrix import KIND_ARTICLE, Matrix, Segment
from .parse import parse_query
from .parameters import DEFAULT, Parameters
from .plan import Alt, Group, Plan, build_plan
from .ranking import Ranked, Ranker
from .results import Hit, Report, SearchResult, Suggestion, empty_facets
from .spelling import Speller
from .suggest import suggest as suggestions
from .storage import MATRIX, index_ready, live_path, read_manifest, storage_problem, version_stamp
from .synonyms import Synonyms
from .pins import Pins, first
from .synonyms import check as check_synonyms
from .vocabulary import Vocabulary
from .writer import update_index

log = logging.getLogger(__name__)

MAX_LIMIT = 100
MAX_PAGE = 1000
# A correction is offered above results when it covers the words better, or its best result
# scores this many times the best of the query typed.
MUCH_BETTER = 1.5


def _much_better(corrected: SearchResult, typed: SearchResult) -> bool:
    """The correction's first result matches all its words where the typed query's first result
    misses some of the typed words, or it scores far higher."""
    if corrected.coverage == 1.0 and typed.coverage < 1.0:
        return True
    return corrected.hits[0].score >= MUCH_BETTER * (typed.hits[0].score if typed.hits else 0)


class Snapshot:
    """One committed version of the index, opened for reading."""

    def __init__(self, index_path: Path, stamp, segments_cache: dict, parameters: Parameters = DEFAULT):
        self.stamp = stamp
        gen = self._gen = live_path(index_path).resolve()
        manifest = read_manifest(gen)
        if "segments" not in manifest or "dictionary" not in manifest:
            raise IndexUnavailable(f"索引 {index_path} 不完整或由旧版本建立，需要重建")
        try:
            segments = [segments_cache.get((gen, n)) or Segment(gen / MATRIX / n) for n in manifest["segments"]]
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(f"无法读取索引 {gen}：{exc}") from exc
        segments_cache.clear()
        segments_cache.update({(gen, s.folder.name): s for s in segments})
        self.matrix = Matrix(segments, manifest.get("deleted", {}))
        self.table = ArticleTable(self.matrix.articles, self.matrix.article_live)
        self.ranker = Ranker(self.matrix, self.table, parameters)
        self.manifest = {k: manifest.get(k) for k in ("version", "at", "fingerprint")}
        self.articles = len(manifest.get("files", {}))
        self.vocabulary = Vocabulary(self.matrix)
        # queries are segmented with the dictionary the index was built with
        self.dictionary = tuple(manifest["dictionary"])
        segmenter(self.dictionary)  # loaded now, not by the first search
        self._speller: Speller | None = None
        self._by_key: dict[str, int] | None = None
        self._listed: list | None = None

    def doc_of(self, key: str) -> int | None:
        """The live document of id ``key`` ("slug" or "slug#anchor"), or None (a best bet's
        target: the lookup is made once per index version, when a pin first matches)."""
        if self._by_key is None:
            m = self.matrix
            self._by_key = {k: int(o) + i for seg, o in zip(m.segments, m.offsets) for i, k in enumerate(seg.keys)
                            if m.live[int(o) + i]}
        return self._by_key.get(key)

    def file_stamps(self) -> dict[str, list[int]]:
        """rel_path -> [modification time in ns, size, …] of each file when it was indexed (the
        manifest's ``stamps``): a file whose stamp is unchanged holds what the index holds. Read
        from the manifest when asked (several MB at 50,000 articles), not at each version's opening."""
        try:
            manifest = read_manifest(self._gen)
        except (OSError, ValueError):
            return {}
        if manifest.get("version") != self.manifest.get("version"):
            return {}  # a later version's manifest: its stamps are not of these articles
        return manifest.get("stamps") or {}

    def listed(self, root: Path) -> list | None:
        """The live articles as the site lists them (search.matrix ``catalog.pickle``), made
        once per version from the segments' lists, which every version keeping a segment shares."""
        if self._listed is None:
            out = []
            matrix = self.matrix
            for seg, offset in zip(matrix.segments, matrix.article_offsets.tolist()):
                try:
                    entries = seg.catalog(root)
                except (OSError, ValueError, EOFError, pickle.UnpicklingError):
                    return None  # an index made before segments kept their articles
                live = matrix.article_live[offset : offset + len(entries)].tolist()
                out += [a for a, ok in zip(entries, live) if ok and a is not None]
            self._listed = out
        return self._listed

    def warm(self) -> None:
        """Make every lookup a search, a correction or a suggestion would make at first use."""
        self.ranker._norm()
        for seg in self.matrix.segments:
            seg.containing("\0")  # the joined vocabulary
            seg.homophones  # noqa: B018 — pinyin of the vocabulary
            seg.sections  # noqa: B018
        suggestions(self.matrix, "\0")  # suggestion lookups of every segment and the tags
        self.speller  # noqa: B018

    @property
    def speller(self) -> Speller:
        if self._speller is None:
            self._speller = Speller(self.matrix.homophone, self.matrix.known)
        return self._speller


class Engine(SearchEngine):
    """Holds the open index for a process and follows its new versions."""

    @dataclass(frozen=True)
    class Settings:
        cache_size: int = setting(256, "记住多少个最近搜索的结果（索引一变就作废）：同事常常反复搜同样几个词；0 表示不记", between(0, 100_000))
        build_workers: int = setting(0, "完整建索引时并行读文件、分词、写索引记录的进程数；0 表示每核一个（最多 4 个）", between(0, 64))

    def __init__(self, setup: EngineSetup, settings: "Engine.Settings | None" = None, parameters: Parameters = DEFAULT):
        super().__init__(setup, settings, parameters)
        self.index_path = Path(setup.index_path)
        self.synonyms = Synonyms(setup.synonyms_path)
        self.pins = Pins(setup.pins_path)
        self.cache_size = self.settings.cache_size
        self._cache: OrderedDict = OrderedDict()
        self._cache_lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._segments: dict = {}

    # --- reading -----------------------------------------------------------------------------

    def ready(self) -> bool:
        if not index_ready(self.index_path):
            return False
        try:
            self.snapshot()
        except IndexUnavailable:
            return False  # built by an older version: being rebuilt
        return True

    def health(self) -> Health:
        problem = storage_problem(self.index_path)
        if not self.ready():
            return Health("error" if problem else "indexing", problem)
        snap = self.snapshot()
        return Health("degraded" if problem else "ok", problem, articles=snap.articles,
                      version=snap.manifest.get("version") or 0, updated_at=snap.manifest.get("at"))

    def snapshot(self, wait: bool = False) -> Snapshot:
        """The newest committed version; while another thread opens it, the previous one (or,
        with ``wait``, the newest once that thread is done)."""
        stamp = version_stamp(self.index_path)
        current = self._snapshot
        if current is not None and current.stamp == stamp:
            return current
        if stamp is None:
            raise IndexUnavailable("索引还没有建立")
        if not self._load_lock.acquire(blocking=current is None or wait):
            return current
        try:
            if self._snapshot is None or self._snapshot.stamp != stamp:
                began = time.perf_counter()
                self._snapshot = self._open(stamp)
                log.info("opened index version %s in %.2fs", self._snapshot.manifest.get("version"),
                         time.perf_counter() - began)
            return self._snapshot
        finally:
            self._load_lock.release()

    def _open(self, stamp) -> Snapshot:
        for attempt in range(5):
            try:
                return Snapshot(self.index_path, stamp, self._segments, self.parameters)
            except (IndexUnavailable, FileNotFoundError):
                # a commit elsewhere replaced the files of the version being opened: take the newer one
                if attempt == 4:
                    raise
                time.sleep(0.02 * (attempt + 1))
                stamp = version_stamp(self.index_path)
        raise IndexUnavailable("索引无法打开")

    def close(self) -> None:
        self._snapshot = None
        self._segments.clear()

    def warm(self) -> None:
        try:
            self.snapshot().warm()
        except IndexUnavailable:
            pass

    def indexed_articles(self):
        try:
            snap = self.snapshot()
        except IndexUnavailable:
            return None
        listed = snap.listed(self.setup.content_dir)
        return None if listed is None else (snap.stamp, listed, snap.file_stamps)  # stamps read when needed

    # --- searching ----------------------------------------------------------------------------

    def _budget(self, query: Query) -> Budget:
        return Budget(query.until(self.setup.search_budget_ms))

    def search(self, query: Query) -> SearchResult:
        started = time.perf_counter()
        budget = self._budget(query)
        text, correct = query.text, query.correct
        limit = max(1, min(int(query.limit or 10), MAX_LIMIT))
        page = max(1, min(int(query.page or 1), MAX_PAGE))
        sort = query.sort or "relevance"
        parsed = parse_query(text)
        for name, values in query.filters.items():
            for value in values:
                parsed.add_filter(name, value)
        snap = self.snapshot()
        filters = tuple(sorted((k, tuple(v)) for k, v in query.filters.items()))
        # an edited synonyms file changes results without a new index version
        key = (snap.stamp, self.synonyms.version(), self.pins.version(), text, limit, page, filters, sort, correct,
               query.scope.key())
        cached = self._cached(key)
        if cached is not None:
            return replace(cached, took_ms=(time.perf_counter() - started) * 1000)
        result = self._search(snap, text, parsed, page, limit, sort, budget, scope=query.scope)
        # the correction is tried only when the search itself finished in time
        fixed = self._correction(snap, parsed) if correct and result.parsed.words and not budget.exceeded else None
        if fixed is not None:
            better = self._search(snap, _replace_words(text, parsed, fixed), None, page, limit, sort, budget,
                                  filters=parsed.filters, scope=query.scope)
            if not result.total and better.total:
                better.corrected_from, result = text, better
            elif better.hits and _much_better(better, result):
                result.suggestion = better.query
        if page == 1 and sort == "relevance" and result.parsed.words + result.parsed.phrases:
            result.hits = first(self._pinned(snap, text, parsed, query.scope, result), result.hits)
        result.took_ms = (time.perf_counter() - started) * 1000
        result.incomplete = budget.exceeded
        if not result.incomplete:  # another try, with more time, may find more
            self._remember(key, result)
        return result

    def _search(self, snap: Snapshot, text: str, parsed, page: int, limit: int, sort: str, budget: Budget,
                filters: dict | None = None, scope: Scope = EVERYTHING) -> SearchResult:
        if parsed is None:
            parsed = parse_query(text)
            for name, values in (filters or {}).items():
                for value in values:
                    parsed.add_filter(name, value)
        result = SearchResult(query=text or "", parsed=parsed, page=page, limit=limit)
        if not parsed.is_empty:
            plan = build_plan(parsed, snap.dictionary, snap.vocabulary, self.synonyms, budget, self.parameters)
            plan.scope = scope
            result.terms = plan.highlight
            self._fill(snap, result, plan, snap.ranker.execute(plan, page, limit, sort, budget))
        return result

    def _pinned(self, snap: Snapshot, text: str, parsed, scope: Scope, result: SearchResult) -> list[Hit]:
        """The hits of the best bets pinned for ``text`` that the filters and the reader's scope
        let through (search.pins)."""
        pins = self.pins.for_query(text, snap.dictionary, self.synonyms)
        if not pins:
            return []
        allowed = snap.table.filter_mask(parsed.filters, scope)
        plan = Plan(highlight=result.terms)
        score = result.hits[0].score if result.hits else 0.0
        hits = []
        for pin in pins:
            doc = snap.doc_of(pin.target)
            article = int(snap.matrix.doc_article[doc]) if doc is not None else None
            if article is None or not allowed[article] or snap.table.is_path[article]:
                continue
            hits.append(self._hit(snap, article, [(doc, score)], plan, {}))
        return hits

    def _correction(self, snap: Snapshot, parsed) -> list[str] | None:
        """The free-text chunks of the query with slips corrected, or None."""
        chunks = [query_words(chunk, snap.dictionary) or [chunk] for chunk in parsed.words]
        fixed = [snap.speller.correct(words) for words in chunks]
        if not any(fixed):
            return None
        return ["".join(f or words) for f, words in zip(fixed, chunks)]

    def _cached(self, key) -> SearchResult | None:
        with self._cache_lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
            return found

    def _remember(self, key, result: SearchResult) -> None:
        if not self.cache_size:
            return
        with self._cache_lock:
            self._cache[key] = result
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _fill(self, snap: Snapshot, result: SearchResult, plan: Plan, ranked: Ranked) -> None:
        result.total, result.facets = ranked.total, ranked.facets or empty_facets()
        if ranked.page and plan.typed:
            best = ranked.page[0][1][0][0]
            result.coverage = len({id(g) for g, _ in ranked.matched.get(best, [])}) / plan.typed
        hows = []
        for article, docs in ranked.page:
            result.hits.append(self._hit(snap, article, docs, plan, ranked.matched))
            hows.append([m for doc, _ in docs for m in ranked.matched.get(doc, [])])
            result.hits[-1].matched = matched_words(hows[-1])
        if plan.groups or plan.unmatched:
            result.covering = assess(plan, hows, Weights(snap.dictionary, self.parameters), self.parameters)
        if result.page == 1:
            result.paths = [self._hit(snap, article, docs, plan, ranked.matched) for article, docs in ranked.paths]

    def _hit(self, snap: Snapshot, article: int, docs: list[tuple[int, float]], plan: Plan, matched) -> Hit:
        info = snap.matrix.articles[article]
        score = docs[0][1] if docs else 0.0  # the article's rank; what shows it may be another of its documents
        best = _answering_section(snap, info["title"], docs, plan, matched)
        shown = snap.matrix.shown(best) if best is not None else {}
        anchor = snap.matrix.key(best).partition("#")[2] if best is not None else ""
        section = snap.matrix.section(best) if anchor else None
        more = []
        for doc, _ in docs:
            slug, _, other = snap.matrix.key(doc).partition("#")
            if other and doc != best:
                more.append({"section": snap.matrix.section(doc) or other, "anchor": other,
                             "url": article_url(slug, other)})
        how = matched.get(best, []) if best is not None else []
        return Hit(
            slug=info["slug"], title=info["title"], url=info.get("url") or article_url(info["slug"], anchor or None),
            section=section, anchor=anchor, heading_path=list(shown.get("path") or []),
            snippet=snippet(shown.get("text") or "", _marks(plan, how), written_as_is=not shown.get("folds", True)),
            score=float(score), fields=dict(info.get("fields") or {}), more=more, why=_why(how),
            attachment=attachment_link(info["slug"], anchor),
        )

    # --- help when nothing is found -------------------------------------------------------

    def suggest_words(self, text: str) -> str | None:
        parsed = parse_query(text)
        fixed = self._correction(self.snapshot(), parsed)
        return _replace_words(text, parsed, fixed) if fixed else None

    def suggest(self, text: str, limit: int = 8, scope: Scope = EVERYTHING) -> list[Suggestion]:
        try:
            snap = self.snapshot()
        except IndexUnavailable:
            return []
        return suggestions(snap.matrix, text[:100], limit, snap.table.scope_mask(scope) if scope else None)

    def _dictionary(self) -> tuple[str, ...]:
        """The dictionary queries are segmented with: the index's, or the content's before
        there is an index."""
        try:
            return self.snapshot().dictionary
        except IndexUnavailable:
            return read_dictionary(self.setup.dictionary_path)

    def words(self, text: str) -> list[str]:
        return query_words(text, self._dictionary())

    def check_synonyms(self, text: str) -> list[Problem]:
        return check_synonyms(text, self._dictionary())

    def partial_matches(self, query: Query) -> SearchResult:
        """Results containing some two characters of the words typed (typos, words not in the
        text). Shown as 「部分匹配」, never as answers."""
        started = time.perf_counter()
        budget = self._budget(query)
        text, limit = query.text, min(query.limit, 5)
        parsed = parse_query(text)
        snap = self.snapshot()
        pairs: list[str] = []
        for chunk in parsed.words + parsed.phrases:
            chunk = "".join(ch for ch in chunk.lower() if ch.isalnum())
            pairs += [chunk[i : i + 2] for i in range(len(chunk) - 1) if chunk[i : i + 2] not in pairs]
        plan = Plan(highlight=pairs, scope=query.scope)
        for pair in pairs[:32]:
            if plan.groups and budget.over():
                break
            alts = ([Alt((pair,))] if snap.vocabulary.known(pair) else []) + \
                   [Alt((w,), 0.5, "term", "partial") for w in snap.vocabulary.containing(pair)]
            if alts:
                plan.groups.append(Group(pair, alts))
        result = SearchResult(query=text or "", parsed=parsed, limit=limit, terms=pairs)
        if plan.groups:
            self._fill(snap, result, plan, snap.ranker.execute(plan, 1, limit, budget=budget))
        result.took_ms = (time.perf_counter() - started) * 1000
        result.incomplete = budget.exceeded
        return result

    # --- writing ------------------------------------------------------------------------------

    def index(self, rebuild: bool = False, progress: bool = False, catalog=None) -> Report:
        """A cold build is searchable once its matrix segments are switched in; Whoosh's record
        of them is written next, outside the writer's lock (search.record)."""
        return update_index(self.setup, rebuild=rebuild, progress=progress, catalog=catalog,
                            parameters=self.parameters, workers=self.settings.build_workers or None)

    def update(self, paths: list[str], articles: dict | None = None, force: bool = False) -> Report:
        report = update_index(self.setup, paths=list(paths), articles=articles, parameters=self.parameters,
                              force=force)
        # this process's next search sees the change (the editor's redirect), whoever indexed it:
        # the keeper may have been first (a save with attachments gives it time to see the file)
        self.snapshot(wait=True)
        return report


def _answering_section(snap: Snapshot, title: str, docs: list[tuple[int, float]], plan: Plan, matched) -> int | None:
    """The document a result is shown by: its best one, except that the article's own document
    (title, summary, lead) gives way to one of its sections that says, in its own heading and
    text, everything the article's own document matched beyond the title. The article keeps its
    rank; only what it shows changes. A query that is all title words (「保密工作」 for 保密工作规定)
    is about the article as a whole and keeps it.

    Why: a summary is a sentence or two taken from the article; a question about it matches the
    summary and the title, and the summary's title bonus lifted it over the section that has
    the answer and says more (DRCD's tuned split: more than half the questions whose answering
    paragraph bm25s put first and we did not, docs/benchmarks.md)."""
    if not docs:
        return None
    best = docs[0][0]
    if snap.matrix.doc_kind[best] != KIND_ARTICLE or len(docs) == 1:
        return best
    in_title = _groups_in(fold(title).lower(), matched.get(best, []))
    groups = plan.groups + plan.required
    if all(id(g) in in_title for g in groups):
        return best
    beyond = {id(g) for g, _ in matched.get(best, [])} - in_title
    for doc, _ in docs[1:]:
        if snap.matrix.doc_kind[doc] == KIND_ARTICLE:
            continue
        own = fold(f"{snap.matrix.section(doc)}\n{snap.matrix.shown(doc).get('text') or ''}").lower()
        says = _groups_in(own, matched.get(doc, [])) - in_title
        if says and beyond <= says:
            return doc
    return best


def _groups_in(text: str, how: list[tuple[Group, Alt]]) -> set[int]:
    """The groups (by id) whose matching words stand in ``text``."""
    return {id(g) for g, alt in how if all(t in text for t in alt.terms) or
            (alt.mode == "parts" and any(t in text for t in alt.terms))}


def _marks(plan: Plan, how: list[tuple[Group, Alt]]) -> list[str]:
    """The words to mark in a hit: what was typed, and the synonyms or parts it matched by."""
    extra = [t for _, alt in how if alt.via for t in alt.said]
    return list(dict.fromkeys(plan.highlight + extra))


def _why(how: list[tuple[Group, Alt]]) -> str:
    """「同义词：会议」 when a word was found only by a synonym; 「部分匹配：督查、督办」 when only
    by its parts."""
    direct = {g.label for g, alt in how if not alt.via}
    reasons: dict[str, list[str]] = {}
    for group, alt in how:
        if group.label not in direct and alt.via:
            reasons.setdefault(alt.via, []).extend(t for t in alt.said if t not in reasons.get(alt.via, []))
    labels = {"synonym": "同义词", "partial": "部分匹配"}
    return "；".join(f"{labels[v]}：{'、'.join(terms[:4])}" for v, terms in reasons.items())


def _replace_words(text: str, parsed, fixed: list[str]) -> str:
    """``text`` with its free-text chunks replaced by ``fixed`` (filters, phrases and
    exclusions as typed)."""
    out = text
    for old, new in zip(parsed.words, fixed):
        if old != new:
            out = out.replace(old, new, 1)
    return out
