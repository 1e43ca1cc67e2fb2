"""「您是不是要找」: correcting homophone typos (办工室 → 办公室, 保秘 → 保密).

Chinese typos from pinyin input methods are mostly words with the same sound. Every word
of the index vocabulary gets a key (its toneless pinyin); a query word that is not in the
vocabulary but shares its key with a word that is gets that word suggested. No offline
spelling-correction package exists for Chinese that runs without a model hub; this is cheap.
"""
from __future__ import annotations

from collections import defaultdict

from pypinyin import lazy_pinyin


def _key(word: str) -> str:
    return " ".join(lazy_pinyin(word))


def _has_cjk(word: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in word)


class Speller:
    def __init__(self, vocabulary: dict[str, int]):
        """``vocabulary``: word -> how many documents contain it."""
        self.vocabulary = vocabulary
        self._by_key: dict[str, str] = {}
        best: dict[str, int] = defaultdict(int)
        for word, freq in vocabulary.items():
            if len(word) < 2 or not _has_cjk(word):
                continue
            key = _key(word)
            if freq > best[key]:
                best[key], self._by_key[key] = freq, word

    def correct(self, words: list[str]) -> list[str] | None:
        """The words with typos replaced, or None when nothing needed correcting."""
        fixed, changed = [], False
        for word in words:
            if word in self.vocabulary or not _has_cjk(word):
                fixed.append(word)
                continue
            better = self._by_key.get(_key(word))
            fixed.append(better or word)
            changed |= better is not None
        return fixed if changed else None
