"""Whoosh analyzers for Chinese text.

``JiebaTokenizer`` segments with jieba and, unlike jieba's bundled ChineseAnalyzer, yields
word *positions* (so phrase queries work) and character offsets (so highlighting works).
When indexing, the dictionary words found inside a long word are added at the same position
as the word itself, like synonyms: 「办公室主任」 is found by 「办公室」 and 「主任」, and a
phrase query still sees one token per position. Queries use jieba's precise mode.

Words jieba splits differently in a query than in the text are found through the index's
vocabulary (search.vocabulary), not by indexing character pairs.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba
from whoosh.analysis import Token, Tokenizer

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")
_lock = threading.Lock()


def _read_words(path: Path) -> tuple[str, ...]:
    if not path.is_file():
        return ()
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line)
    return tuple(words)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_read_words(STOPWORDS_FILE))


def read_dictionary(path: Path | None) -> tuple[str, ...]:
    """Domain words, one per line, optionally followed by a frequency."""
    return _read_words(Path(path)) if path else ()


@lru_cache(maxsize=4)
def segmenter(dictionary: tuple[str, ...]) -> jieba.Tokenizer:
    """A jieba tokenizer with the domain dictionary added (shared per dictionary)."""
    with _lock:
        tk = jieba.Tokenizer()
        tk.initialize()
        for entry in dictionary:
            word, _, freq = entry.partition(" ")
            tk.add_word(word.strip(), int(freq) if freq.strip().isdigit() else None)
        return tk


def fingerprint(dictionary: tuple[str, ...]) -> str:
    """Changes whenever indexed tokens could change: a stale index is then rebuilt."""
    parts = [ANALYZER_VERSION, jieba.__version__, "\n".join(sorted(stopwords())), "\n".join(dictionary)]
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:16]


ANALYZER_VERSION = "3"


def _normalize(text: str) -> str:
    # NFKC folds full-width letters and digits (ＡＢＣ１２３) to ASCII; lengths stay the same for
    # CJK text, and offsets are only used on the stored original where lengths agree.
    return unicodedata.normalize("NFKC", text) if not text.isascii() else text


def _is_word(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class JiebaTokenizer(Tokenizer):
    """jieba segmentation with proper positions; search-mode sub-words when indexing."""

    def __init__(self, dictionary: tuple[str, ...] = ()):
        self.dictionary = tuple(dictionary)

    def __eq__(self, other):
        return type(other) is type(self) and other.dictionary == self.dictionary

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        tk = segmenter(self.dictionary)
        stops = stopwords() if removestops else frozenset()
        normalized = _normalize(value)
        text = normalized if len(normalized) == len(value) else value
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for word, start, end in tk.tokenize(text, mode="default", HMM=True):
            low = word.lower().strip()
            if not low or not _is_word(low) or low in stops:
                continue
            yield from self._emit(token, low, pos, start, end, positions, chars, start_char, keeporiginal, value)
            if mode != "query" and len(low) > 2:
                for sub, offset in self._subwords(tk, low):
                    yield from self._emit(token, sub, pos, start + offset, start + offset + len(sub),
                                          positions, chars, start_char, keeporiginal, value)
            pos += 1

    @staticmethod
    def _subwords(tk: jieba.Tokenizer, word: str):
        """Dictionary words inside ``word`` (jieba's search mode, but kept at the word's position)."""
        seen, stops = {word}, stopwords()
        for n in (2, 3):
            if len(word) <= n:
                continue
            for i in range(len(word) - n + 1):
                gram = word[i : i + n]
                if gram not in seen and tk.FREQ.get(gram) and gram not in stops:
                    seen.add(gram)
                    yield gram, i

    @staticmethod
    def _emit(token, text, pos, start, end, positions, chars, start_char, keeporiginal, value):
        token.text = text
        token.stopped = False
        token.boost = 1.0
        if keeporiginal:
            token.original = value[start:end]
        if positions:
            token.pos = pos
        if chars:
            token.startchar = start_char + start
            token.endchar = start_char + end
        yield token


def subwords(word: str, dictionary: tuple[str, ...] = ()) -> list[str]:
    """The dictionary words inside ``word`` (「公文处理」 -> 公文, 处理)."""
    return [w for w, _ in JiebaTokenizer._subwords(segmenter(dictionary), word)]


def chinese_analyzer(dictionary: tuple[str, ...] = ()) -> JiebaTokenizer:
    return JiebaTokenizer(dictionary)


def query_words(text: str, dictionary: tuple[str, ...] = ()) -> list[str]:
    """The words of a query as the index sees them (precise mode, no stop words)."""
    return [t.text for t in JiebaTokenizer(dictionary)(text, mode="query")]
