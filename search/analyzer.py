"""Chinese text to index terms: jieba words with positions, and the zones they stand in.

``JiebaTokenizer`` segments with jieba and, unlike jieba's bundled ChineseAnalyzer, yields
word *positions* (so phrase queries work) and character offsets. When indexing, the dictionary
words found inside a long word are added at the same position as the word itself, like
synonyms: 「办公室主任」 is found by 「办公室」 and 「主任」, and a phrase query still sees one
token per position. Queries use jieba's precise mode.

A document is analysed once (``prepare``): its parts — title, heading, body … — become one
token list in which every word carries the weight of the zone it stands in (a heading word
counts more than a body word). Whoosh's posting weights and the ranking matrix
(search.matrix) are both made from that one list; the Whoosh tokenizer replays it instead of
running jieba a second time.
"""
from __future__ import annotations

import hashlib
import logging
import math
import mmap
import os
import re
import shutil
import threading
from array import array
from functools import lru_cache
from pathlib import Path

import jieba
from whoosh.analysis import Token, Tokenizer

from .folding import fold

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")
ANALYZER_VERSION = "6"
ZONE_GAP = 8  # positions left empty between zones: a phrase never spans title and heading
_lock = threading.Lock()
_CACHE_LIMIT = 400_000  # distinct raw words (and short texts) remembered per segmenter
_SHORT = 40  # characters: texts this short (titles, headings, queries) are remembered whole


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


def dictionary_words(dictionary: tuple[str, ...]) -> list[str]:
    """The words of dictionary entries (without their frequencies)."""
    return [entry.partition(" ")[0].strip() for entry in dictionary if entry.strip()]


def tables_folder() -> Path:
    """Where jieba's tables are kept for every process of this machine (the user's cache, as
    jieba's own cache and the default index folder are)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "office-kb"


class Frequencies:
    """jieba's prefix dictionary — every word and every prefix of a word, with its frequency —
    as files mapped into memory: a trie of the words (marisa-trie) and their counts by the trie's
    key ids. Loading jieba's own took 0.7–1.5 s and ~140 MB in every process (a dict of 500,000
    Python strings); mapped, it is ~3 MB of pages that every process on the machine shares, ready
    at once. jieba reads it with ``in``, ``[]`` and ``get``, each one call into C here, and
    ``MappedTokenizer`` reads the trie directly, so segmenting is as fast as over jieba's dict
    and gives the same words (tests/search/test_analyzer.py)."""

    __slots__ = ("_trie", "_counts", "_map", "_folder", "_tags", "_tag_names")
    TRIE, COUNTS, TOTAL = "words.marisa", "counts.u32", "total.txt"
    TAGS, TAG_NAMES = "tags.u8", "tags.txt"  # jieba's part of speech of a word, by key id (see ``tag``)

    def __init__(self, folder: Path):
        import marisa_trie

        self._trie = marisa_trie.Trie()
        self._trie.mmap(str(folder / self.TRIE))
        with open(folder / self.COUNTS, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self._counts = memoryview(self._map).cast("I")
        self._folder, self._tags, self._tag_names = folder, None, ()

    def tag(self, word: str) -> str | None:
        """jieba's part of speech of ``word`` (n, v, vn, …; None for a word its dictionary does
        not tag). jieba.posseg keeps them as a dict of 350,000 strings, and makes two of them
        (one at import): ~150 MB that each server worker built on its first search (search.coverage
        asks), where this is one byte per word, mapped and shared by every process."""
        if self._tags is None:
            self._open_tags()
        key = self._trie.get(word)
        code = self._tags[key] if key is not None else 0
        return self._tag_names[code] if code else None

    def _open_tags(self) -> None:
        folder = self._folder
        try:
            if not (folder / self.TAG_NAMES).is_file():  # tables kept before the tags were
                self.write_tags(self._trie, folder)
            with open(folder / self.TAGS, "rb") as fh:
                tags = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            names = (folder / self.TAG_NAMES).read_text(encoding="utf-8").split()
        except OSError as exc:  # a folder that cannot be written to: this process's own copy
            log.warning("jieba's tags not kept in %s (%s): this process makes its own", folder, exc)
            codes, names = self._read_tags(self._trie)
            tags = bytes(codes)
        self._tag_names = ("", *names)
        self._tags = memoryview(tags)

    @staticmethod
    def _read_tags(trie) -> tuple[bytearray, list[str]]:
        """The tags of jieba's own dictionary file (``word count tag`` per line) by ``trie``'s key
        ids (one byte each, 0 for none), and the tags' names by code − 1."""
        names: dict[str, int] = {}
        codes = bytearray(len(trie))
        with jieba.get_dict_file() as fh:
            for raw in fh:
                parts = raw.decode("utf-8").split()
                if len(parts) == 3:
                    key = trie.get(parts[0])
                    if key is not None:
                        codes[key] = names.setdefault(parts[2], len(names) + 1)
        return codes, list(names)

    @classmethod
    def write_tags(cls, trie, folder: Path) -> None:
        """Keep the tags in ``folder``, each file written under another name and renamed, names
        last (what ``_open_tags`` looks for)."""
        codes, names = cls._read_tags(trie)
        suffix = f".{os.getpid()}.{threading.get_ident()}"
        for name, data in ((cls.TAGS, bytes(codes)), (cls.TAG_NAMES, "\n".join(names).encode("utf-8"))):
            tmp = folder / (name + suffix)
            tmp.write_bytes(data)
            os.replace(tmp, folder / name)

    def get(self, word, default=None):
        key = self._trie.get(word)
        return default if key is None else self._counts[key]

    def __contains__(self, word) -> bool:
        return word in self._trie

    def __getitem__(self, word):
        return self._counts[self._trie[word]]

    @classmethod
    def write(cls, freq: dict, total: int, folder: Path) -> None:
        """Keep ``freq`` (jieba's ``FREQ``) in ``folder``, made under another name and renamed
        into place: processes that make it at once keep one."""
        import marisa_trie

        trie = marisa_trie.Trie(freq.keys())
        counts = array("I", bytes(4 * len(trie)))
        for word, count in freq.items():
            counts[trie[word]] = count
        tmp = folder.with_name(f"{folder.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.mkdir(parents=True, exist_ok=True)
        trie.save(str(tmp / cls.TRIE))
        (tmp / cls.COUNTS).write_bytes(counts.tobytes())
        cls.write_tags(trie, tmp)
        (tmp / cls.TOTAL).write_text(str(total), encoding="ascii")
        try:
            os.rename(tmp, folder)
        except OSError:  # another process kept it first
            shutil.rmtree(tmp, ignore_errors=True)


class _Dag(dict):
    """jieba's DAG (start -> the ends of the words starting there) with the log frequency of each
    of those words, found at the same time (``MappedTokenizer.calc`` would look them up again)."""

    __slots__ = ("logs",)


class MappedTokenizer(jieba.Tokenizer):
    """jieba's tokenizer over the mapped tables (``Frequencies``), finding the words that start
    at each character with one call into the trie instead of a Python call per prefix and length
    (jieba's ``get_DAG`` and ``calc``, written for a dict, cost 1.5× over the mapped tables what
    they cost over jieba's dict: 10 million calls of ``__contains__``, ``__getitem__`` and ``get``
    in a cProfile of a 1,000-article build). Making the index documents of 300 articles now
    takes 2.2–2.5 s of CPU instead of 2.8–3.0, cutting the same words (tests/search/
    test_analyzer.py compares them with jieba's own over its dict). The route's scores are the
    same floating-point sums in the same order, so ties break alike."""

    def get_DAG(self, sentence):
        freq = self.FREQ
        if not isinstance(freq, Frequencies):
            return super().get_DAG(sentence)
        prefixes, counts, log = freq._trie.iter_prefixes_with_ids, freq._counts, math.log
        dag, logs = _Dag(), {}
        for k in range(len(sentence)):
            ends, weights = [], []
            for word, key in prefixes(sentence[k:]):  # prefixes of words count 0: not words
                count = counts[key]
                if count:
                    ends.append(k + len(word) - 1)
                    weights.append(log(count))
            if ends:
                dag[k], logs[k] = ends, weights
            else:  # jieba's own: the character alone, counted as 1
                dag[k], logs[k] = [k], [0.0]
        dag.logs = logs
        return dag

    def calc(self, sentence, DAG, route):
        if not isinstance(DAG, _Dag):
            return super().calc(sentence, DAG, route)
        N = len(sentence)
        route[N] = (0, 0)
        logtotal = math.log(self.total)
        logs = DAG.logs
        for idx in range(N - 1, -1, -1):
            ends = DAG[idx]
            if len(ends) == 1:
                x = ends[0]
                route[idx] = (logs[idx][0] - logtotal + route[x + 1][0], x)
                continue
            best = None
            for x, weight in zip(ends, logs[idx]):  # jieba's max(): the first of equal (score, end)
                candidate = (weight - logtotal + route[x + 1][0], x)
                if best is None or candidate > best:
                    best = candidate
            route[idx] = best


def _own_tokenizer(dictionary: tuple[str, ...]) -> jieba.Tokenizer:
    """jieba's tokenizer with its own dictionary in this process, and the domain's words."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for entry in dictionary:
        word, _, freq = entry.partition(" ")
        tokenizer.add_word(word.strip(), int(freq) if freq.strip().isdigit() else None)
    return tokenizer


def _shared_tokenizer(dictionary: tuple[str, ...]) -> jieba.Tokenizer:
    """A jieba tokenizer of the domain dictionary over the machine's mapped tables (the first
    process to need them builds jieba's dictionary the usual way and keeps it); one with its own
    dictionary when the tables cannot be kept or read."""
    key = hashlib.sha1("\x00".join([jieba.__version__, *dictionary]).encode()).hexdigest()[:16]
    folder = tables_folder() / f"jieba-{key}"
    if not (folder / Frequencies.TOTAL).is_file():
        own = _own_tokenizer(dictionary)
        try:
            Frequencies.write(own.FREQ, own.total, folder)
        except (OSError, ImportError) as exc:
            log.warning("jieba's tables not kept in %s (%s): each process loads its own", folder, exc)
            return own
    try:
        freq, total = Frequencies(folder), int((folder / Frequencies.TOTAL).read_text(encoding="ascii"))
    except (OSError, ValueError, ImportError) as exc:
        log.warning("cannot map jieba's tables in %s (%s): this process loads its own", folder, exc)
        return _own_tokenizer(dictionary)
    shared = MappedTokenizer()
    shared.FREQ, shared.total, shared.initialized = freq, total, True
    return shared


class Segmenter:
    """A private jieba tokenizer with the domain dictionary, and what it learnt about words.

    jieba yields the same few thousand words over and over; what we make of a raw word (its
    normalised form, whether it is a stop word or punctuation, its sub-words) is computed once.
    """

    def __init__(self, dictionary: tuple[str, ...]):
        self.jieba = _shared_tokenizer(dictionary)
        self._known: dict[str, tuple[str, tuple[tuple[str, int], ...]] | None] = {}
        self._short: dict[str, list] = {}
        self._tags: dict | None = None

    def word(self, raw: str):
        """(term, sub-words with offsets) for a raw jieba word; None for punctuation and stop words."""
        try:
            return self._known[raw]
        except KeyError:
            pass
        low = raw.lower().strip()
        info = None
        if low and low not in stopwords() and any(ch.isalnum() for ch in low):
            info = (low, tuple(self._subwords(low)) if len(low) > 2 else ())
        if len(self._known) > _CACHE_LIMIT:
            self._known.clear()
        self._known[raw] = info
        return info

    def _subwords(self, word: str):
        """Dictionary words of two or three characters inside ``word`` (jieba's search mode,
        but kept at the word's position)."""
        seen, stops, freq = {word}, stopwords(), self.jieba.FREQ
        for n in (2, 3):
            for i in range(len(word) - n + 1):
                gram = word[i : i + n]
                if gram not in seen and freq.get(gram) and gram not in stops:
                    seen.add(gram)
                    yield gram, i

    def frequency(self, word: str) -> tuple[int, int]:
        """(the word's frequency in jieba's dictionary, the dictionary's total): how common a word
        is in general Chinese (search.coverage). A word jieba made up (HMM: 「前要」 of 开会前要)
        counts as its commonest character, so a bad cut is not taken for a rare topic."""
        freq, total = self.jieba.FREQ, self.jieba.total
        if freq.get(word):
            return freq[word], total
        chars = [c for c in word if c.isalnum() and c not in stopwords()]
        return max((freq.get(c, 0) for c in chars), default=0), total

    def tag(self, word: str) -> str | None:
        """The word's part of speech in jieba's dictionary (n, v, vn, …), None for a word it has
        none for (the domain dictionary's words, words it made up)."""
        freq = self.jieba.FREQ
        if isinstance(freq, Frequencies):
            return freq.tag(word)
        if self._tags is None:  # jieba's own tables (they could not be mapped): its own tags
            import jieba.posseg

            self._tags = jieba.posseg.dt.word_tag_tab
        return self._tags.get(word)

    def words(self, text: str) -> list:
        """(term, start, end, sub-words) of each word of ``text`` in precise mode, without stop
        words; the text is folded to simplified characters first (search.folding), offsets stay
        right. Short texts are remembered: an article's title is segmented for every section."""
        if len(text) <= _SHORT:
            found = self._short.get(text)
            if found is None:
                found = self._short[text] = self._words(text)
                if len(self._short) > _CACHE_LIMIT:
                    self._short.clear()
            return found
        return self._words(text)

    def _words(self, text: str) -> list:
        out = []
        for raw, start, end in self.jieba.tokenize(fold(text), mode="default", HMM=True):
            info = self.word(raw)
            if info is not None:
                out.append((info[0], start, end, info[1]))
        return out


_segmenters: dict[tuple[str, ...], Segmenter] = {}


def segmenter(dictionary: tuple[str, ...]) -> Segmenter:
    """The segmenter of a dictionary, made once per process (jieba's tables are mapped, see
    ``Frequencies``); threads that ask at the same moment wait for the first one's."""
    found = _segmenters.get(dictionary)
    if found is None:
        with _lock:
            found = _segmenters.get(dictionary)
            if found is None:
                found = _segmenters[dictionary] = Segmenter(dictionary)
    return found


def fingerprint(dictionary: tuple[str, ...]) -> str:
    """Changes whenever indexed tokens could change: a stale index is then rebuilt."""
    parts = [ANALYZER_VERSION, jieba.__version__, "\n".join(sorted(stopwords())), "\n".join(dictionary)]
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:16]


class Exact(str):
    """A zone's text that is index terms as they are, separated by spaces, all at one position:
    the forms of a document number (search.documents), which jieba would cut into 办发 / 2024 / 12."""


class Prepared(str):
    """A document's text with its tokens already made: ``tokens`` is a list of
    (term, position, weight, in_head). Whoosh's tokenizer replays them; the matrix reads them."""

    tokens: list[tuple[str, int, float, bool]]
    length: int  # number of tokens, as Whoosh counts a field's length
    head: list[str]  # the words of the document's head (a section's heading, an article's title)


def prepare(parts: list[tuple[str, float, bool]], dictionary: tuple[str, ...]) -> Prepared:
    """Analyse the zones of one document, each (text, weight, is the document's head), in order."""
    seg = segmenter(dictionary)
    tokens: list[tuple[str, int, float, bool]] = []
    append = tokens.append
    pos = 0
    head_words: list[str] = []
    for text, weight, head in parts:
        if not text:
            continue
        if isinstance(text, Exact):
            tokens += [(term, pos, weight, head) for term in text.split()]
            pos += 1 + ZONE_GAP
            continue
        for term, _start, _end, subs in seg.words(text):
            append((term, pos, weight, head))
            for sub, _offset in subs:
                append((sub, pos, weight, head))
            pos += 1
            if head:
                head_words.append(term)
        pos += ZONE_GAP
    value = Prepared("\n".join(text for text, *_ in parts if text))
    value.tokens = tokens
    value.length = len(tokens)
    value.head = head_words
    return value


class JiebaTokenizer(Tokenizer):
    """The Whoosh tokenizer of the ``content`` field: replays a ``Prepared`` document, or
    segments plain text (queries in precise mode; documents with sub-words)."""

    def __init__(self, dictionary: tuple[str, ...] = ()):
        self.dictionary = tuple(dictionary)

    def __eq__(self, other):
        return type(other) is type(self) and other.dictionary == self.dictionary

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.stopped = False
        if isinstance(value, Prepared) and mode != "query":
            for term, pos, weight, _head in value.tokens:
                token.text, token.boost = term, weight
                if positions:
                    token.pos = start_pos + pos
                yield token
            return
        pos = start_pos
        for term, start, end, subs in segmenter(self.dictionary).words(value):
            yield self._emit(token, term, pos, start, end, positions, chars, start_char, keeporiginal, value)
            if mode != "query":
                for sub, offset in subs:
                    yield self._emit(token, sub, pos, start + offset, start + offset + len(sub),
                                     positions, chars, start_char, keeporiginal, value)
            pos += 1

    @staticmethod
    def _emit(token, text, pos, start, end, positions, chars, start_char, keeporiginal, value):
        token.text = text
        token.boost = 1.0
        if keeporiginal:
            token.original = value[start:end]
        if positions:
            token.pos = pos
        if chars:
            token.startchar = start_char + start
            token.endchar = start_char + end
        return token


def subwords(word: str, dictionary: tuple[str, ...] = ()) -> list[str]:
    """The dictionary words inside ``word`` (「公文处理」 -> 公文, 处理)."""
    return [w for w, _ in segmenter(dictionary)._subwords(word)]


def chinese_analyzer(dictionary: tuple[str, ...] = ()) -> JiebaTokenizer:
    return JiebaTokenizer(dictionary)


# a verb and its object with an aspect or a measure word between them: 开完会, 请个假, 见过面, 出了差
_SEPARATED = re.compile(r"([\u4e00-\u9fff])(?:完了|完|了|过|个)([\u4e00-\u9fff])")
_NOT_A_VERB = frozenset("一二三四五六七八九十几两这那每哪某各整半")  # 一个人, 这个事: a number, not a verb


def separated_words(text: str, dictionary: tuple[str, ...] = ()) -> list[str]:
    """The words ``text`` says split in two (离合词): 「开完会还要干啥」 says 开会, which jieba
    cuts 开 / 完 / 会 (and 会 alone is a stop word), so the query never looked for 开会 or its
    synonyms. A verb-object word of jieba's dictionary with 完, 了, 过 or 个 inside."""
    freq = segmenter(dictionary).jieba.FREQ
    out = []
    for m in _SEPARATED.finditer(fold(text)):
        word = m.group(1) + m.group(2)
        if m.group(1) not in _NOT_A_VERB and freq.get(word) and word not in out:
            out.append(word)
    return out


def query_words(text: str, dictionary: tuple[str, ...] = ()) -> list[str]:
    """The words of a query as the index sees them (precise mode, no stop words)."""
    return [term for term, *_ in segmenter(dictionary).words(text)]
