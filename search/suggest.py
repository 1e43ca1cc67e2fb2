"""Suggestions while typing: the titles, section headings and tags of the index that contain
the input — or whose pinyin or initials start with it (baomi, bmgz → 保密工作清单).

Entries are made from the index (search.matrix), once per segment: an edit makes a few new
entries, not all of them again.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from kb.article import article_url

from . import pinyin
from .folding import fold
from .matrix import KIND_ARTICLE, Matrix, Segment
from .results import Suggestion

RANK = {"tag": 0, "title": 1, "heading": 2}


@dataclass(frozen=True)
class _Entry:
    suggestion: Suggestion
    text: str  # the label folded and lower-cased
    sound: str  # its pinyin
    initials: str


def _segment_entries(seg: Segment) -> list[tuple[int, _Entry]]:
    """(document, entry) for the title of each article and the heading of each section."""
    if seg.entries is None:
        entries = []
        for doc, (key, heading, heads) in enumerate(zip(seg.keys, seg.sections, seg.heads_pinyin)):
            article = seg.articles[int(seg.doc_article[doc])]
            slug, _, anchor = key.partition("#")
            if int(seg.doc_kind[doc]) == KIND_ARTICLE:
                found = Suggestion(article["title"], "title", article.get("url") or article_url(slug))
            elif heading:
                found = Suggestion(heading, "heading", article_url(slug, anchor), article["title"])
            else:
                continue
            sound, _, initials = heads.partition(" ")
            entries.append((doc, _Entry(found, fold(found.label).lower(), sound, initials)))
        seg.entries = entries
    return seg.entries


def _tag_entries(matrix: Matrix) -> list[_Entry]:
    tags = sorted({t for a, live in zip(matrix.articles, matrix.article_live) if live for t in a.get("tags") or []})
    return [_Entry(Suggestion(t, "tag", f"/search?tag={quote(t)}"), fold(t).lower(),
                   pinyin.key(t) if pinyin.has_cjk(t) else "", pinyin.initials(t) if pinyin.has_cjk(t) else "")
            for t in tags]


def _matches(entry: _Entry, text: str, latin: bool) -> bool:
    return text in entry.text or latin and (entry.sound.startswith(text) or entry.initials.startswith(text))


def suggest(matrix: Matrix, text: str, limit: int = 8) -> list[Suggestion]:
    text = fold(text.strip()).lower()
    if not text:
        return []
    latin = text.isascii() and text.isalpha()
    found: list[_Entry] = [e for e in _tag_entries(matrix) if _matches(e, text, latin)]
    for seg, offset in zip(matrix.segments, matrix.offsets):
        live = matrix.live
        found += [e for doc, e in _segment_entries(seg) if live[offset + doc] and _matches(e, text, latin)]
    found.sort(key=lambda e: (not (e.text.startswith(text) or latin and e.sound.startswith(text)),
                              RANK[e.suggestion.kind], len(e.suggestion.label)))
    seen, out = set(), []
    for e in found:
        if (e.suggestion.label, e.suggestion.kind) not in seen:
            seen.add((e.suggestion.label, e.suggestion.kind))
            out.append(e.suggestion)
        if len(out) == limit:
            break
    return out
