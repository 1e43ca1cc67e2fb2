"""The synonyms file editors keep, ``content/_synonyms.txt``: one group of words per line that
staff use for the same thing (``会议 开会 办会 会务``), words separated by spaces, commas or 、,
``#`` starting a comment. This module knows the format — lines, groups, adding a word — and
which words the query log suggests adding; how search reads and checks the words is
search.synonyms, reached through the search interface.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

FILE = "_synonyms.txt"
#: Words in one group. Every word of a group is looked up for each of the others: one group of
#: 2,763 common words took searches at 2,500 articles from 2 ms to a median of 382 ms (issue 16).
#: The check (search.synonyms) refuses a longer group; one written by hand is read up to this many.
MAX_GROUP = 20
SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True)
class Group:
    """One line of the file that has words (as written), with its 1-based line number."""

    line: int
    words: tuple[str, ...]

    @property
    def label(self) -> str:
        return " ".join(self.words)


def parse(text: str) -> list[Group]:
    """The lines that are not blank or comments; a line of separators only is an empty group."""
    groups = []
    for n, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0]
        if body.strip():
            groups.append(Group(n, tuple(w for w in SEPARATORS.split(body) if w)))
    return groups


def add_word(text: str, word: str, line: int | None = None, partner: str = "") -> str:
    """``text`` with ``word`` added to the group on ``line``, or — without a line — a new group
    ``partner word`` at the end. Raises ValueError for a line that is not a group."""
    word, partner = word.strip(), partner.strip()
    if not word or SEPARATORS.search(word):
        raise ValueError("同义词要写一个词：不能空着，也不能有空格、逗号或顿号")
    if line is None and (not partner or SEPARATORS.search(partner)):
        raise ValueError("新的一组要有两个词：请填写和它意思相同的另一个词")
    lines = text.splitlines()
    if line is not None:
        if not any(g.line == line for g in parse(text)):
            raise ValueError(f"第 {line} 行不是一组同义词")
        body, sep, comment = lines[line - 1].partition("#")
        lines[line - 1] = f"{body.rstrip()} {word}" + (f"  {sep}{comment}" if sep else "")
    else:
        lines.append(f"{partner} {word}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Candidate:
    """A word staff typed that found nothing, and where it might go: into ``group``, or into
    a new group with ``partner``."""

    word: str
    group: Group | None
    partner: str
    times: int


def candidates(pairs: Iterable, text: str, words: Callable[[str], list[str]], limit: int = 20) -> list[Candidate]:
    """Synonyms the query log suggests. ``pairs`` (kb.analytics_report.Pair): a query that found
    nothing, then a query whose result was opened; ``words``: how search splits a query into
    the words it looks up (the search interface's ``words``). A typed word joins the group of
    a word of the query that worked, or starts a group with it when that query is one word;
    words already in a group are not suggested again."""
    index: dict[str, Group] = {}
    for group in parse(text):
        for w in group.words:
            looked_up = words(w)
            if len(looked_up) == 1:
                index.setdefault(looked_up[0], group)
    out: dict[str, Candidate] = {}
    for pair in pairs:
        typed = words(pair.typed)
        if pair.typed in out or not typed or any(w in index for w in typed) or " " in pair.typed.strip():
            continue
        then = words(pair.then)
        group = next((index[w] for w in then if w in index), None)
        if group is None and len(then) != 1:
            continue
        out[pair.typed] = Candidate(pair.typed, group, then[0] if group is None else "", pair.times)
    return sorted(out.values(), key=lambda c: -c.times)[:limit]
