"""Writing the index: cold builds in parallel, incremental updates of single files.

Each document is analysed once (search.documents): the tokens feed both Whoosh (through a
tokenizer that replays them) and the ranking matrix (search.matrix).

A cold build reads every file in forked processes (kb.store.load_catalog's ``read_all``), then
splits the articles between worker processes, one per core, forked after jieba's tables are
opened: each takes the articles its parent read (``_inherited``; a file changed since is read
again), segments its share with jieba and writes one matrix segment; an article that fails is
named and left out, the others are indexed. The new generation is then switched in (searchable
from here on) and Whoosh's record written from the matrix segments, in parallel too
(search.record). Where there is no fork, workers are spawned and read their files themselves.
Workers die with the process that started them (``PR_SET_PDEATHSIG``): a killed server leaves no
builder behind holding the lock.

An update re-indexes the files named (after a save, or what the file watcher saw): their old
documents are deleted from Whoosh and marked deleted in the matrix, the new ones go into a new
small segment of each. Segments are merged when they pile up.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import os
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import LockError

from kb import attachments, folders
from kb.article import Article, Problem
from kb.check import relative, short
from kb.filedates import FileDates
from kb.reading_paths import FOLDER as PATHS
from kb.reading_paths import ReadingPath, is_path_file, load_path
from kb.store import Catalog, content_files, is_content_file, load_article, load_catalog

from .analyzer import read_dictionary, segmenter
from . import lifecycle
from .documents import documents, field_terms, path_documents, path_fields, path_slug
from .interface import EngineSetup, IndexBusy
from .matrix import KIND_ARTICLE, KIND_SECTION, Segment, SegmentBuilder, merge
from .parameters import DEFAULT, Parameters, Zones
from .record import complete_record, record_complete
from .results import Report
from .schema import build_schema
from .segment_writer import FastSegmentWriter
from .storage import (MATRIX, current_fingerprint, index_ready, live_path, new_generation, read_manifest,
                      remove_stale_generations, switch_live, write_manifest, writer_lock)

log = logging.getLogger(__name__)
BUILD_NAME = b"kb-build"  # /proc/<pid>/comm of a build worker
PARALLEL_THRESHOLD = 300  # articles; below this, starting worker processes costs more than it saves
MAX_SEGMENTS = 8  # matrix segments before the small ones are merged
# A build worker holds its whole share in memory until it writes it (about 25 bytes per byte of
# article text: 50,000 articles in 2 shares peaked at 5 GB per worker). Beyond this much text a
# build makes more shares than workers, each worker taking the next when done, up to half of
# MAX_SEGMENTS (so that an edit's merge never takes a cold build's segments for small ones).
SHARE_BYTES = 60_000_000


# --- adding documents ------------------------------------------------------------------------

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
    _add_made(writer, builder, item, _item_documents(item, dictionary, zones))


def _item_documents(item, dictionary: tuple[str, ...], zones: Zones) -> list[dict]:
    """The index documents of an article or a reading path: where its text is segmented (and
    where an unforeseen input fails, before anything of it is added)."""
    if isinstance(item, IndexedPath):
        return path_documents(item.reading, dictionary, zones)
    return documents(item, dictionary, zones)


def _add_made(writer, builder: SegmentBuilder, item, docs: list[dict]) -> None:
    if isinstance(item, IndexedPath):
        r = item.reading
        number = builder.add_article({"slug": item.slug, "path": r.rel_path, "digest": item.digest, "title": r.title,
                                      "fields": path_fields(), "url": f"/paths/{r.slug}"})
    else:
        number = builder.add_article(_article_info(item), _listed(item))
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

def _prctl(option: int, value) -> None:
    """Linux's prctl for this process; nothing where there is none."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _die_with_parent(parent: int) -> None:
    """Make the kernel kill this process when its parent dies (Linux), and give up at once if
    the parent is already gone."""
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


@dataclass
class _Part:
    """What one build worker indexed."""

    segment: object  # Whoosh segment, or None when it had nothing to add
    matrix: str  # name of its matrix segment
    digests: dict[str, str]
    problems: list[Problem] = field(default_factory=list)  # articles that failed: left out, named
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of the worker by stage


# The articles the parent read for a cold build (rel path -> Article), left here while its build
# workers are forked: they take them as they are instead of reading and parsing every file again
# (a tenth of a build's work), and jieba's tables and the imported modules come along too.
_inherited: dict[str, Article] = {}


def _item_of(root: Path, rel: str, dates: list, max_bytes: int):
    """The article (or reading path) of ``rel``: the parent's when the file still has the bytes
    it was read from (checked by their digest: the index records the file's state when its
    build ends) and it holds the text (a site's catalog may be kept without it); else read from
    the file."""
    known = _inherited.get(rel)
    if known is not None and known.body:
        try:
            if _digest(root / rel) == known.digest:
                return known
        except OSError:
            return None  # removed meanwhile
    if not dates:
        dates.append(FileDates(root))  # git's dates of the whole folder: once, when a file is read
    item, _ = load_item(root, rel, dates[0], max_bytes)
    return item  # None: it was valid a moment ago in the parent; a file may change meanwhile


def _build_part(parent: int | None, content_dir: str, max_bytes: int, dictionary: tuple[str, ...], zones: Zones,
                gen: str, number: int, paths: list[str]) -> _Part:
    """Index ``paths`` into a new matrix segment of ``gen`` (in a worker process of ``parent``,
    or in this process when ``parent`` is None). An article that fails is named in the part's
    problems and left out; the others are indexed."""
    if parent is not None:
        _die_with_parent(parent)
    root = Path(content_dir)
    dates: list = []
    builder = SegmentBuilder()
    part = _Part(None, f"seg-{time.time_ns()}-{number}", {}, cpu=dict.fromkeys(("read", "documents", "matrix"), 0.0))
    clock = time.process_time
    for rel in paths:
        started = clock()
        item = _item_of(root, rel, dates, max_bytes)
        if item is None:
            continue
        digest = _with_attachments(root, rel, item.digest)  # before its documents: see _apply
        read = clock()
        try:
            docs = _item_documents(item, dictionary, zones)
        except Exception as exc:  # noqa: BLE001 — an unforeseen input is this file's problem, not the build's
            log.exception("cannot index %s", rel)
            part.problems.append(Problem(rel, f"建立索引时出错：{short(exc, 80)}，本文未收录（请把这个文件报告给维护者）"))
            continue
        made = clock()
        _add_made(None, builder, item, docs)  # Whoosh's record comes after (search.record)
        part.digests[rel] = digest
        part.cpu["read"] += read - started
        part.cpu["documents"] += made - read
        part.cpu["matrix"] += clock() - made
    started = clock()
    builder.write(Path(gen) / MATRIX / part.matrix)
    part.cpu["matrix"] += clock() - started
    return part


_reading = None  # the catalog's function reading one file, left here for the processes forked to read


def _read_chunk(paths: list[Path]) -> list:
    return [_reading(path) for path in paths]


def _reader(workers: int):
    """``read_all`` of kb.store.load_catalog for a cold build: the files parsed by forked
    processes, a run of them each (the results come back pickled, in order); in this process
    where there are few files, one worker, or no fork (a spawned process would not have the
    function)."""

    def read_all(load, paths: list[Path]) -> list:
        global _reading
        if workers < 2 or len(paths) < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
            return [load(path) for path in paths]
        step = -(-len(paths) // (workers * 4))
        _reading = load
        try:
            with _pool(workers) as pool:
                return [r for found in pool.map(_read_chunk, [paths[i : i + step] for i in range(0, len(paths), step)])
                        for r in found]
        finally:
            _reading = None

    return read_all


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
    """Build workers: forked where the platform can (they share what this process loaded: the
    modules, jieba's mapped tables, the articles read — ``_inherited``), spawned elsewhere; each
    has the kernel kill it with this process from its start. Set only when a share arrived, a
    worker killed while waiting for one lived on for ever: it holds both ends of the pool's
    queue, so it never sees its parent go."""
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                               initializer=_start_worker, initargs=(os.getpid(),))


def _start_worker(parent: int) -> None:
    """A build worker dies with ``parent``, and keeps what it inherited out of its collector's
    reach (``gc.freeze`` moves them in one step, touching none): a full collection would write
    into every object of the parent's (its catalog, its caches), copying each page the two
    processes shared, and walk them all again at every full collection. The parent is left as it
    is: a server's processes froze what they loaded at start (web.server), which it must not undo.
    Forked, a worker has its parent's command line: it is named ``kb-build`` (``ps -o comm``)."""
    _die_with_parent(parent)
    _prctl(15, BUILD_NAME)  # PR_SET_NAME
    gc.freeze()


@contextmanager
def _handed_down(articles: dict[str, Article]):
    """``articles`` left for the build workers forked meanwhile (``_inherited``)."""
    global _inherited
    _inherited = articles
    try:
        yield
    finally:
        _inherited = {}


def _run_parts(config: EngineSetup, dictionary, zones: Zones, gen: Path, shares: list[list[str]],
               workers: int, articles: dict[str, Article]) -> list[_Part]:
    segmenter(dictionary)  # jieba's tables opened once, before the workers fork
    with _handed_down(articles):
        if len(shares) == 1:
            return [_build_part(None, str(config.content_dir), config.max_article_bytes, dictionary, zones, str(gen),
                                0, shares[0])]
        with _pool(min(workers, len(shares))) as pool:
            futures = [pool.submit(_build_part, os.getpid(), str(config.content_dir), config.max_article_bytes,
                                   dictionary, zones, str(gen), i, share) for i, share in enumerate(shares)]
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
        parts = _run_parts(config, dictionary, parameters.zones, gen, _shares(catalog, shares), workers,
                           catalog.by_path)
    except BaseException:
        import shutil

        shutil.rmtree(gen, ignore_errors=True)
        raise
    cpu = {stage: round(sum(p.cpu.get(stage, 0.0) for p in parts), 1) for stage in ("read", "documents", "matrix")}
    log.info("cold build: %d shares on %d workers; CPU seconds of the workers by stage: %s", len(parts),
             min(workers, len(parts)), cpu)
    files = {rel: digest for p in parts for rel, digest in p.digests.items()}
    # searchable now; Whoosh's record of these segments is written next (search.record)
    write_manifest(gen, {"fingerprint": current_fingerprint(config, parameters), "dictionary": list(dictionary),
                         "files": files, "stamps": _stamps(config, files), "record": "pending",
                         "folders": folders.digests(Path(config.content_dir)),
                         "segments": [p.matrix for p in parts], "deleted": {}, "version": 1, "at": time.time()})
    switch_live(index_path, gen)
    return Report(added=len(files), rebuilt=True, articles=len(files), skipped=[q for p in parts for q in p.problems])


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
            if catalog is None:
                catalog = load_catalog(Path(config.content_dir), cross_checks=False, max_bytes=config.max_article_bytes,
                                       read_all=_reader(workers or min(os.cpu_count() or 1, 4)))
                log.info("cold build: %d files read in %.1f s", len(catalog.loaded), time.perf_counter() - started)
            if progress:
                print(f"正在建立索引：{len(catalog.articles)} 篇文章……", flush=True)
            report = _rebuild(config, catalog, parameters, workers)
            report.skipped = _skipped(catalog.problems + report.skipped)
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
