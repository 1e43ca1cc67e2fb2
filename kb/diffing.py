"""A readable difference between two versions of an article, word by word.

Line diffs are useless for Chinese prose: a paragraph is one line, so changing one word marks
the whole paragraph. Here lines are matched first (difflib), and inside each changed block
the words are compared: jieba's words for Chinese (a private tokenizer, as search keeps its
own), runs of letters and digits for the rest. So 「保密」→「机密」 shows as one replaced word,
not as a replaced paragraph, and not as a scatter of single characters either.
"""
from __future__ import annotations

import difflib
import re
import threading
from dataclasses import dataclass

_tokenizer = None
_tokenizer_lock = threading.Lock()
_PIECES = re.compile(r"[A-Za-z0-9_]+|\s+|[\u3400-\u9fff\uf900-\ufaff]+|.", re.S)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CONTEXT = 2  # unchanged lines shown around a change


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


def _words(text: str) -> list[str]:
    global _tokenizer
    out: list[str] = []
    for piece in _PIECES.findall(text):
        if _HAN.match(piece) and len(piece) > 1:
            with _tokenizer_lock:
                if _tokenizer is None:
                    import logging

                    import jieba

                    jieba.setLogLevel(logging.WARNING)
                    _tokenizer = jieba.Tokenizer()
                out.extend(_tokenizer.lcut(piece, HMM=False))
        else:
            out.append(piece)
    return out


def _inline(old: str, new: str) -> tuple[Piece, ...]:
    a, b = _words(old), _words(new)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("ins", "".join(b[j1:j2])))
    return tuple(pieces)


def compare(old: str, new: str) -> list[Row]:
    """Rows of the comparison of ``old`` and ``new``, unchanged stretches cut to ``CONTEXT``."""
    a, b = old.split("\n"), new.split("\n")
    rows: list[Row] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
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
                pieces = _inline(left, right)
            rows.append(Row("change", pieces, i1 + k + 1 if left is not None else None,
                            j1 + k + 1 if right is not None else None))
    return _fold(rows)


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


def counts(rows: list[Row]) -> tuple[int, int]:
    """(characters removed, characters added), for the summary line."""
    removed = sum(len(p.text) for r in rows for p in r.pieces if p.kind == "del")
    added = sum(len(p.text) for r in rows for p in r.pieces if p.kind == "ins")
    return removed, added
