"""The index's vocabulary: which words it has, how common they are, and which contain a fragment.

This is the fallback for words jieba segments differently in the query than in the text:
「克思主」 or 「55」 are no words of the index, but they sit inside 「马克思主义」 and 「5555555」,
which are. Looking the fragment up in the vocabulary (one string search over each segment's
words, search.matrix) and searching for the words that contain it finds them, ranked below
whole-word matches, at a tiny cost compared with indexing every pair of characters.
"""
from __future__ import annotations

from .matrix import Matrix


class Vocabulary:
    def __init__(self, matrix: Matrix):
        self._matrix = matrix

    def known(self, word: str) -> bool:
        return self._matrix.known(word)

    def frequency(self, word: str) -> int:
        """How many documents contain ``word`` (an estimate while deletions are pending)."""
        return self._matrix.frequency(word)

    def containing(self, fragment: str, limit: int = 20) -> list[str]:
        """Index words that contain ``fragment``, most common first."""
        fragment = fragment.lower().strip()
        if not fragment or "\n" in fragment:
            return []
        found = self._matrix.containing(fragment)
        return sorted(found, key=lambda w: (-self._matrix.frequency(w), len(w), w))[:limit]
