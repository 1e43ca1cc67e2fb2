"""A readable difference between two versions of an article, word by word, in bounded time.

Line diffs are useless for Chinese prose: a paragraph is one line, so changing one word marks
the whole paragraph. Here lines are matched first, and inside each changed block the words
are compared: jieba's words for Chinese (a private tokenizer, as search keeps its own), runs of
letters and digits for the rest. So 「保密」→「机密」 shows as one replaced word, not as a
replaced paragraph, and not as a scatter of single characters either.

Bounded (issue 16): difflib's SequenceMatcher is quadratic on a long paragraph of repeated
words — 5.3 s at 45 KB, over 300 s at 880 KB — and the page is open to anyone. Both levels
now use diff-match-patch's Myers diff (O(N·D): fast when the versions differ by little) on
lines and words mapped to single characters, under one deadline: ``MAX_CHARS`` per version
and ``SECONDS`` for the whole comparison. Past either the answer is ``too_long`` (「内容太长，
无法逐词比较」), never a wrong diff. Repeated comparisons of the same two texts come from a
small cache, and at most ``AT_ONCE`` run at a time in a process, so a crowd asking for costly
diffs cannot take every CPU from searches.
"""
from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

_tokenizer = None
_tokenizer_lock = threading.Lock()
_PIECES = re.compile(r"[A-Za-z0-9_]+|\s+|[\u3400-\u9fff\uf900-\ufaff]+|.", re.S)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CONTEXT = 2  # unchanged lines shown around a change
MAX_CHARS = 200_000  # characters per version (the largest article allowed is 1 MB)
SECONDS = 1.0  # for one whole comparison
AT_ONCE = 1  # comparisons computed at the same time in one process (a search shares the GIL with it)
CACHED = 64  # comparisons kept
ALIKE = 0.5  # share of words two lines must have in common to be compared word by word
TOO_LONG = "内容太长，无法逐词比较"

_slots = threading.BoundedSemaphore(AT_ONCE)
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "del", "ins"
    text: str


@dataclass(frozen=True)
class Row:
    """One line of the comparison: unchanged, or changed with its words marked; or a gap."""

    kind: str  # "same", "change", "gap"
    pieces: tuple[Piece, ...] = ()
    old_line: int | None = None
    new_line: int | None = None


@dataclass(frozen=True)
class Comparison:
    """The rows of a comparison, or why there are none (``too_long``: the versions are over
    ``MAX_CHARS``, or comparing them ran out of ``SECONDS``, or the site is busy comparing)."""

    rows: tuple[Row, ...] = ()
    too_long: str = ""
    removed: int = 0
    added: int = 0


class _OutOfTime(Exception):
    pass


def _jieba():
    """The private tokenizer, loaded once (half a second or more: before a comparison's
    deadline starts, not inside it)."""
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
    return _tokenizer


def _words(text: str) -> list[str]:
    out: list[str] = []
    for piece in _PIECES.findall(text):
        if _HAN.match(piece) and len(piece) > 1:
            out.extend(_jieba().lcut(piece, HMM=False))
        else:
            out.append(piece)
    return out


def _opcodes(a: list[str], b: list[str], deadline: float) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes ("equal" or "replace", i1, i2, j1, j2) of two token lists, by
    diff-match-patch on the tokens mapped to one character each. Raises _OutOfTime."""
    codes: dict[str, str] = {}

    def encode(tokens: list[str]) -> str:
        return "".join(codes.setdefault(t, chr(len(codes) + 1)) for t in tokens)

    x, y = encode(a), encode(b)
    engine = diff_match_patch()
    engine.Diff_Timeout = 0  # no half-match heuristic (quadratic on repeated words); the deadline bounds it
    diffs = engine.diff_main(x, y, checklines=False, deadline=deadline)
    if time.time() > deadline:
        raise _OutOfTime
    out, i, j = [], 0, 0
    for op, text in diffs:
        n = len(text)
        if op == 0:
            out.append(("equal", i, i + n, j, j + n))
            i, j = i + n, j + n
            continue
        if not out or out[-1][0] == "equal":
            out.append(("replace", i, i, j, j))
        _, i1, i2, j1, j2 = out[-1]
        if op < 0:
            out[-1] = ("replace", i1, i2 + n, j1, j2)
            i += n
        else:
            out[-1] = ("replace", i1, i2, j1, j2 + n)
            j += n
    return out


def _alike(a: list[str], b: list[str]) -> bool:
    """The two lines share at least ``ALIKE`` of their words (counted with repeats): an edit
    of one line, not a paragraph rewritten. Comparing rewritten paragraphs word by word costs
    Myers' diff the most and shows nothing better than the old paragraph and the new one."""
    shared = sum((Counter(a) & Counter(b)).values())
    return 2 * shared >= ALIKE * (len(a) + len(b))


def _inline(old: str, new: str, deadline: float) -> tuple[Piece, ...]:
    a, b = _words(old), _words(new)
    if time.time() > deadline:
        raise _OutOfTime
    if not _alike(a, b):
        return (Piece("del", old), Piece("ins", new))
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in _opcodes(a, b, deadline):
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("ins", "".join(b[j1:j2])))
    return tuple(pieces)


def _rows(old: str, new: str, deadline: float) -> list[Row]:
    a, b = old.split("\n"), new.split("\n")
    rows: list[Row] = []
    for op, i1, i2, j1, j2 in _opcodes(a, b, deadline):
        if op == "equal":
            rows += [Row("same", (Piece("same", a[i1 + k]),), i1 + k + 1, j1 + k + 1) for k in range(i2 - i1)]
            continue
        # a changed block: pair its lines, compare each pair word by word
        for k in range(max(i2 - i1, j2 - j1)):
            left = a[i1 + k] if i1 + k < i2 else None
            right = b[j1 + k] if j1 + k < j2 else None
            if left is None:
                pieces: tuple[Piece, ...] = (Piece("ins", right),)
            elif right is None:
                pieces = (Piece("del", left),)
            else:
                pieces = _inline(left, right, deadline)
            rows.append(Row("change", pieces, i1 + k + 1 if left is not None else None,
                            j1 + k + 1 if right is not None else None))
    return _fold(rows)


def compare(old: str, new: str, seconds: float = SECONDS) -> Comparison:
    """The comparison of ``old`` and ``new``, unchanged stretches cut to ``CONTEXT`` lines;
    ``too_long`` when it cannot be done within the limits (see the module's docstring)."""
    if max(len(old), len(new)) > MAX_CHARS:
        return Comparison(too_long=TOO_LONG)
    key = hashlib.sha1(f"{len(old)}:{old}\0{new}".encode("utf-8", "surrogatepass")).hexdigest()
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    _jieba()
    if not _slots.acquire(timeout=seconds):  # another is comparing: wait as long as one may take
        return Comparison(too_long=TOO_LONG)
    try:
        rows = _rows(old, new, time.time() + seconds)
        result = Comparison(tuple(rows), "", *counts(rows))
    except _OutOfTime:
        result = Comparison(too_long=TOO_LONG)
    finally:
        _slots.release()
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return result


def _fold(rows: list[Row]) -> list[Row]:
    changed = [i for i, r in enumerate(rows) if r.kind == "change"]
    keep = {j for i in changed for j in range(i - CONTEXT, i + CONTEXT + 1)}
    out: list[Row] = []
    for i, row in enumerate(rows):
        if row.kind == "change" or i in keep:
            out.append(row)
        elif not out or out[-1].kind != "gap":
            out.append(Row("gap"))
    return out


def counts(rows) -> tuple[int, int]:
    """(characters removed, characters added), for the summary line."""
    removed = sum(len(p.text) for r in rows for p in r.pieces if p.kind == "del")
    added = sum(len(p.text) for r in rows for p in r.pieces if p.kind == "ins")
    return removed, added
