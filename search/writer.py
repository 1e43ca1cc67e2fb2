"""Writing the index: cold builds in parallel, incremental updates of single files.

Each document is analysed once (search.documents): the tokens feed both Whoosh (through a
tokenizer that replays them) and the ranking matrix (search.matrix).

A cold build splits the articles between worker processes, one per core: each segments its
share with jieba and writes one Whoosh segment and one matrix segment; the parent commits the
Whoosh segments together (as Whoosh's own multiprocessing writer does) and lists the matrix
segments in the manifest. Workers are spawned, not forked, and die with the process that
started them (``PR_SET_PDEATHSIG``): a killed server leaves no builder behind holding the lock.

An update re-indexes the files named (after a save, or what the file watcher saw): their old
documents are deleted from Whoosh and marked deleted in the matrix, the new ones go into a new
small segment of each. Segments are merged when they pile up.
"""
from __future__ import annotations

import hashlib
import heapq
import itertools
import logging
import multiprocessing
import os
import pickle
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.system import pack_uint
from whoosh.writing import LockError, SegmentWriter

from kb import attachments, folders
from kb.article import Article, Problem
from kb.check import relative
from kb.filedates import FileDates
from kb.reading_paths import FOLDER as PATHS
from kb.reading_paths import ReadingPath, is_path_file, load_path
from kb.store import Catalog, content_files, is_content_file, load_article, load_catalog

from .analyzer import read_dictionary
from . import lifecycle
from .documents import documents, field_terms, path_documents, path_fields, path_slug
from .interface import EngineSetup, IndexBusy
from .matrix import KIND_ARTICLE, KIND_SECTION, Segment, SegmentBuilder, merge
from .parameters import DEFAULT, Parameters, Zones
from .record import complete_record, record_complete
from .results import Report
from .schema import TEXT_FIELD, build_schema
from .storage import (MATRIX, current_fingerprint, index_ready, live_path, new_generation, read_manifest,
                      remove_stale_generations, switch_live, write_manifest, writer_lock)

log = logging.getLogger(__name__)
PARALLEL_THRESHOLD = 300  # articles; below this, starting worker processes costs more than it saves
MAX_SEGMENTS = 8  # matrix segments before the small ones are merged
# A build worker holds its whole share in memory until it writes it (about 25 bytes per byte of
# article text: 50,000 articles in 2 shares peaked at 5 GB per worker). Beyond this much text a
# build makes more shares than workers, each worker taking the next when done, up to half of
# MAX_SEGMENTS (so that an edit's merge never takes a cold build's segments for small ones).
SHARE_BYTES = 60_000_000


# --- adding documents ------------------------------------------------------------------------

class _RememberedLengths:
    """A per-document reader whose field lengths come from memory. Whoosh's flush looks up the
    length of a posting's document once per posting, each a seek and a read: 40 % of a commit.
    Here each document's length is read once."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list] = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            read = self._reader.doc_field_length
            lengths = [read(d, fieldname, default) for d in range(self._reader.doc_count_all())]
            self._lengths[fieldname] = lengths
        return lengths[docnum]

    def __getattr__(self, name):
        return getattr(self._reader, name)


class FastSegmentWriter(SegmentWriter):
    """Whoosh's segment writer, fed the ``content`` field's postings by the matrix builder.

    Whoosh would turn every token into a posting one at a time in Python (its format, its pool,
    sorting the pool) — about half of its indexing time. The matrix builder has the same
    postings already grouped by term and document in numpy arrays: at flush they are handed to
    Whoosh's codec in its own order (field, term bytes, document), merged with the pool's
    postings of the other fields. The segment written is the same, byte for byte in meaning:
    same weights, same positions (tests compare Whoosh's own scorer with the matrix). Field
    lengths are also remembered while flushing (Whoosh reads one back per posting)."""

    def __init__(self, ix, builder: SegmentBuilder, **kwargs):
        # Segments stay separate files: Whoosh reads a compound segment's parts by copying each into
        # memory (BytesIO over the mapping), which made opening a writer on 10,000 articles 0.8 s.
        super().__init__(ix, compound=False, **kwargs)
        self.builder = builder

    def add_document(self, **fields):
        content = fields.pop(TEXT_FIELD, None)
        super().add_document(**fields)
        if content is not None and content.length:
            # the document just added (its number is still current in the per-document writer)
            self.perdocwriter.add_field(TEXT_FIELD, self.schema[TEXT_FIELD], None, content.length)

    def per_document_reader(self):
        return _RememberedLengths(super().per_document_reader())

    def _content_postings(self):
        """(field, term bytes, document, weight, value bytes) of the content field, in order."""
        terms, arrays = self.builder.postings()
        term_ptr, docs, weights = arrays["term_ptr"], arrays["post_doc"].tolist(), arrays["post_w"].tolist()
        pos_ptr, positions = arrays["pos_ptr"], arrays["positions"]
        # Whoosh's Positions format: the count, then the gaps between positions, pickled
        gaps = np.diff(positions, prepend=0)
        gaps[pos_ptr[:-1][np.diff(pos_ptr) > 0]] = positions[pos_ptr[:-1][np.diff(pos_ptr) > 0]]
        gaps, bounds = gaps.tolist(), pos_ptr.tolist()
        for tid in sorted(range(len(terms)), key=lambda i: terms[i].encode("utf-8")):
            text = terms[tid].encode("utf-8")
            for p in range(int(term_ptr[tid]), int(term_ptr[tid + 1])):
                a, b = bounds[p], bounds[p + 1]
                yield TEXT_FIELD, text, docs[p], weights[p], pack_uint(b - a) + pickle.dumps(gaps[a:b], 2)

    def _all_postings(self):
        """The pool's postings (other fields, sorted by field) with the builder's content
        postings in their place: one pass, no comparisons per posting."""
        pool = iter(self.pool.iter_postings())  # items() may be a list: one pass over it
        ours = self._content_postings()
        for posting in pool:
            if posting[0] < TEXT_FIELD:
                yield posting
            elif posting[0] > TEXT_FIELD:
                yield from ours
                yield posting
                yield from pool
                return
            else:  # content of segments being merged in (an update that merges): interleave
                yield from heapq.merge(ours, itertools.chain([posting], pool), key=lambda p: p[:3])
                return
        yield from ours

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        self.fieldwriter.add_postings(self.schema, lengths, self._all_postings())
        self.fieldwriter.close()
        if lengths:
            lengths.close()


def _article_info(article: Article) -> dict:
    """What the ranking matrix keeps of an article (search.facets, search.engine)."""
    return {"slug": article.slug, "path": article.rel_path, "digest": article.digest, "title": article.title,
            "fields": field_terms(article), "lifecycle": lifecycle.of(article.meta)}


def _listed(article: Article) -> Article:
    """The article as the site lists it, kept with the index (search.matrix ``catalog.pickle``):
    without its text and without its path: the segment's reader makes it from ``rel_path`` and
    the content folder of the moment (a node's folder may move), and an unpickled ``Path`` cost
    as much again (8 of the 21 s a 50,000-article catalog took to open on a busy machine)."""
    light = article.without_text()
    light.path = None
    return light


@dataclass
class IndexedPath:
    """A reading path as the index holds it: 「新员工」 or 「入职」 finds the newcomer path."""

    reading: ReadingPath
    digest: str

    @property
    def rel_path(self) -> str:
        return self.reading.rel_path

    @property
    def slug(self) -> str:
        return path_slug(self.reading)


def load_item(root: Path, rel: str, dates=None, max_bytes: int | None = None):
    """The article or reading path in file ``rel``, or None, and the problems found in it."""
    path = root / rel
    if is_path_file(rel):
        reading, problems = load_path(path, root)
        return (IndexedPath(reading, _digest(path)) if reading else None), problems
    if max_bytes is None:
        return load_article(path, root, dates)
    return load_article(path, root, dates, max_bytes)


def add_item(writer, builder: SegmentBuilder, item, dictionary: tuple[str, ...], zones: Zones) -> None:
    if isinstance(item, IndexedPath):
        r = item.reading
        number = builder.add_article({"slug": item.slug, "path": r.rel_path, "digest": item.digest, "title": r.title,
                                      "fields": path_fields(), "url": f"/paths/{r.slug}"})
        docs = path_documents(r, dictionary, zones)
    else:
        number = builder.add_article(_article_info(item), _listed(item))
        docs = documents(item, dictionary, zones)
    _add_documents(writer, builder, number, docs)


def _add_documents(writer, builder: SegmentBuilder, number: int, docs: list[dict]) -> None:
    for doc in docs:
        content = doc["content"]
        kind = KIND_ARTICLE if doc["kind"] == "article" else KIND_SECTION
        builder.add_document(doc["id"], kind, number, content.tokens, content.length, content.head,
                             doc["section"] or "", {"text": doc["text"], "path": doc["heading_path"],
                                                    "folds": doc["folds"]})
        if writer is not None:  # None: the Whoosh record is written afterwards (search.record)
            writer.add_document(**doc)


# --- cold builds ---------------------------------------------------------------------------

def _die_with_parent(parent: int) -> None:
    """Make the kernel kill this process when its parent dies (Linux), and give up at once if
    the parent is already gone."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


@dataclass
class _Part:
    """What one build worker indexed."""

    segment: object  # Whoosh segment, or None when it had nothing to add
    matrix: str  # name of its matrix segment
    digests: dict[str, str]


def _build_part(parent: int | None, content_dir: str, max_bytes: int, dictionary: tuple[str, ...], zones: Zones,
                gen: str, number: int, paths: list[str]) -> _Part:
    """Index ``paths`` into a new Whoosh segment and a new matrix segment of ``gen`` (in a worker
    process of ``parent``, or in this process when ``parent`` is None)."""
    if parent is not None:
        _die_with_parent(parent)
    root = Path(content_dir)
    dates = FileDates(root)
    builder = SegmentBuilder()
    digests: dict[str, str] = {}
    for rel in paths:
        item, _ = load_item(root, rel, dates, max_bytes)
        if item is not None:  # it was valid a moment ago in the parent; a file may change meanwhile
            digests[rel] = _with_attachments(root, rel, item.digest)  # before its documents: see _apply
            add_item(None, builder, item, dictionary, zones)  # Whoosh's record comes after (search.record)
    name = f"seg-{time.time_ns()}-{number}"
    builder.write(Path(gen) / MATRIX / name)
    return _Part(None, name, digests)


def _shares(catalog: Catalog, n: int) -> list[list[str]]:
    """Split the articles (and reading paths) into ``n`` lists of about equal text size (jieba's
    time is linear in it)."""
    shares: list[list[str]] = [[] for _ in range(n)]
    sizes = [0] * n
    items = [(a.size, a.rel_path) for a in catalog.articles] + [(0, r.rel_path) for r in catalog.paths]
    for size, rel in sorted(items, reverse=True):
        i = sizes.index(min(sizes))
        shares[i].append(rel)
        sizes[i] += size + 200
    return [sorted(s) for s in shares if s] or [[]]  # an empty folder is an empty index


def _pool(workers: int):
    """Build workers: spawned, and each has the kernel kill it with this process from its start.
    Set only when a share arrived, a worker killed while waiting for one lived on for ever: it
    holds both ends of the pool's queue, so it never sees its parent go."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))


def _run_parts(config: EngineSetup, dictionary, zones: Zones, gen: Path, shares: list[list[str]],
               workers: int) -> list[_Part]:
    if len(shares) == 1:
        return [_build_part(None, str(config.content_dir), config.max_article_bytes, dictionary, zones, str(gen), 0,
                            shares[0])]
    with _pool(min(workers, len(shares))) as pool:
        futures = [pool.submit(_build_part, os.getpid(), str(config.content_dir), config.max_article_bytes, dictionary,
                               zones, str(gen), i, share) for i, share in enumerate(shares)]
        return [f.result() for f in futures]


def _rebuild(config: EngineSetup, catalog: Catalog, parameters: Parameters, workers: int | None) -> Report:
    index_path = Path(config.index_path)
    remove_stale_generations(index_path)  # what a killed build left behind
    gen = new_generation(index_path)
    (gen / MATRIX).mkdir()
    dictionary = read_dictionary(config.dictionary_path)
    whoosh_index.create_in(str(gen), build_schema(dictionary))  # empty: the record comes after the switch
    workers = (workers or min(os.cpu_count() or 1, 4)) if len(catalog.articles) >= PARALLEL_THRESHOLD else 1
    text = sum(a.size for a in catalog.articles)
    shares = max(workers, min(MAX_SEGMENTS // 2, -(-text // SHARE_BYTES)))  # one worker too takes them in turn
    try:
        parts = _run_parts(config, dictionary, parameters.zones, gen, _shares(catalog, shares), workers)
    except BaseException:
        import shutil

        shutil.rmtree(gen, ignore_errors=True)
        raise
    files = {rel: digest for p in parts for rel, digest in p.digests.items()}
    # searchable now; Whoosh's record of these segments is written next (search.record)
    write_manifest(gen, {"fingerprint": current_fingerprint(config, parameters), "dictionary": list(dictionary),
                         "files": files, "stamps": _stamps(config, files), "record": "pending",
                         "folders": folders.digests(Path(config.content_dir)),
                         "segments": [p.matrix for p in parts], "deleted": {}, "version": 1, "at": time.time()})
    switch_live(index_path, gen)
    return Report(added=len(files), rebuilt=True, articles=len(files))


# --- incremental updates -------------------------------------------------------------------

def _stamp(root: Path, rel: str) -> list[int] | None:
    """(modification time, size) of a file, and the modification time of its attachments'
    folder when it has one (a file added, replaced or removed there changes it): an unchanged
    stamp spares hashing the file again."""
    try:
        st = (root / rel).stat()
    except OSError:
        return None
    stamp = [st.st_mtime_ns, st.st_size]
    try:
        stamp.append((root / attachments.folder_of(rel)).stat().st_mtime_ns)
    except OSError:
        pass
    return stamp


def _stamps(config: EngineSetup, files) -> dict[str, list[int]]:
    root = Path(config.content_dir)
    return {rel: stamp for rel in files if (stamp := _stamp(root, rel)) is not None}


def _digest(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def _with_attachments(root: Path, rel: str, digest: str) -> str:
    """What the index records of an article file: the digest of its bytes, combined with its
    attachments' signature when it has any, so that a new or replaced attachment re-indexes the
    article although its text did not change."""
    signature = attachments.signature(root, rel) if rel.endswith(".md") else ""
    return hashlib.sha1(f"{digest}:{signature}".encode()).hexdigest() if signature else digest


def _file_digest(root: Path, rel: str) -> str:
    return _with_attachments(root, rel, _digest(root / rel))


_articles_of: dict[Path, list[dict]] = {}  # segment folder -> its articles (segments never change)


def _segment_articles(folder: Path) -> list[dict]:
    if folder not in _articles_of:
        if len(_articles_of) > 64:
            _articles_of.clear()
        _articles_of[folder] = Segment.read_articles(folder)
    return _articles_of[folder]


class _Locations:
    """Where each indexed file's article sits in the matrix segments of a generation."""

    def __init__(self, gen: Path, manifest: dict):
        self.where: dict[str, tuple[str, int]] = {}
        self.slug_owner: dict[str, str] = {}
        for name in manifest.get("segments", []):
            gone = set(manifest.get("deleted", {}).get(name, []))
            for i, info in enumerate(_segment_articles(gen / MATRIX / name)):
                if i not in gone:
                    self.where[info["path"]] = (name, i)
                    self.slug_owner[info["slug"]] = info["path"]


def _apply(config: EngineSetup, gen: Path, manifest: dict, upserts: list[Article], removed: list[str],
           articles: int, zones: Zones, locations: "_Locations | None" = None,
           folder_digests: dict | None = None, restamped: dict[str, list[int]] | None = None) -> Report:
    """Delete the documents of ``removed`` and of re-indexed files, add ``upserts``, commit.
    ``restamped``: files the index has, found under new stamps (recorded; the version stays)."""
    old: dict[str, str] = manifest.get("files", {})
    report = Report(added=sum(a.rel_path not in old for a in upserts),
                    changed=sum(a.rel_path in old for a in upserts), removed=len(removed), articles=articles)
    stamps = {**manifest.get("stamps", {}), **(restamped or {})}
    if not (upserts or removed):
        if restamped or folder_digests is not None and folder_digests != manifest.get("folders"):
            folder_digests = manifest.get("folders", {}) if folder_digests is None else folder_digests
            write_manifest(gen, {**manifest, "folders": folder_digests, "stamps": stamps})
        return report
    locations = locations or _Locations(gen, manifest)
    touched = set(removed) | {a.rel_path for a in upserts}
    # What the index records of each file is taken before its documents are made: an attachment
    # written meanwhile then makes the next update take the file again, never the other way round.
    digests = {a.rel_path: _with_attachments(Path(config.content_dir), a.rel_path, a.digest) for a in upserts}
    deleted = {k: list(v) for k, v in manifest.get("deleted", {}).items()}
    for rel in touched:
        if rel in locations.where:
            name, i = locations.where[rel]
            deleted.setdefault(name, []).append(i)
    segments = list(manifest.get("segments", []))
    builder = SegmentBuilder()
    # while Whoosh's record of a cold build is being written, the matrix alone takes the change;
    # the record takes its segment too when it is done (search.record)
    pending = manifest.get("record") == "pending"
    writer = None
    if not pending:
        try:
            writer = FastSegmentWriter(whoosh_index.open_dir(str(gen)), builder, timeout=30.0, limitmb=64)
        except LockError:
            raise IndexBusy("索引正被另一个进程写入，请稍后再试") from None
    try:
        for rel in touched if writer is not None else ():
            writer.delete_by_term("path", rel)
        dictionary = read_dictionary(config.dictionary_path)
        for article in upserts:
            add_item(writer, builder, article, dictionary, zones)
        if upserts:
            name = f"seg-{time.time_ns()}"
            builder.write(gen / MATRIX / name)
            segments.append(name)
        merging = len(segments) > MAX_SEGMENTS and not pending
        if merging:
            segments, deleted = _merge_small(gen, segments, deleted)
        if writer is not None:
            writer.commit(merge=merging)
    except BaseException:
        if writer is not None:
            writer.cancel()
        raise
    files = {p: d for p, d in old.items() if p not in touched}
    files.update(digests)
    for rel in touched:
        stamps.pop(rel, None)
    stamps.update(_stamps(config, [a.rel_path for a in upserts]))
    folder_digests = manifest.get("folders", {}) if folder_digests is None else folder_digests
    write_manifest(gen, {**manifest, "files": files, "stamps": stamps, "segments": segments, "deleted": deleted,
                         "folders": folder_digests, "version": manifest.get("version", 0) + 1, "at": time.time()})
    if merging:
        _remove_unlisted_segments(gen, segments)
    return report


def _merge_small(gen: Path, segments: list[str], deleted: dict) -> tuple[list[str], dict]:
    """Fold the small segments (the edits') into one; the large ones (a cold build's) stay.
    A segment is small when it holds less than a tenth of the documents."""
    sizes = {s: len(Segment.read_articles(gen / MATRIX / s)) for s in segments}
    total = sum(sizes.values()) or 1
    small = [s for s in segments if sizes[s] < total / 10]
    if len(small) < 2:
        small = segments  # nothing small to fold: fold everything
    keep = [s for s in segments if s not in small]
    name = f"seg-{time.time_ns()}-merged"
    merge([Segment(gen / MATRIX / s) for s in small], deleted, gen / MATRIX / name)
    return keep + [name], {k: v for k, v in deleted.items() if k in keep}


def _remove_unlisted_segments(gen: Path, segments: list[str]) -> None:
    """Segment folders the manifest no longer lists (merged away). A reader still holding one
    keeps its mapped files until it lets go (Linux frees them then)."""
    import shutil

    for folder in (gen / MATRIX).iterdir():
        if folder.name not in segments:
            shutil.rmtree(folder, ignore_errors=True)


def _load_for_update(config: EngineSetup, rels: list[str], owners: dict[str, str],
                     loaded: dict[str, Article] | None = None) -> tuple[list[Article], list[str], list[Problem]]:
    """Read the files ``rels``: the articles to (re)index, the files to drop, and problems.
    ``loaded``: articles the caller has just read from these files (a save), taken as they are
    when the file still has their bytes."""
    root = Path(config.content_dir)
    upserts, gone, problems = [], [], []
    owners = {slug: rel for slug, rel in owners.items() if rel not in rels}  # those files decide anew
    for rel in rels:
        path = root / rel
        if not path.is_file() or not (is_path_file(rel) or is_content_file(path, root)):
            gone.append(rel)
            continue
        known = (loaded or {}).get(rel)
        if known is not None and known.digest == _digest(path):
            article, found = known, []
        else:
            article, found = load_item(root, rel, max_bytes=config.max_article_bytes)
        problems += found
        owner = owners.get(article.slug) if article else None
        if article is not None and owner not in (None, rel):
            problems.append(Problem(rel, f"slug “{article.slug}” 已被 {owner} 使用，本文不会被收录"))
            article = None
        if article is None:
            gone.append(rel)
        else:
            owners[article.slug] = rel
            upserts.append(article)
    return upserts, gone, problems


def _changed_files(config: EngineSetup, manifest: dict) -> tuple[list[str], dict[str, list[int]]]:
    """(files added, changed or removed since the manifest; the stamps of files whose stamp
    differs but whose bytes are what the index has). Stamps first, hashes only where a stamp
    differs — one edit among ten thousand costs a listing, not a pass of hashing. A file with
    the index's bytes under another stamp (a clone, a copy, an index built on another machine:
    every file's time differs) is hashed once and its stamp recorded, so that neither the next
    look nor a worker's catalog (kb.store ``_as_read``) reads it again."""
    root = Path(config.content_dir)
    old, stamps = manifest.get("files", {}), manifest.get("stamps", {})
    current = {relative(p, root): p for p in content_files(root) + sorted((root / PATHS).glob("*.md"))} \
        if root.is_dir() else {}
    changed = [rel for rel in old if rel not in current]
    same: dict[str, list[int]] = {}
    for rel, path in current.items():
        stamp = _stamp(root, rel)
        if stamp is None:
            continue
        if rel in old and stamps.get(rel) == stamp:
            continue
        if old.get(rel) != _file_digest(root, rel):
            changed.append(rel)
        elif _stamp(root, rel) == stamp:  # not changed while it was hashed
            same[rel] = stamp
    return changed, same


def _folder_changes(config: EngineSetup, manifest: dict, named: list[str] | None) -> tuple[list[str], dict]:
    """(the indexed articles whose folder defaults changed since the manifest — kb.folders: a
    ``_folder.yaml`` naming who may read a folder changes what its articles' index documents
    hold, though their own bytes did not —, the folder files' digests now). ``named``: the files
    an update was asked for (only the folder files among them are looked at); None: all."""
    root, then = Path(config.content_dir), manifest.get("folders", {})
    if named is None:
        now = folders.digests(root)
        looked = set(now) | set(then)
    else:
        looked = {rel for rel in named if folders.is_folder_file(rel)}
        if not looked:
            return [], then
        now = {**{k: v for k, v in then.items() if k not in looked}, **folders.digests(root, sorted(looked))}
    changed = [rel for rel in looked if now.get(rel) != then.get(rel)]
    indexed = [rel for rel in manifest.get("files", {}) if not is_path_file(rel)]
    return sorted({a for rel in changed for a in folders.under(rel, indexed)}), now


def _skipped(problems: list[Problem]) -> list[Problem]:
    problems = [p for p in problems if p.severity == "error"]
    for p in problems:
        log.warning("未收录或有错误：%s", p)
    return problems


def _live_state(config: EngineSetup, parameters: Parameters) -> tuple[Path | None, dict]:
    index_path = Path(config.index_path)
    if not index_ready(index_path):
        return None, {}
    gen = live_path(index_path).resolve()
    manifest = read_manifest(gen)
    if manifest.get("fingerprint") != current_fingerprint(config, parameters) or "segments" not in manifest:
        return None, manifest  # built by another version: rebuild
    return gen, manifest


def _unchanged(config: EngineSetup, manifest: dict, rels: list[str]) -> set[str]:
    """Of ``rels``, the files whose bytes the index already has: a save indexes its file at
    once, and the file watcher then reports the same file; it is not indexed twice."""
    root, files = Path(config.content_dir), manifest.get("files", {})
    same = set()
    for rel in rels:
        try:
            if rel in files and files[rel] == _file_digest(root, rel):
                same.add(rel)
        except OSError:
            continue
    return same


def update_index(config: EngineSetup, rebuild: bool = False, progress: bool = False, catalog: Catalog | None = None,
                 paths: list[str] | None = None, articles: dict[str, Article] | None = None,
                 parameters: Parameters = DEFAULT, workers: int | None = None, record: bool = True,
                 force: bool = False) -> Report:
    """Bring the index up to date: the files ``paths`` only (those whose bytes it does not have
    yet; ``articles`` as the caller read them), or the whole folder (rebuilt when asked,
    missing, or built with another schema, field registry, zone weights, analyzer or
    dictionary). A rebuild is searchable before Whoosh's record of it is written (search.record),
    which follows in this call unless ``record`` is False."""
    started = time.perf_counter()
    with writer_lock(Path(config.index_path)):
        gen, manifest = _live_state(config, parameters)
        if rebuild or gen is None:
            if manifest and not rebuild:
                log.info("schema, fields, zones, analyzer or dictionary changed: rebuilding the index")
            # Only each file's own problems decide whether it is indexed; `kb check` does the rest.
            catalog = catalog or load_catalog(Path(config.content_dir), cross_checks=False,
                                              max_bytes=config.max_article_bytes)
            if progress:
                print(f"正在建立索引：{len(catalog.articles)} 篇文章……", flush=True)
            report = _rebuild(config, catalog, parameters, workers)
            report.skipped = _skipped(catalog.problems)
        else:
            forced, folder_digests = _folder_changes(config, manifest, paths)
            restamped: dict[str, list[int]] = {}
            if paths is None:
                rels, restamped = _changed_files(config, manifest)
            else:
                rels = list(dict.fromkeys(paths))
            if paths is not None and not force:
                rels = [rel for rel in rels if rel not in _unchanged(config, manifest, rels)]
            rels = [rel for rel in dict.fromkeys(rels + forced) if not folders.is_folder_file(rel)]
            locations = _Locations(gen, manifest) if rels else None
            owners = locations.slug_owner if locations else {}
            upserts, gone, problems = _load_for_update(config, rels, owners, articles)
            gone = [rel for rel in gone if rel in manifest.get("files", {})]
            files = set(manifest.get("files", {})) - set(gone) | {a.rel_path for a in upserts}
            report = _apply(config, gen, manifest, upserts, gone, len(files), parameters.zones, locations,
                            folder_digests, restamped)
            report.skipped = _skipped(problems)
    report.seconds = time.perf_counter() - started
    # Searchable from here on; Whoosh's record of a rebuild is written outside the lock — after a
    # rebuild, or at a look over the whole folder when a killed process left it unwritten
    if record and (report.rebuilt or paths is None and not record_complete(config.index_path)):
        report.searchable_seconds = report.seconds
        if progress and report.rebuilt:
            print(f"可以搜索了（{report.seconds:.1f} 秒）；正在写入 Whoosh 的索引记录……", flush=True)
        complete_record(config, workers, parameters)
        report.seconds = time.perf_counter() - started
    return report
