"""Snippets with the matched words in <mark>.

Matching is done on the stored text by plain (case-insensitive) substring search for the
query's words, not through the index's tokens: in Chinese a word the user typed can sit inside
a longer word of the text, and must be marked there too. Everything is HTML-escaped.
"""
from __future__ import annotations

import html
import re


def _pattern(terms: list[str]) -> re.Pattern | None:
    terms = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def mark(text: str, terms: list[str]) -> str:
    """Escape ``text`` and wrap every occurrence of the terms in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return html.escape(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(html.escape(text[last : m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def best_window(text: str, terms: list[str], width: int = 120) -> tuple[int, int]:
    """The stretch of ``text`` of about ``width`` characters holding the most distinct terms."""
    text_len = len(text)
    if text_len <= width:
        return 0, text_len
    pattern = _pattern(terms)
    hits = [(m.start(), m.group(0).lower()) for m in pattern.finditer(text)] if pattern else []
    if not hits:
        return 0, width
    best, best_score = hits[0][0], -1
    for i, (start, _) in enumerate(hits):
        seen = {w for s, w in hits[i:] if s < start + width}
        score = len(seen) * 100 + sum(1 for s, _ in hits[i:] if s < start + width)
        if score > best_score:
            best, best_score = start, score
    begin = max(0, best - width // 5)
    # start at a sentence or clause boundary when one is near
    for j in range(begin, best):
        if text[j] in "。；！？\n":
            begin = j + 1
            break
    return begin, min(text_len, begin + width)


def snippet(text: str, terms: list[str], width: int = 120) -> str:
    text = " ".join(text.split())
    start, end = best_window(text, terms, width)
    body = mark(text[start:end], terms)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
