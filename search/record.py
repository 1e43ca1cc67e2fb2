"""Whoosh, the index of record, written after a cold build instead of during it.

A cold build used to write a Whoosh segment beside each matrix segment, in the same worker: Whoosh
turns every posting into Python objects one at a time, which made about half of the build's work
on top of jieba (10,000 articles: 104 s where jieba over both cores needs ~50 s). Searching needs
only the matrix (search.engine). So a build now writes the matrix segments, switches the new
generation in — the site searches it from then on — and only then writes the record: one Whoosh
segment per matrix segment, *replayed* from it. Everything a Whoosh document holds is in the matrix
segment: its id, kind and section, the article's path, slug, title and indexed fields, the text a
result shows, and the content field's postings with their zone-weighted frequencies and positions
(the same arrays, in Whoosh's order, as search.segment_writer's FastSegmentWriter already feeds it). No
file is read and no text segmented again, and the matrix segments do not change, so the record is
written outside the writer's lock, in parallel processes, while saves keep being indexed.

Until the record is complete (``manifest["record"] == "pending"``) an update writes its matrix
segment only and merges nothing; the record then takes those segments too, under the lock, with
the articles deleted meanwhile marked deleted in it, as the manifest marks them in the matrix. The
reference engine (search.reference) reads Whoosh, so it waits for the record (``record_complete``).
"""
from __future__ import annotations

import copy
import logging
import os
import time
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from .documents import FIELD_PREFIX, stored_fields
from .interface import EngineSetup
from .matrix import KIND_ARTICLE, Segment
from .parameters import DEFAULT, Parameters
from .schema import TEXT_FIELD
from .segment_writer import FastSegmentWriter
from .storage import MATRIX, live_path, read_manifest, write_manifest, writer_lock

log = logging.getLogger(__name__)

PENDING = "pending"
WRITER_MB = 256


class _Length(int):
    """The content field of a replayed document: only its length (its postings come from the
    matrix segment)."""

    @property
    def length(self) -> int:
        return int(self)


class _Replay:
    """A matrix segment in the place of a SegmentBuilder: its postings, as they were built."""

    def __init__(self, segment: Segment):
        self.segment = segment

    def postings(self):
        s = self.segment
        return s.terms, {name: np.asarray(getattr(s, name)) for name in ("term_ptr", "post_doc", "post_w", "pos_ptr",
                                                                          "positions")}


def _fields(segment: Segment, doc: int) -> dict:
    """The Whoosh document ``doc`` of the segment, as search.documents made it."""
    info = segment.articles[int(segment.doc_article[doc])]
    key = segment.keys[doc]
    shown = segment.shown(doc)
    article = int(segment.doc_kind[doc]) == KIND_ARTICLE
    return {"id": key, "path": info["path"], "kind": "article" if article else "section", "slug": info["slug"],
            "article_title": info["title"], "anchor": key.partition("#")[2],
            "section": None if article else segment.sections[doc], "heading_path": list(shown.get("path") or []),
            "text": shown.get("text") or "", "folds": shown.get("folds", True),
            "content": _Length(int(segment.doc_len[doc])), **stored_fields(info.get("fields") or {})}


class _Remembered:
    """A field's ``index`` that makes the terms of each value once: the article's path, slug and
    indexed fields are the same in each of its documents (eleven on average), and Whoosh analyses
    them again for every one."""

    def __init__(self, index):
        self._index, self._seen = index, {}

    def __call__(self, value, **kwargs):
        if kwargs or not isinstance(value, str):
            return self._index(value, **kwargs)
        found = self._seen.get(value)
        if found is None:
            found = self._seen[value] = tuple(self._index(value))
        return found


def _remembering(schema):
    """A copy of ``schema`` whose fields other than the content remember their terms (for a
    segment that is finalized, never committed with this schema)."""
    schema = copy.copy(schema)
    schema._fields = dict(schema._fields)
    for name, field in schema._fields.items():
        if field.indexed and name != TEXT_FIELD and not field.vector and not field.separate_spelling():
            field = schema._fields[name] = copy.copy(field)
            field.index = _Remembered(field.index)
    return schema


def write_record(gen: str, name: str, parent: int | None = None):
    """The Whoosh segment of matrix segment ``name`` of generation ``gen`` (in a worker process of
    ``parent``, or in this one); None for a segment without documents."""
    from .writer import _die_with_parent

    if parent is not None:
        _die_with_parent(parent)
    segment = Segment(Path(gen) / MATRIX / name)
    if not segment.size:
        return None
    writer = FastSegmentWriter(whoosh_index.open_dir(gen), _Replay(segment), _lk=False, limitmb=WRITER_MB)
    if writer.BULK:
        writer.schema = _remembering(writer.schema)
    for doc in range(segment.size):
        writer.add_document(**_fields(segment, doc))
    return writer._finalize_segment()


def record_complete(index_path: Path) -> bool:
    """The live generation's Whoosh record holds every document the matrix does (true when there
    is no generation: nothing is pending)."""
    return read_manifest(live_path(index_path).resolve()).get("record") != PENDING


def complete_record(config: EngineSetup, workers: int | None = None, parameters: Parameters = DEFAULT) -> float:
    """Write the live generation's pending record (see the module's docstring); the seconds it
    took, 0 when there was nothing to write."""
    started = time.perf_counter()
    index_path = Path(config.index_path)
    with writer_lock(index_path):
        gen = live_path(index_path).resolve()
        manifest = read_manifest(gen)
        if manifest.get("record") != PENDING:
            return 0.0
        names = list(manifest.get("segments", []))
    done = dict(zip(names, _write_all(str(gen), names, workers)))
    with writer_lock(index_path):
        if live_path(index_path).resolve() != gen:
            return time.perf_counter() - started  # rebuilt meanwhile: that build writes its own
        manifest = read_manifest(gen)
        segments = []
        for name in manifest.get("segments", []):  # updates made meanwhile: small, written now
            whoosh = done[name] if name in done else write_record(str(gen), name)
            if whoosh is None:
                continue
            gone = set(manifest.get("deleted", {}).get(name, []))
            if gone:
                owner = Segment(gen / MATRIX / name).doc_article
                for doc in np.flatnonzero(np.isin(np.asarray(owner), list(gone))).tolist():
                    whoosh.delete_document(doc)
            segments.append(whoosh)
        writer = whoosh_index.open_dir(str(gen)).writer()
        writer._close_segment()
        writer._commit_toc(segments)
        writer._finish()
        write_manifest(gen, {k: v for k, v in manifest.items() if k != "record"})
    seconds = time.perf_counter() - started
    log.info("index record of %s written in %.1f s", gen.name, seconds)
    return seconds


def _write_all(gen: str, names: list[str], workers: int | None) -> list:
    """The record of each segment, in parallel worker processes when there are several."""
    from .writer import _pool

    workers = min(workers or min(os.cpu_count() or 1, 4), len(names))
    if workers <= 1:
        return [write_record(gen, name) for name in names]
    with _pool(workers) as pool:
        futures = [pool.submit(write_record, gen, name, os.getpid()) for name in names]
        return [f.result() for f in futures]
