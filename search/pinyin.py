"""Pinyin of words, for staff who type with the input method off (baomi, bmgz → 保密工作清单) and
for the homophone slips of an input method (请视汇报 → 请示汇报).

pypinyin reads polyphones by word (银行行长 → yin hang hang zhang), so keys are made from whole
words, never character by character, and remembered: jieba yields the same few thousand words
over and over, and pypinyin takes ~25 µs a word.
"""
from __future__ import annotations

from pypinyin import lazy_pinyin

_syllables: dict[str, tuple[str, ...]] = {}
_CACHE_LIMIT = 500_000


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def syllables(word: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of a word; Latin letters and digits stay as they are."""
    found = _syllables.get(word)
    if found is None:
        found = tuple(s.lower() for s in lazy_pinyin(word) if s.strip())
        if len(_syllables) > _CACHE_LIMIT:
            _syllables.clear()
        _syllables[word] = found
    return found


def key(words: list[str] | tuple[str, ...] | str) -> str:
    """The pinyin of a word (or of words in order), without spaces: 保密 → baomi."""
    words = [words] if isinstance(words, str) else words
    return "".join("".join(syllables(w)) for w in words)


def initials(words: list[str] | tuple[str, ...] | str) -> str:
    """The first letters of the syllables: 保密工作清单 → bmgzqd."""
    words = [words] if isinstance(words, str) else words
    return "".join(s[0] for w in words for s in syllables(w))
