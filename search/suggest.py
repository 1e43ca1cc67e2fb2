"""Suggestions while typing: the titles, section headings and tags of the index that contain
the input — or whose pinyin or initials start with it (baomi, bmgz → 保密工作清单).

Each segment of the index gets a compact lookup once (``Lookup``): its labels joined into one
string searched with one regular expression, and its pinyin keys sorted for a binary search. An
edit makes a lookup for its small segment only; 10,000 articles' 116,000 headings cost a few
megabytes, not the ~90 MB that an object per entry took. The lookup is kept beside its segment
(``suggest.npz``; a segment never changes) once made: at 50,000 articles making them took 16 s of
a restart (folding and sorting 580,000 labels), opening them a fraction of a second.
"""
from __future__ import annotations

import logging
import os
import re
import threading
import zipfile
from bisect import bisect_left, bisect_right
from urllib.parse import quote

import numpy as np

from kb.article import article_url

from . import pinyin
from .folding import fold
from .matrix import KIND_ARTICLE, Matrix, Segment
from .results import Suggestion

log = logging.getLogger(__name__)
RANK = {"tag": 0, "title": 1, "heading": 2}
SCAN = 400  # matches looked at per segment before ranking


class Lookup:
    """The suggestible documents of one segment: article titles and section headings."""

    FILE = "suggest.npz"
    VERSION = 1  # of what FILE holds

    @classmethod
    def of(cls, seg: Segment) -> "Lookup":
        """The segment's lookup: read from beside it, or made and kept there for the next start
        (where the index folder cannot be written to, made each time)."""
        path = seg.folder / cls.FILE
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["version"]) == cls.VERSION:
                    return cls._read(data)
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            pass  # missing, of another version or damaged: made again
        made = cls(seg)
        try:
            made._write(path)
        except OSError as exc:
            log.info("suggestions of %s not kept (%s)", seg.folder, exc)
        return made

    def __init__(self, seg: Segment | None):
        if seg is None:
            return
        docs, labels, sounds = [], [], []
        for doc, (heading, heads) in enumerate(zip(seg.sections, seg.heads_pinyin)):
            if int(seg.doc_kind[doc]) == KIND_ARTICLE:
                label = seg.articles[int(seg.doc_article[doc])]["title"]
            elif heading:
                label = heading
            else:
                continue
            docs.append(doc)
            labels.append(fold(label).lower().replace("\n", " "))
            sounds.append(heads)
        self.docs = np.array(docs, dtype=np.int64)
        self.text = "\n".join(labels)
        self.starts = np.r_[0, np.cumsum([len(x) + 1 for x in labels])[:-1]].astype(np.int64) if labels else np.zeros(0, np.int64)
        full = sorted((s.partition(" ")[0], i) for i, s in enumerate(sounds) if s)
        initials = sorted((s.partition(" ")[2], i) for i, s in enumerate(sounds) if s)
        self.full_keys, self.full_at = [k for k, _ in full], [i for _, i in full]
        self.initial_keys, self.initial_at = [k for k, _ in initials], [i for _, i in initials]

    def _write(self, path) -> None:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.npz")
        np.savez(tmp, version=np.array(self.VERSION), docs=self.docs, starts=self.starts,
                 text=np.array(self.text), full_keys=np.array("\n".join(self.full_keys)),
                 full_at=np.array(self.full_at, dtype=np.int64),
                 initial_keys=np.array("\n".join(self.initial_keys)),
                 initial_at=np.array(self.initial_at, dtype=np.int64))
        os.replace(tmp, path)

    @classmethod
    def _read(cls, data) -> "Lookup":
        made = cls(None)
        made.docs, made.starts, made.text = data["docs"], data["starts"], str(data["text"])
        made.full_keys = str(data["full_keys"]).split("\n") if data["full_at"].size else []
        made.initial_keys = str(data["initial_keys"]).split("\n") if data["initial_at"].size else []
        made.full_at, made.initial_at = data["full_at"].tolist(), data["initial_at"].tolist()
        return made

    def find(self, text: str, latin: bool) -> set[int]:
        """Entries (indices) whose label contains ``text``, or whose pinyin or initials start with it."""
        found: set[int] = set()
        for m in re.finditer(re.escape(text), self.text):
            found.add(int(np.searchsorted(self.starts, m.start(), side="right")) - 1)
            if len(found) >= SCAN:
                break
        if latin:
            for keys, at in ((self.full_keys, self.full_at), (self.initial_keys, self.initial_at)):
                lo = bisect_left(keys, text)
                hi = bisect_right(keys, text + "\uffff", lo)
                found.update(at[lo : min(hi, lo + SCAN)])
        return found

    def label(self, i: int) -> str:
        start = int(self.starts[i])
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)]


def _lookup(seg: Segment) -> Lookup:
    if seg.entries is None:
        seg.entries = Lookup.of(seg)
    return seg.entries


def _suggestion(seg: Segment, doc: int) -> Suggestion:
    slug, _, anchor = seg.keys[doc].partition("#")
    article = seg.articles[int(seg.doc_article[doc])]
    if int(seg.doc_kind[doc]) == KIND_ARTICLE:
        return Suggestion(article["title"], "title", article.get("url") or article_url(slug))
    return Suggestion(seg.sections[doc], "heading", article_url(slug, anchor), article["title"])


def _tag_table(matrix: Matrix) -> list[tuple[str, str, str, str]]:
    """(tag, folded, pinyin, initials) of the live articles' tags, once per index version."""
    if matrix.tag_table is None:
        tags = sorted({t for a, live in zip(matrix.articles, matrix.article_live) if live for t in (a.get("fields") or {}).get("tags") or []})
        matrix.tag_table = [(t, fold(t).lower(), *((pinyin.key(t), pinyin.initials(t)) if pinyin.has_cjk(t) else ("", "")))
                            for t in tags]
    return matrix.tag_table


def _tags(matrix: Matrix, text: str, latin: bool, allowed: np.ndarray | None) -> list[tuple[tuple, Suggestion]]:
    out = []
    table = _tag_table(matrix)
    if allowed is not None:  # only the tags of articles the reader may see
        visible = {t for a, ok in zip(matrix.articles, allowed & matrix.article_live) if ok
                   for t in (a.get("fields") or {}).get("tags") or []}
        table = [row for row in table if row[0] in visible]
    for tag, folded, sound, initials in table:
        if text in folded or latin and sound and (sound.startswith(text) or initials.startswith(text)):
            prefix = folded.startswith(text) or latin and sound.startswith(text)
            out.append(((not prefix, RANK["tag"], len(tag)), Suggestion(tag, "tag", f"/search?tag={quote(tag)}")))
    return out


def suggest(matrix: Matrix, text: str, limit: int = 8, allowed: np.ndarray | None = None) -> list[Suggestion]:
    """Suggestions for ``text``; ``allowed``: per article, whether the reader may see it."""
    text = fold(text.strip()).lower()
    if not text or "\n" in text:
        return []
    latin = text.isascii() and text.isalpha()
    ranked = _tags(matrix, text, latin, allowed)
    for seg, offset in zip(matrix.segments, matrix.offsets):
        lookup = _lookup(seg)
        for i in lookup.find(text, latin):
            doc = int(lookup.docs[i])
            if not matrix.live[offset + doc] or allowed is not None and not allowed[matrix.doc_article[offset + doc]]:
                continue
            found = _suggestion(seg, doc)
            label = lookup.label(i)
            prefix = label.startswith(text) or latin and seg.heads_pinyin[doc].startswith(text)
            ranked.append(((not prefix, RANK[found.kind], len(found.label)), found))
    ranked.sort(key=lambda r: r[0])
    seen, out = set(), []
    for _, found in ranked:
        if (found.label, found.kind) not in seen:
            seen.add((found.label, found.kind))
            out.append(found)
        if len(out) == limit:
            break
    return out
