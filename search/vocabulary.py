"""The index's vocabulary: which words it has, how common they are, and which contain a fragment.

This is the fallback for words jieba segments differently in the query than in the text:
「克思主」 or 「55」 are no words of the index, but they sit inside 「马克思主义」 and 「5555555」,
which are. Looking the fragment up in the vocabulary (one string search over all words) and
searching for the words that contain it finds them, ranked below whole-word matches, at a tiny
cost compared with indexing every pair of characters of the corpus.
"""
from __future__ import annotations

import re

FIELDS = ("content",)


class Vocabulary:
    def __init__(self, reader):
        self._reader = reader
        self._words: dict[str, int] | None = None
        self._joined = ""
        self._starts: list[int] = []
        self._list: list[str] = []

    def known(self, word: str) -> bool:
        return self.frequency(word) > 0

    def frequency(self, word: str) -> int:
        """How many documents contain ``word``."""
        return max(self._reader.doc_frequency(f, word) for f in FIELDS)

    @property
    def words(self) -> dict[str, int]:
        """word -> number of documents containing it (read once per index version, on demand)."""
        if self._words is None:
            words: dict[str, int] = {}
            for field in FIELDS:
                for term in self._reader.lexicon(field):
                    word = term.decode("utf-8") if isinstance(term, bytes) else term
                    words[word] = max(words.get(word, 0), self._reader.doc_frequency(field, word))
            self._words = words
            self._list = sorted(words)
            self._joined = "\n".join(self._list)
            starts, pos = [], 0
            for w in self._list:
                starts.append(pos)
                pos += len(w) + 1
            self._starts = starts
        return self._words

    def containing(self, fragment: str, limit: int = 20) -> list[str]:
        """Index words that contain ``fragment``, most common first."""
        fragment = fragment.lower().strip()
        if not fragment or "\n" in fragment:
            return []
        words = self.words
        found: set[str] = set()
        from bisect import bisect_right

        for m in re.finditer(re.escape(fragment), self._joined):
            i = bisect_right(self._starts, m.start()) - 1
            found.add(self._list[i])
        found.discard(fragment)
        return sorted(found, key=lambda w: (-words[w], len(w), w))[:limit]
