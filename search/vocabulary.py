"""The index's vocabulary: which words it has, how common they are, and which contain a fragment.

This is the fallback for words jieba segments differently in the query than in the text:
「克思主」 or 「55」 are no words of the index, but they sit inside 「马克思主义」 and 「5555555」,
which are. Looking the fragment up in the vocabulary (one string search over all words) and
searching for the words that contain it finds them, ranked below whole-word matches, at a tiny
cost compared with indexing every pair of characters of the corpus.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from .matrix import Matrix


class Vocabulary:
    def __init__(self, matrix: Matrix):
        self._matrix = matrix
        self._joined: str | None = None
        self._starts: list[int] = []
        self._list: list[str] = []

    def known(self, word: str) -> bool:
        return self._matrix.known(word)

    def frequency(self, word: str) -> int:
        """How many documents contain ``word`` (an estimate while deletions are pending)."""
        return self._matrix.vocabulary.get(word, 0)

    @property
    def words(self) -> dict[str, int]:
        return self._matrix.vocabulary

    def _index(self) -> str:
        if self._joined is None:
            self._list = sorted(self.words)
            starts, pos = [], 0
            for w in self._list:
                starts.append(pos)
                pos += len(w) + 1
            self._starts = starts
            self._joined = "\n".join(self._list)
        return self._joined

    def containing(self, fragment: str, limit: int = 20) -> list[str]:
        """Index words that contain ``fragment``, most common first."""
        fragment = fragment.lower().strip()
        if not fragment or "\n" in fragment:
            return []
        joined, words = self._index(), self.words
        found: set[str] = set()
        for m in re.finditer(re.escape(fragment), joined):
            found.add(self._list[bisect_right(self._starts, m.start()) - 1])
        found.discard(fragment)
        return sorted(found, key=lambda w: (-words[w], len(w), w))[:limit]
