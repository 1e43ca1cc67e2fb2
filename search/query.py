"""Running a search: the parsed query becomes Whoosh queries, hits are grouped per article.

Plain words are OR-ed with a coordination bonus (Whoosh's default AND answers almost no
natural-language question); each word is looked for in the title, heading, tags and text, which share
one field (see ``schema``). A word the index does not have is looked for inside the
words it does have (``vocabulary``), weighted ``PARTIAL``: the fallback for words jieba segments
differently. Phrases are required and matched on word positions. Filters and exclusions narrow
without touching scores.
"""
from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

from whoosh import query as Q
from whoosh.sorting import FieldFacet

from kb.article import TYPES, article_url

from .analyzer import query_words, stopwords, subwords
from .highlight import snippet
from .indexer import IndexUnavailable, live_path, open_index
from .parse import ParsedQuery, parse_query
from .schema import ARTICLE_COLUMNS, PARTIAL, TEXT_FIELD
from .spelling import Speller
from .synonyms import WEIGHT as SYNONYM_WEIGHT
from .synonyms import Synonyms
from .vocabulary import Vocabulary

MAX_WORDS = 32
MAX_LIMIT = 100
COORD = 1.0  # coordination: a result's score is scaled by the share of the words it matches (measured best)


@dataclass
class Hit:
    slug: str
    title: str
    url: str
    section: str | None
    anchor: str
    heading_path: list[str]
    snippet: str
    score: float
    type: str
    tags: list[str]
    category: str
    updated: str
    more: list[dict] = field(default_factory=list)

    @property
    def snippet_text(self) -> str:
        return self.snippet.replace("<mark>", "【").replace("</mark>", "】")

    def to_json(self) -> dict:
        return {
            "slug": self.slug, "title": self.title, "url": self.url, "section": self.section,
            "anchor": self.anchor, "heading_path": self.heading_path, "snippet": self.snippet,
            "score": round(self.score, 4), "type": self.type, "tags": self.tags,
            "category": self.category, "updated": self.updated, "more": self.more,
        }


@dataclass
class SearchResult:
    query: str
    parsed: ParsedQuery
    total: int = 0
    page: int = 1
    limit: int = 10
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=lambda: {"type": {}, "tags": {}, "category": {}})
    took_ms: float = 0.0
    terms: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    def to_json(self) -> dict:
        return {
            "query": self.query, "total": self.total, "page": self.page,
            "results": [h.to_json() for h in self.hits], "facets": self.facets,
            "took_ms": round(self.took_ms, 2),
        }


def _word_query(word: str, boost: float = 1.0) -> Q.Query:
    return Q.Term(TEXT_FIELD, word, boost=boost)


def _partial_query(fragment: str, vocabulary: Vocabulary, boost: float) -> Q.Query | None:
    """The index words that contain ``fragment``, each as a word query weighted ``boost``."""
    inside = vocabulary.containing(fragment)
    return Q.Or([_word_query(w, boost) for w in inside]) if inside else None


def _phrase_query(text: str, dictionary: tuple[str, ...], vocabulary: Vocabulary, boost: float = 1.0) -> Q.Query | None:
    """Words in this order, next to each other, in the title, a heading or the body."""
    words = query_words(text, dictionary)
    if not words:
        return None
    if len(words) == 1:
        word = words[0]
        if vocabulary.known(word):
            return _word_query(word, boost)
        return _partial_query(word, vocabulary, boost)
    return Q.Phrase(TEXT_FIELD, words, boost=boost)


def highlight_terms(parsed: ParsedQuery, dictionary: tuple[str, ...] = ()) -> list[str]:
    """What to mark in snippets: each chunk as typed and its words, but no lone characters
    split off a longer chunk (they would light up everywhere)."""
    terms: list[str] = []
    for chunk in parsed.words:
        terms.append(chunk)
        terms += [w for w in query_words(chunk, dictionary) if len(w) > 1 or len(chunk) == 1]
    return list(dict.fromkeys(terms + parsed.phrases))


RARE = 2  # documents: a dictionary word this rare is also looked for by its parts


def _fallbacks(chunk: str, chunk_words: list[str], unknown: list[str], vocabulary: Vocabulary) -> list[Q.Query]:
    """Weaker ways to find what the words of one chunk mean, each weighted ``PARTIAL``:

    - a fragment of an index word: the whole chunk first (「克思主」 in 「马克思主义」), then each
      unknown word of two characters or more (a lone character would match everything);
    - an unknown word as the run of its characters (「动与静」 written “动”与“静”);
    - a rare dictionary word by its parts (「公文处理」 where the text says 公文 … 处理).
    """
    found: list[Q.Query | None] = []
    if unknown and len(chunk_words) > 1:
        found.append(_partial_query(chunk, vocabulary, PARTIAL * 1.5))
    for word in unknown:
        if len(word) > 1:
            found.append(_partial_query(word, vocabulary, PARTIAL))
            chars = [c for c in word if c.isalnum() and c not in stopwords()]
            if len(chars) > 1:
                found.append(Q.Phrase(TEXT_FIELD, chars, boost=PARTIAL))
    for word in chunk_words:
        if word not in unknown and len(word) > 2 and vocabulary.frequency(word) <= RARE:
            inner = [w for w in subwords(word) if vocabulary.known(w)]
            if inner:
                found.append(Q.Or([_word_query(w, PARTIAL) for w in inner]))
    return [q for q in found if q is not None]


def build_query(parsed: ParsedQuery, dictionary: tuple[str, ...], vocabulary: Vocabulary,
                synonyms: Synonyms | None = None) -> tuple[Q.Query | None, Q.Query | None]:
    """(scoring query, exclusion mask) for a parsed query; (None, None) if nothing to search."""
    parts: list[Q.Query] = []
    words: list[str] = []
    for chunk in parsed.words:
        chunk_words = query_words(chunk, dictionary)
        unknown = [w for w in chunk_words if not vocabulary.known(w)]
        for w in chunk_words:
            if w not in words and w not in unknown and len(words) < MAX_WORDS:
                words.append(w)
        parts += _fallbacks(chunk, chunk_words, unknown, vocabulary)
    parts = parts[:MAX_WORDS]
    for w in words:
        alike = [o for o in (synonyms.of(w) if synonyms else []) if o not in words and vocabulary.known(o)]
        # A word and its synonyms count as one word for coordination: matching both is no bonus.
        parts.append(Q.Or([_word_query(w)] + [_word_query(o, SYNONYM_WEIGHT) for o in alike]) if alike else _word_query(w))
    required = [q for q in (_phrase_query(p, dictionary, vocabulary, 2.0) for p in parsed.phrases) if q is not None]
    main: Q.Query | None = Q.Or(parts, scale=COORD) if parts else None
    if parsed.phrases and not required:
        return Q.NullQuery, None  # a required phrase the index cannot have: nothing matches
    if required:
        main = Q.And(required + ([main] if main else [])) if main else Q.And(required)
    if main is None and parsed.filters:
        main = Q.Every()
    excludes = [q for q in (_phrase_query(e, dictionary, vocabulary) for e in parsed.excludes) if q is not None]
    mask = Q.Or(excludes) if excludes else None
    return main, mask


def _filter_query(filters: dict[str, list[str]]) -> Q.Query | None:
    clauses = []
    for name, values in filters.items():
        fieldname = {"type": "type", "tag": "tag", "category": "category"}[name]
        clauses.append(Q.Or([Q.Term(fieldname, v) for v in values]) if len(values) > 1 else Q.Term(fieldname, values[0]))
    return Q.And(clauses) if clauses else None


class SearchService:
    """Holds the open index for a web process and reopens it when it changes."""

    def __init__(self, index_path: Path, synonyms_path: Path | None = None, cache_size: int = 256):
        """``cache_size`` results of recent searches are kept until the index changes: staff
        search the same few things over and over (保密, 请示汇报); 0 turns it off."""
        self.index_path = Path(index_path)
        self.synonyms = Synonyms(synonyms_path)
        self.cache_size = cache_size
        self._cache: OrderedDict = OrderedDict()
        self._lock = threading.RLock()
        self._searcher = None
        self._target = None
        self._articles: dict[str, dict] = {}
        self._speller: Speller | None = None
        self._vocabulary: Vocabulary | None = None
        self.dictionary: tuple[str, ...] = ()

    def ready(self) -> bool:
        return live_path(self.index_path).exists()

    def searcher(self):
        with self._lock:
            for attempt in range(5):
                try:
                    return self._current_searcher()
                except (OSError, IndexUnavailable, ValueError) as exc:
                    # A commit in another thread or process can remove the files of the version
                    # being opened; the next attempt opens the newer version.
                    if attempt == 4:
                        raise IndexUnavailable(str(exc)) from exc
                    self._searcher = None
                    time.sleep(0.02 * (attempt + 1))

    def _current_searcher(self):
        target = live_path(self.index_path).resolve()
        if self._searcher is not None and target == self._target and self._searcher.up_to_date():
            return self._searcher
        # Open afresh rather than Searcher.refresh(): refresh reuses the reader of a segment
        # whose id is unchanged and so keeps serving documents a commit has just deleted.
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._searcher = open_index(self.index_path).searcher()
        self._target = target
        self._load_articles()
        return self._searcher

    def _load_articles(self) -> None:
        """Per-article fields for facets and sorting, read once per index version from the
        columns of the article documents: no stored field is unpickled, so the first search
        after an edit stays fast on a large index."""
        # Queries are segmented with the dictionary the index was built with, read from its schema.
        self.dictionary = getattr(self._searcher.schema[TEXT_FIELD].analyzer, "dictionary", ())
        reader = self._searcher.reader()
        columns = {name: reader.column_reader(name) for name in ARTICLE_COLUMNS}
        articles = {}
        for docnum in self._searcher.document_numbers(kind="article"):
            fields = {name: column[docnum] for name, column in columns.items()}
            fields["tag"] = fields.pop("tag_list").decode("utf-8")
            articles[fields["slug"]] = fields
        self._articles = articles
        self._speller = None  # built on the first search that finds nothing
        self._cache.clear()
        self._vocabulary = Vocabulary(reader)

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def search(self, text: str, limit: int = 10, page: int = 1, type: str | None = None,
               tag: str | None = None, category: str | None = None, sort: str = "relevance") -> SearchResult:
        started = time.perf_counter()
        limit = max(1, min(int(limit or 10), MAX_LIMIT))
        page = max(1, min(int(page or 1), 1000))
        parsed = parse_query(text)
        for name, value in (("type", type), ("tag", tag), ("category", category)):
            if value:
                parsed.add_filter(name, value)
        key = (text, limit, page, type, tag, category, sort)
        with self._lock:
            searcher = self.searcher()  # a new index version empties the cache
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return replace(cached, took_ms=(time.perf_counter() - started) * 1000)
            result = SearchResult(query=text or "", parsed=parsed, page=page, limit=limit)
            main, mask = build_query(parsed, self.dictionary, self._vocabulary, self.synonyms)
            result.terms = highlight_terms(parsed, self.dictionary)
            if main is not None:
                self._run(searcher, result, main, mask, sort)
            result.took_ms = (time.perf_counter() - started) * 1000
            if self.cache_size:
                self._cache[key] = result
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return result

    def did_you_mean(self, text: str) -> str | None:
        """A corrected query when the typed one has homophone typos (see search.spelling)."""
        parsed = parse_query(text)
        with self._lock:
            self.searcher()  # the vocabulary of the current index version
            if self._speller is None:
                self._speller = Speller(self._vocabulary.words)
            chunks = [query_words(chunk, self.dictionary) or [chunk] for chunk in parsed.words]
        fixed = [self._speller.correct(words) for words in chunks]
        if not any(fixed):
            return None
        return " ".join("".join(f or words) for f, words in zip(fixed, chunks))

    def partial_matches(self, text: str, limit: int = 5) -> SearchResult:
        """For a search that found nothing: results containing some two characters of the
        words typed (typos, words not in the text). Shown as 「部分匹配」, never as answers."""
        started = time.perf_counter()
        parsed = parse_query(text)
        pairs: list[str] = []
        for chunk in parsed.words + parsed.phrases:
            chunk = "".join(ch for ch in chunk.lower() if ch.isalnum())
            pairs += [chunk[i : i + 2] for i in range(len(chunk) - 1) if chunk[i : i + 2] not in pairs]
        result = SearchResult(query=text or "", parsed=parsed, limit=limit, terms=pairs[:MAX_WORDS])
        with self._lock:
            searcher = self.searcher()
            queries = [q for q in (_partial_query(p, self._vocabulary, 1.0) for p in pairs[:MAX_WORDS]) if q is not None]
            if queries:
                self._run(searcher, result, Q.Or(queries, scale=COORD), None, "relevance")
        result.took_ms = (time.perf_counter() - started) * 1000
        return result

    def _run(self, searcher, result: SearchResult, main, mask, sort: str) -> None:
        top = max(200, result.page * result.limit * 20)
        filt = _filter_query(result.parsed.filters)
        hits = searcher.search(main, limit=top, filter=filt, mask=mask, groupedby={"slug": FieldFacet("slug")})
        matched = list(hits.groups("slug").keys())
        result.total = len(matched)
        self._facets(result, matched)
        # Group the top documents by article through the slug column; stored fields are read
        # only for the hits shown.
        slug_of = searcher.reader().column_reader("slug")
        groups: dict[str, list] = {}
        for hit in hits:
            groups.setdefault(slug_of[hit.docnum], []).append(hit)
        order = list(groups)
        if sort == "updated":
            order.sort(key=lambda s: self._articles.get(s, {}).get("updated", ""), reverse=True)
            # articles outside the scored top still belong in a date-sorted listing
            order += sorted((s for s in matched if s not in groups),
                            key=lambda s: self._articles.get(s, {}).get("updated", ""), reverse=True)
        start = (result.page - 1) * result.limit
        for slug in order[start : start + result.limit]:
            result.hits.append(self._hit(slug, groups.get(slug, []), result.terms))

    def _facets(self, result: SearchResult, slugs: list[str]) -> None:
        types, tags, cats = Counter(), Counter(), Counter()
        for slug in slugs:
            a = self._articles.get(slug)
            if not a:
                continue
            types[a["type"]] += 1
            cats[a["category"]] += 1
            tags.update(t for t in a.get("tag", "").split(",") if t)
        result.facets = {
            "type": {k: types[k] for k in TYPES if types[k]},
            "tags": dict(tags.most_common(30)),
            "category": dict(cats.most_common()),
        }

    def _hit(self, slug: str, docs: list, terms: list[str]) -> Hit:
        article = self._articles.get(slug, {})
        if docs:
            best = docs[0]
            fields, score = best.fields(), best.score
        else:
            fields, score = article, 0.0
        anchor = fields.get("anchor") or ""
        more = [
            {"section": d["section"], "anchor": d["anchor"], "url": article_url(slug, d["anchor"])}
            for d in docs[1:4] if d.get("anchor")
        ]
        return Hit(
            slug=slug,
            title=article.get("article_title", fields.get("article_title", slug)),
            url=article_url(slug, anchor or None),
            section=fields.get("section"),
            anchor=anchor,
            heading_path=list(fields.get("heading_path") or []),
            snippet=snippet(fields.get("text") or "", terms),
            score=float(score),
            type=article.get("type", ""),
            tags=[t for t in article.get("tag", "").split(",") if t],
            category=article.get("category", ""),
            updated=article.get("updated", ""),
            more=more,
        )


def search(index_path: Path, text: str, synonyms_path: Path | None = None, **kwargs) -> SearchResult:
    """One-off search (the CLI); the web keeps a SearchService open instead."""
    service = SearchService(index_path, synonyms_path)
    try:
        return service.search(text, **kwargs)
    finally:
        service.close()
