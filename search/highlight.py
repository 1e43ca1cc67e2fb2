"""Snippets with the matched words in <mark>.

Matching is done on the stored text by plain (case-insensitive) substring search for the
query's words, not through the index's tokens: in Chinese a word the user typed can sit inside
a longer word of the text, and must be marked there too. Text and words are compared folded to
simplified characters (search.folding keeps lengths), and the text is shown as written: 「保密」
marks 保密 in 辦公室保密原則. Everything is HTML-escaped.

The work is linear in the text and bounded: one regular-expression pass finds the matches
(at most ``MAX_MATCHES`` are looked at), and a sliding window over them picks the stretch with
the most distinct words — a 210 KB section of one repeated word takes milliseconds, not the
33 s the old quadratic choice took.
"""
from __future__ import annotations

import html
import re
from collections import defaultdict
from functools import lru_cache
from itertools import islice

from .folding import fold

MAX_MATCHES = 5000
_ENDS = "。；！？：，、…）)」”》.;!?:,"


def _pattern(terms: list[str]) -> re.Pattern | None:
    return _compiled(tuple(terms))


@lru_cache(maxsize=512)
def _compiled(terms: tuple[str, ...]) -> re.Pattern | None:
    """The pattern of a result page's words, made once for all its snippets."""
    terms = [t for t in terms if t and t.strip() and "\n" not in t]
    # folded in one call: OpenCC costs tens of microseconds a call, whatever the length
    terms = sorted(set(fold("\n".join(terms)).split("\n")) if terms else (), key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def mark(text: str, terms: list[str], folded: str | None = None) -> str:
    """Escape ``text`` and wrap every occurrence of the terms in <mark>. ``folded``: the text
    folded (search.folding), when the caller has it."""
    pattern = _pattern(terms)
    if pattern is None:
        return html.escape(text)
    out, last = [], 0
    for m in pattern.finditer(fold(text) if folded is None else folded):
        out.append(html.escape(text[last : m.start()]))
        out.append(f"<mark>{html.escape(text[m.start() : m.end()])}</mark>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def best_window(text: str, terms: list[str], width: int = 120) -> tuple[int, int]:
    """The stretch of ``text`` (folded) of about ``width`` characters holding the most distinct
    terms (then the most matches), found by one pass of a sliding window."""
    text_len = len(text)
    if text_len <= width:
        return 0, text_len
    pattern = _pattern(terms)
    hits = [(m.start(), m.group(0).lower()) for m in islice(pattern.finditer(text), MAX_MATCHES)] if pattern else []
    if not hits:
        return 0, width
    counts: dict[str, int] = defaultdict(int)
    best, best_score, right = hits[0][0], -1, 0
    for start, word in hits:
        while right < len(hits) and hits[right][0] < start + width:
            counts[hits[right][1]] += 1
            right += 1
        score = sum(1 for c in counts.values() if c) * 100 + sum(counts.values())
        if score > best_score:
            best, best_score = start, score
        counts[word] -= 1
    begin = max(0, best - width // 5)
    # start at a sentence or clause boundary when one is near
    for j in range(begin, best):
        if text[j] in "。；！？\n":
            begin = j + 1
            break
    return begin, min(text_len, begin + width)


def flatten(text: str) -> str:
    """One line of text: lines that end without punctuation (list and checklist items) are
    kept apart by 「；」, others simply joined."""
    out: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        if out and out[-1][-1] not in _ENDS:
            out.append("；" if not (out[-1][-1].isascii() and line[0].isascii()) else " ")
        out.append(line)
    return "".join(out)


def snippet(text: str, terms: list[str], width: int = 120, written_as_is: bool = False) -> str:
    """The best stretch of ``text`` with the terms marked. ``written_as_is``: the text needs no
    folding (the index knows which texts are in simplified characters already)."""
    text = flatten(text)
    folded = text if written_as_is else fold(text)
    start, end = best_window(folded, terms, width)
    body = mark(text[start:end], terms, folded[start:end])
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
