"""The ranking matrix: every index document's terms as compact numpy arrays, beside Whoosh.

Whoosh is the index of record (documents, stored fields, positions, atomic commits), but it
matches and scores every posting in Python: 1.5 s for a common word at 10,000 articles. The
matrix holds the same postings — made from the same analyzer tokens while indexing, never read
back out of Whoosh — in the layout of a sparse term × document matrix (the technique of bm25s),
so that scoring, exact totals, facets, filters and grouping are a few vectorised operations.

An index generation holds one or more *segments*, each an immutable folder of ``.npy`` files
loaded memory-mapped (workers share the pages). An edit writes a small new segment and marks
the article's documents in older segments deleted (a list in the manifest), like Whoosh's own
segments; ``merge`` folds segments together when they pile up. Layout of a segment:

    terms.txt        term i on line i
    term_ptr.npy     int64 [T+1]  postings of term i are term_ptr[i]:term_ptr[i+1]
    post_doc.npy     int32 [P]    the segment's document number of each posting, ascending per term
    post_w.npy       float32 [P]  weighted term frequency: the zone weights of its occurrences, summed
    post_head.npy    uint8 [P]    1 when the term occurs in the document's head (heading; article title)
    pos_ptr.npy      int64 [P+1]  positions of posting p are positions[pos_ptr[p]:pos_ptr[p+1]]
    positions.npy    int32 [N]    word positions, for phrases
    doc_len.npy      int32 [D]    tokens in each document (Whoosh's field length)
    doc_head.npy     int32 [D]    words in each document's head
    doc_article.npy  int32 [D]    the segment's article number of each document
    doc_kind.npy     int8  [D]    0 the article's own document, 1 a section
    doc_keys.txt     document ids, "slug" or "slug#anchor" (Whoosh's unique ``id`` field)
    doc_sections.txt each document's section heading ("" for the article's own), for results
    doc_pinyin.txt   pinyin of each document's head and its initials, "baomigongzuoqingdan bmgzqd"
    doc_shown.bin    what a result shows of each document (its text, heading path, whether the text
                     needs folding), JSON compressed with zlib, one after the other;
    doc_shown_ptr.npy int64 [D+1] where each document's starts: results never unpickle Whoosh's
                     stored fields (half a millisecond each)
    terms_pinyin.txt pinyin of term i on line i ("" for terms without Chinese characters)
    articles.json    per article: slug, path, digest, title, type, category, tags, updated
    catalog.pickle   per article, the article as the site lists it (kb.article.Article without its
                     text, its path relative; None for a reading path): a site opens its catalog
                     from here at start instead of reading every file's front matter
"""
from __future__ import annotations

import json
import mmap
import os
import pickle
import re
import shutil
import threading
import zlib
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh.util.numeric import _length_byte_cache

from . import pinyin

KIND_ARTICLE, KIND_SECTION = 0, 1
# Segment.articles_with keeps the article bits of words in at least this many documents, for
# this many words per segment (6 KB each at 50,000 articles)
ARTICLE_BITS_FROM = 1000
ARTICLE_BITS_KEPT = 256
_ARRAYS = ("term_ptr", "post_doc", "post_w", "post_head", "pos_ptr", "positions", "doc_len", "doc_head",
           "doc_article", "doc_kind")

# Whoosh keeps a field's length in one byte (lossy); scoring from the same rounded lengths keeps
# the fast path's scores equal to Whoosh's own BM25F.
_LENGTHS = np.asarray(_length_byte_cache, dtype=np.float64)


def rounded_lengths(lengths: np.ndarray) -> np.ndarray:
    """Document lengths as Whoosh stores and scores them."""
    codes = np.minimum(np.searchsorted(_LENGTHS, lengths, side="left"), 255)
    return _LENGTHS[codes]


class SegmentBuilder:
    """Collects the tokens of documents and writes them as one segment."""

    def __init__(self):
        self.terms: dict[str, int] = {}
        self._tid, self._doc, self._pos, self._w, self._head = array("i"), array("i"), array("i"), array("f"), array("b")
        self.doc_len, self.doc_head, self.doc_article, self.doc_kind = array("i"), array("i"), array("i"), array("b")
        self.keys: list[str] = []
        self.sections: list[str] = []
        self.heads: list[str] = []
        self.shown: list[bytes] = []
        self.articles: list[dict] = []
        self.catalog: list = []  # per article: its light Article (None for a reading path)
        self._sorted: tuple[list[str], dict] | None = None

    def add_article(self, info: dict, light=None) -> int:
        """``light``: the article as the site lists it (kb.article.Article without its text)."""
        self.articles.append(info)
        self.catalog.append(light)
        return len(self.articles) - 1

    def add_document(self, key: str, kind: int, article: int, tokens, length: int, head: list[str],
                     section: str = "", shown: dict | None = None) -> None:
        """``tokens``: (term, position, weight, in head) of one document, ``head`` the words of
        its head (analyzer.Prepared), ``shown`` what a result displays of it."""
        doc = len(self.keys)
        self.keys.append(key)
        self.sections.append(section)
        self.shown.append(zlib.compress(json.dumps(shown or {}, ensure_ascii=False).encode("utf-8"), 1))
        self.heads.append(f"{pinyin.key(head)} {pinyin.initials(head)}" if pinyin.has_cjk("".join(head)) else "")
        self.doc_len.append(length)
        self.doc_head.append(len(head))
        self.doc_article.append(article)
        self.doc_kind.append(kind)
        if not tokens:
            return
        ids = self.terms
        terms, positions, weights, heads = zip(*tokens)
        self._tid.extend([ids[t] if t in ids else ids.setdefault(t, len(ids)) for t in terms])
        self._pos.extend(positions)
        self._w.extend(weights)
        self._head.extend(heads)
        self._doc.extend([doc] * len(terms))

    def postings(self) -> tuple[list[str], dict[str, np.ndarray]]:
        """(terms, arrays): the tokens sorted into postings (once; ``write`` and Whoosh's
        segment writer both read them)."""
        if self._sorted is None:
            tid = np.frombuffer(self._tid, dtype=np.int32) if self._tid else np.zeros(0, np.int32)
            doc = np.frombuffer(self._doc, dtype=np.int32) if self._doc else np.zeros(0, np.int32)
            pos = np.frombuffer(self._pos, dtype=np.int32) if self._pos else np.zeros(0, np.int32)
            w = np.frombuffer(self._w, dtype=np.float32) if self._w else np.zeros(0, np.float32)
            head = np.frombuffer(self._head, dtype=np.int8) if self._head else np.zeros(0, np.int8)
            order = np.lexsort((pos, doc, tid))
            arrays = postings_arrays(tid[order], doc[order], pos[order], w[order], head[order], len(self.terms),
                                     len(self.keys))
            arrays.update(doc_len=np.asarray(self.doc_len, dtype=np.int32),
                          doc_head=np.asarray(self.doc_head, dtype=np.int32),
                          doc_article=np.asarray(self.doc_article, dtype=np.int32),
                          doc_kind=np.asarray(self.doc_kind, dtype=np.int8))
            self._sorted = (sorted(self.terms, key=self.terms.__getitem__), arrays)
        return self._sorted

    def write(self, folder: Path) -> None:
        """Write the segment (to a temporary name first)."""
        terms, arrays = self.postings()
        write_segment(folder, terms, arrays, self.keys, self.articles, self.sections, self.heads, self.shown,
                      self.catalog)


def postings_arrays(tid, doc, pos, w, head, n_terms: int, n_docs: int) -> dict[str, np.ndarray]:
    """Postings from tokens sorted by (term, document, position)."""
    if len(tid):
        key = tid.astype(np.int64) * max(n_docs, 1) + doc
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        counts = np.diff(np.r_[starts, len(key)])
        post_tid, post_doc = tid[starts], doc[starts]
        post_w = np.add.reduceat(w.astype(np.float32), starts).astype(np.float32)
        post_head = np.maximum.reduceat(head.astype(np.uint8), starts)
    else:
        counts = post_tid = post_doc = np.zeros(0, np.int32)
        post_w = np.zeros(0, np.float32)
        post_head = np.zeros(0, np.uint8)
    return {
        "term_ptr": np.searchsorted(post_tid, np.arange(n_terms + 1), side="left").astype(np.int64),
        "post_doc": post_doc.astype(np.int32),
        "post_w": post_w,
        "post_head": post_head.astype(np.uint8),
        "pos_ptr": np.r_[0, np.cumsum(counts)].astype(np.int64),
        "positions": pos.astype(np.int32),
    }


def write_segment(folder: Path, terms: list[str], arrays: dict, keys: list[str], articles: list[dict],
                  sections: list[str], heads: list[str], shown: list[bytes], catalog: list) -> None:
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in _ARRAYS:
        np.save(tmp / f"{name}.npy", arrays[name])
    (tmp / "terms.txt").write_text("\n".join(terms), encoding="utf-8")
    (tmp / "doc_keys.txt").write_text("\n".join(keys), encoding="utf-8")
    (tmp / "doc_sections.txt").write_text("\n".join(s.replace("\n", " ") for s in sections), encoding="utf-8")
    (tmp / "doc_pinyin.txt").write_text("\n".join(heads), encoding="utf-8")
    (tmp / "doc_shown.bin").write_bytes(b"".join(shown) or b"\0")
    np.save(tmp / "doc_shown_ptr.npy", np.r_[0, np.cumsum([len(b) for b in shown], dtype=np.int64)].astype(np.int64))
    (tmp / "terms_pinyin.txt").write_text("\n".join(pinyin.key(t) if pinyin.has_cjk(t) else "" for t in terms),
                                          encoding="utf-8")
    (tmp / "articles.json").write_text(json.dumps(articles, ensure_ascii=False), encoding="utf-8")
    (tmp / "catalog.pickle").write_bytes(pickle.dumps(list(catalog), protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, folder)


def _load(path: Path) -> np.ndarray:
    """The array memory-mapped, as a plain ndarray over the map: slicing an ``np.memmap``
    runs Python code for every slice (a quarter of a search's time went there)."""
    try:
        return np.asarray(np.load(path, mmap_mode="r"))
    except ValueError:  # numpy cannot map an empty array
        return np.load(path)


class Segment:
    """One segment, memory-mapped."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        for name in _ARRAYS:
            setattr(self, name, _load(self.folder / f"{name}.npy"))
        text = (self.folder / "terms.txt").read_text(encoding="utf-8")
        self.terms: list[str] = text.split("\n") if text else []
        self.vocab: dict[str, int] = {t: i for i, t in enumerate(self.terms)}
        keys = (self.folder / "doc_keys.txt").read_text(encoding="utf-8")
        self.keys: list[str] = keys.split("\n") if keys else []
        self.articles: list[dict] = self.read_articles(self.folder)
        self._lines: dict[str, list[str]] = {}
        self._homophones: dict[str, tuple[int, str]] | None = None
        self._joined: str | None = None
        self._starts = None
        self.entries = None  # the lookup of suggestions made from this segment (search.suggest), once
        self._catalog: list | None = None
        self._article_bits: dict[str, np.ndarray] = {}  # articles_with, oldest first
        self._bits_lock = threading.Lock()
        self._shown_ptr = _load(self.folder / "doc_shown_ptr.npy")
        with open(self.folder / "doc_shown.bin", "rb") as fh:
            self._shown = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)

    def shown(self, doc: int) -> dict:
        """What a result shows of document ``doc`` (see the module's docstring)."""
        return json.loads(zlib.decompress(self.shown_bytes(doc)))

    def shown_bytes(self, doc: int) -> bytes:
        return self._shown[int(self._shown_ptr[doc]) : int(self._shown_ptr[doc + 1])]

    def _read_lines(self, name: str, count: int) -> list[str]:
        """A file of one line per document or term, read when first needed."""
        if name not in self._lines:
            text = (self.folder / name).read_text(encoding="utf-8")
            self._lines[name] = text.split("\n") if count else []
        return self._lines[name]

    @property
    def sections(self) -> list[str]:
        """Section headings of the documents."""
        return self._read_lines("doc_sections.txt", self.size)

    @property
    def heads_pinyin(self) -> list[str]:
        """"pinyin initials" of each document's head."""
        return self._read_lines("doc_pinyin.txt", self.size)

    @property
    def terms_pinyin(self) -> list[str]:
        return self._read_lines("terms_pinyin.txt", len(self.terms))

    def frequency(self, term: str) -> int:
        tid = self.vocab.get(term)
        return 0 if tid is None else int(self.term_ptr[tid + 1] - self.term_ptr[tid])

    @property
    def homophones(self) -> dict[str, tuple[int, str]]:
        """pinyin -> (documents, word) of this segment's most common word with that sound,
        made once: segments never change, a new index version reuses them."""
        if self._homophones is None:
            best: dict[str, tuple[int, str]] = {}
            df = self.document_frequencies().tolist()
            for term, sound, n in zip(self.terms, self.terms_pinyin, df):
                if sound and len(term) > 1 and (n, term) > best.get(sound, (0, "")):
                    best[sound] = (n, term)
            self._homophones = best
        return self._homophones

    def containing(self, fragment: str) -> set[str]:
        """This segment's terms that contain ``fragment``: one search over its joined terms."""
        if self._joined is None:
            self._joined = "\n".join(self.terms)
            self._starts = np.r_[0, np.cumsum([len(t) + 1 for t in self.terms])[:-1]].astype(np.int64) \
                if self.terms else np.zeros(0, np.int64)
        found = set()
        for m in re.finditer(re.escape(fragment), self._joined):
            found.add(self.terms[int(np.searchsorted(self._starts, m.start(), side="right")) - 1])
        return found

    def catalog(self, root: Path | None = None) -> list:
        """Per article, the article as the site lists it (None for a reading path), read once:
        segments never change, so every index version that keeps this segment shares these
        objects. ``root``: the content folder their paths are made absolute in."""
        if self._catalog is None:
            entries = self.read_catalog(self.folder)
            root = Path(root) if root is not None else None
            for entry in entries:
                if entry is not None:
                    entry.path = root / entry.rel_path if root is not None else Path(entry.rel_path)
            self._catalog = entries
        return self._catalog

    @staticmethod
    def read_catalog(folder: Path) -> list:
        return pickle.loads((Path(folder) / "catalog.pickle").read_bytes())

    @staticmethod
    def read_articles(folder: Path) -> list[dict]:
        return json.loads((Path(folder) / "articles.json").read_text(encoding="utf-8"))

    @property
    def size(self) -> int:
        return len(self.doc_len)

    def span(self, term: str) -> tuple[int, int]:
        """The range of ``term``'s postings; empty when the segment lacks it."""
        tid = self.vocab.get(term)
        if tid is None:
            return 0, 0
        return int(self.term_ptr[tid]), int(self.term_ptr[tid + 1])

    def document_frequencies(self) -> np.ndarray:
        return np.diff(self.term_ptr)

    def articles_with(self, term: str) -> np.ndarray:
        """The segment's articles (deleted ones too) with a document holding ``term``, as packed
        bits, kept for the most recently asked common words: counting a query's matches marks
        each article once instead of walking the word's postings (search.shortlist)."""
        found = self._article_bits.get(term)
        if found is None:
            start, end = self.span(term)
            mask = np.zeros(len(self.articles), dtype=bool)
            mask[self.doc_article[self.post_doc[start:end]]] = True
            found = np.packbits(mask)
            if end - start >= ARTICLE_BITS_FROM:
                with self._bits_lock:
                    self._article_bits[term] = found
                    while len(self._article_bits) > ARTICLE_BITS_KEPT:
                        self._article_bits.pop(next(iter(self._article_bits)))
        return found


@dataclass
class Postings:
    """One term's postings across all segments, in global document numbers (live ones only)."""

    docs: np.ndarray  # int32 (or int64 beyond the first segment), ascending
    weights: np.ndarray  # float32
    heads: np.ndarray  # uint8: the term is in the document's head
    parts: list = field(default_factory=list)  # (segment, start, end, keep mask or None, offset) for positions

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """(document of each position, position), for the postings in ``docs`` order."""
        found = []
        for seg, start, end, keep, offset in self.parts:
            ptr = np.asarray(seg.pos_ptr[start : end + 1], dtype=np.int64)
            docs = np.asarray(seg.post_doc[start:end], dtype=np.int64) + offset
            firsts, counts = ptr[:-1], np.diff(ptr)
            if keep is not None:
                docs, firsts, counts = docs[keep], firsts[keep], counts[keep]
            found.append(_occurrences(seg, docs, firsts, counts))
        return _joined(found)

    def positions_in(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) of every occurrence in the documents ``wanted`` (ascending,
        global numbers): a few documents' positions without reading all of a common word's."""
        found = []
        for seg, start, end, keep, offset in self.parts:
            local = seg.post_doc[start:end]
            w = wanted - offset
            w = w[(w >= 0) & (w <= int(local[-1]))]
            at = np.minimum(np.searchsorted(local, w), len(local) - 1)
            at = at[local[at] == w]
            if keep is not None:
                at = at[keep[at]]
            firsts = np.asarray(seg.pos_ptr[start + at], dtype=np.int64)
            counts = np.asarray(seg.pos_ptr[start + at + 1], dtype=np.int64) - firsts
            found.append(_occurrences(seg, np.asarray(local[at], dtype=np.int64) + offset, firsts, counts))
        return _joined(found)


def _occurrences(seg: Segment, docs: np.ndarray, firsts: np.ndarray, counts: np.ndarray):
    """(document of each position, position) of postings whose positions start at ``firsts``
    in ``seg.positions`` and number ``counts``."""
    ends = np.cumsum(counts)
    if not len(ends) or not ends[-1]:
        return None
    # the index of every position: the first of its posting plus its rank within it
    idx = np.repeat(firsts - (ends - counts), counts) + np.arange(int(ends[-1]))
    return np.repeat(docs, counts), np.asarray(seg.positions[idx], dtype=np.int64)


def _joined(found: list) -> tuple[np.ndarray, np.ndarray]:
    found = [f for f in found if f is not None]
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if len(found) == 1:
        return found[0]
    return np.concatenate([d for d, _ in found]), np.concatenate([p for _, p in found])


EMPTY = Postings(np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.uint8))


class Matrix:
    """All segments of one index version, with its deletions: what a search reads."""

    def __init__(self, segments: list[Segment], deleted: dict[str, list[int]]):
        self.segments = segments
        self.offsets = np.cumsum([0] + [s.size for s in segments])[:-1].astype(np.int64)
        self.size = int(sum(s.size for s in segments))
        art_offsets = np.cumsum([0] + [len(s.articles) for s in segments])[:-1]
        self.article_offsets = art_offsets
        self.articles: list[dict] = [a for s in segments for a in s.articles]
        self.doc_article = np.concatenate([np.asarray(s.doc_article, np.int64) + o for s, o in zip(segments, art_offsets)]) \
            if segments else np.zeros(0, np.int64)
        self.doc_kind = np.concatenate([np.asarray(s.doc_kind) for s in segments]) if segments else np.zeros(0, np.int8)
        self.article_live = np.ones(len(self.articles), dtype=bool)
        for seg, offset in zip(segments, art_offsets):
            gone = deleted.get(seg.folder.name) or []
            if gone:
                self.article_live[np.asarray(gone, dtype=np.int64) + offset] = False
        self.live = self.article_live[self.doc_article] if self.size else np.zeros(0, bool)
        self.has_deletions = not bool(self.live.all())
        self._live_per_segment = [self.live[o : o + s.size] for s, o in zip(segments, self.offsets)]
        lengths = np.concatenate([np.asarray(s.doc_len) for s in segments]) if segments else np.zeros(0, np.int32)
        self.doc_head = np.concatenate([np.asarray(s.doc_head) for s in segments]) if segments else np.zeros(0, np.int32)
        self.doc_length = rounded_lengths(lengths)
        self.doc_count = int(self.live.sum())
        live_total = float(lengths[self.live].sum()) if self.size else 0.0
        self.avg_length = live_total / self.doc_count if self.doc_count else 1.0
        self.tag_table = None  # search.suggest's table of the tags, made once

    def _locate(self, doc: int) -> tuple[Segment, int]:
        seg = int(np.searchsorted(self.offsets, doc, side="right") - 1)
        return self.segments[seg], doc - int(self.offsets[seg])

    def key(self, doc: int) -> str:
        segment, local = self._locate(doc)
        return segment.keys[local]

    def section(self, doc: int) -> str:
        segment, local = self._locate(doc)
        return segment.sections[local]

    def shown(self, doc: int) -> dict:
        segment, local = self._locate(doc)
        return segment.shown(local)

    def postings(self, term: str) -> Postings:
        docs, weights, heads, parts = [], [], [], []
        for seg, offset, live in zip(self.segments, self.offsets, self._live_per_segment):
            start, end = seg.span(term)
            if start == end:
                continue
            d = seg.post_doc[start:end]  # int32, mapped: no copy for the first segment
            w = seg.post_w[start:end]
            h = seg.post_head[start:end]
            keep = None
            if self.has_deletions:
                keep = live[d]
                if keep.all():
                    keep = None
                else:
                    d, w, h = d[keep], w[keep], h[keep]
            docs.append(d + offset if offset else d)
            weights.append(w)
            heads.append(h)
            parts.append((seg, start, end, keep, int(offset)))
        if not docs:
            return EMPTY
        if len(docs) == 1:
            return Postings(docs[0], weights[0], heads[0], parts)
        return Postings(np.concatenate(docs), np.concatenate(weights), np.concatenate(heads), parts)

    def articles_with(self, term: str) -> np.ndarray:
        """Every article (by index, deleted ones too) with a document holding ``term``."""
        parts = [np.unpackbits(seg.articles_with(term), count=len(seg.articles)).view(bool) for seg in self.segments]
        return np.concatenate(parts) if len(parts) != 1 else parts[0]

    def known(self, term: str) -> bool:
        return any(term in s.vocab for s in self.segments)

    def frequency(self, term: str) -> int:
        """Documents containing ``term`` (deleted ones included: an estimate for the fallbacks
        and the speller, never for scoring)."""
        return sum(seg.frequency(term) for seg in self.segments)

    def homophone(self, sound: str) -> str | None:
        """The most common index word of two or more Chinese characters whose pinyin is
        ``sound`` (baomi → 保密): for typos and for pinyin typed with the input method off."""
        found = [seg.homophones[sound] for seg in self.segments if sound in seg.homophones]
        return max(found)[1] if found else None

    def containing(self, fragment: str) -> set[str]:
        """Index words that contain ``fragment`` (and are not it)."""
        found: set[str] = set()
        for seg in self.segments:
            found |= seg.containing(fragment)
        found.discard(fragment)
        return found


def merge(segments: list[Segment], deleted: dict[str, list[int]], folder: Path) -> None:
    """Write the live documents of ``segments`` as one segment: the postings are remapped and
    re-sorted with numpy, no text is analysed again."""
    terms: dict[str, int] = {}
    tids, docs, poses, ws, hs = [], [], [], [], []
    keys: list[str] = []
    sections: list[str] = []
    heads: list[str] = []
    shown: list[bytes] = []
    articles: list[dict] = []
    catalog: list = []
    doc_len, doc_head, doc_article, doc_kind = [], [], [], []
    doc_base = 0
    for seg in segments:
        gone = set(deleted.get(seg.folder.name) or [])
        art_keep = np.array([i not in gone for i in range(len(seg.articles))], dtype=bool)
        art_new = np.cumsum(art_keep) - 1 + len(articles)
        articles += [a for a, keep in zip(seg.articles, art_keep) if keep]
        catalog += [c for c, keep in zip(seg.read_catalog(seg.folder), art_keep) if keep]
        seg_article = np.asarray(seg.doc_article, dtype=np.int64)
        doc_keep = art_keep[seg_article] if seg.size else np.zeros(0, bool)
        doc_new = np.cumsum(doc_keep) - 1 + doc_base
        keys += [k for k, keep in zip(seg.keys, doc_keep) if keep]
        sections += [h for h, keep in zip(seg.sections, doc_keep) if keep]
        heads += [h for h, keep in zip(seg.heads_pinyin, doc_keep) if keep]
        shown += [seg.shown_bytes(d) for d in np.flatnonzero(doc_keep).tolist()]
        doc_len.append(np.asarray(seg.doc_len)[doc_keep])
        doc_head.append(np.asarray(seg.doc_head)[doc_keep])
        doc_article.append(art_new[seg_article[doc_keep]])
        doc_kind.append(np.asarray(seg.doc_kind)[doc_keep])
        doc_base += int(doc_keep.sum())
        # terms of this segment -> merged term ids
        remap = np.array([terms[t] if t in terms else terms.setdefault(t, len(terms)) for t in seg.terms], dtype=np.int32)
        counts = np.diff(np.asarray(seg.pos_ptr))
        post_tid = np.repeat(np.arange(len(seg.terms), dtype=np.int32), np.diff(np.asarray(seg.term_ptr)))
        post_doc = np.asarray(seg.post_doc, dtype=np.int64)
        keep = doc_keep[post_doc] if len(post_doc) else np.zeros(0, bool)
        tok_keep = np.repeat(keep, counts)
        tids.append(np.repeat(remap[post_tid], counts)[tok_keep])
        docs.append(np.repeat(doc_new[post_doc], counts)[tok_keep].astype(np.int32))
        poses.append(np.asarray(seg.positions)[tok_keep])
        # a posting's weight is spread over its positions so that summing restores it
        ws.append(np.repeat(np.asarray(seg.post_w) / np.maximum(counts, 1), counts)[tok_keep].astype(np.float32))
        hs.append(np.repeat(np.asarray(seg.post_head), counts)[tok_keep])
    tid, doc = np.concatenate(tids) if tids else np.zeros(0, np.int32), np.concatenate(docs) if docs else np.zeros(0, np.int32)
    pos, w = np.concatenate(poses) if poses else np.zeros(0, np.int32), np.concatenate(ws) if ws else np.zeros(0, np.float32)
    head = np.concatenate(hs) if hs else np.zeros(0, np.uint8)
    order = np.lexsort((pos, doc, tid))
    arrays = postings_arrays(tid[order], doc[order], pos[order], w[order], head[order], len(terms), doc_base)
    arrays.update(doc_len=np.concatenate(doc_len).astype(np.int32) if doc_len else np.zeros(0, np.int32),
                  doc_head=np.concatenate(doc_head).astype(np.int32) if doc_head else np.zeros(0, np.int32),
                  doc_article=np.concatenate(doc_article).astype(np.int32) if doc_article else np.zeros(0, np.int32),
                  doc_kind=np.concatenate(doc_kind).astype(np.int8) if doc_kind else np.zeros(0, np.int8))
    # drop terms no live posting uses any more
    used = np.diff(arrays["term_ptr"]) > 0
    names = sorted(terms, key=terms.__getitem__)
    if not used.all():
        new_id = np.cumsum(used) - 1
        post_tid = np.repeat(np.arange(len(names)), np.diff(arrays["term_ptr"]))
        arrays["term_ptr"] = np.searchsorted(new_id[post_tid], np.arange(int(used.sum()) + 1)).astype(np.int64)
        names = [t for t, u in zip(names, used) if u]
    write_segment(folder, names, arrays, keys, articles, sections, heads, shown, catalog)
