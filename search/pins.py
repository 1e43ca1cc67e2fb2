"""Best bets in search: the pins editors keep in ``content/_pins.txt`` (kb.pins), matched to a
query by what it means rather than how it is written.

Two queries mean the same when they look up the same words once folded (traditional to
simplified, case), segmented (stop words and word order left out) and each word taken for its
synonyms group (content/_synonyms.txt): a pin for 「会议纪要怎么写」 answers 「怎么写會議紀要」 and,
with 会议 开会 in one group, 「开会纪要怎么写」. The file is read again whenever it changes, in
every worker, without re-indexing (as the synonyms are). A pinned target the reader may not see,
or that the query's filters leave out, is not shown: the engine checks it as it checks any result.
"""
from __future__ import annotations

from pathlib import Path

from kb.article import Problem
from kb.pins import FILE, Pin, parse

from .analyzer import query_words
from .parse import parse_query
from .synonyms import file_stamp


def meaning(text: str, dictionary: tuple[str, ...], synonyms=None) -> tuple[str, ...]:
    """What a query looks up, as a key: its words, each as its synonyms group (the group's
    first word in sort order), without repeats, in sort order."""
    parsed = parse_query(text)
    words = [w for chunk in parsed.words + parsed.phrases for w in query_words(chunk, dictionary)]
    keys = {min([w, *(synonyms.of(w) if synonyms else [])]) for w in words}
    return tuple(sorted(keys))


class Pins:
    """The pins file as search reads it: reloaded when its stamp changes."""

    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self._stamp = None
        self._pins: list[Pin] = []
        self._keys: dict = {}

    def version(self):
        """The file's stamp, after taking up any change (results cached before are stale)."""
        stamp = file_stamp(self.path)
        if stamp != self._stamp:
            try:
                text = self.path.read_text(encoding="utf-8") if stamp else ""
            except (OSError, UnicodeDecodeError):
                text = ""
            self._pins, self._keys, self._stamp = parse(text)[0], {}, stamp
        return stamp

    def for_query(self, text: str, dictionary: tuple[str, ...], synonyms=None) -> list[Pin]:
        """The pins whose query means what ``text`` means, in the file's order."""
        self.version()
        if not self._pins:
            return []
        version = (dictionary, synonyms.version() if synonyms else None)
        if self._keys.get("version") != version:
            self._keys = {"version": version,
                          "pins": [(meaning(p.query, dictionary, synonyms), p) for p in self._pins]}
        key = meaning(text, dictionary, synonyms)
        return [p for k, p in self._keys["pins"] if k and k == key]


def check(text: str, words) -> list[Problem]:
    """What is wrong with ``text`` as the pins file, line by line, as search reads it: lines
    that cannot be read (errors), and queries search looks nothing up by (warnings). ``words``
    is the engine's ``words``. Targets are checked against the articles by kb.pins.check_targets."""
    pins, problems = parse(text)
    for pin in pins:
        if not words(pin.query):
            problems.append(Problem(FILE, f"“{pin.query}”全是搜索时忽略的常用词，这一条不会起作用", pin.line, "warning"))
    return problems


def first(pinned: list, hits: list) -> list:
    """``pinned`` hits (each ``pinned``), then the other ``hits`` without the articles pinned."""
    slugs = {h.slug for h in pinned}
    for h in pinned:
        h.pinned = True
    return pinned + [h for h in hits if h.slug not in slugs]
