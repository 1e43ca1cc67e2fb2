"""Synonyms editors maintain in ``content/_synonyms.txt``: one group of words per line that
staff use for the same thing, e.g. ``会议 开会 办会``. A query word of a group also looks for the
others, weighted below the word itself. Read again whenever the file changes (every worker
process looks at the file's stamp before using it); no re-index.

The file's format is kb.synonyms'; ``check`` lists what is wrong with a text as search would
read it, line by line, before the browser's editor saves it (a word in two groups — also when
written once in traditional and once in simplified characters —, a group of one word, a word
search ignores). A word the search splits into several (保守秘密: 保守 / 秘密) is looked for as
those words side by side (search.plan).
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from kb.article import Problem
from kb.synonyms import FILE, MAX_GROUP, parse

from .folding import fold

log = logging.getLogger(__name__)

WEIGHT = 0.6  # a synonym's match, relative to the word typed
_SYNTAX = re.compile(r'^[-－]|[:："“”]')  # what the query language would read as an operator
LONGEST = 20  # characters: longer "words" are sentences


def key(word: str) -> str:
    """How a word is compared: as the search sees it (simplified, lower case)."""
    return fold(word.strip().lower())


def check(text: str, dictionary: tuple[str, ...] = (), path: str = FILE) -> list[Problem]:
    """What is wrong with ``text`` as a synonyms file, line by line: errors stop a save,
    warnings (「提醒」) do not."""
    from .analyzer import query_words

    problems: list[Problem] = []
    first_seen: dict[str, tuple[int, str]] = {}

    def problem(line: int, message: str, severity: str = "error") -> None:
        problems.append(Problem(path, message, line, severity))

    for group in parse(text):
        if not group.words:
            problem(group.line, "这一行只有分隔符，没有词（空的一组）")
            continue
        distinct = list(dict.fromkeys(key(w) for w in group.words))
        if len(distinct) > MAX_GROUP:
            problem(group.line, f"这一组有 {len(distinct)} 个词，超过了每组 {MAX_GROUP} 个词的上限（组越大，每次搜索越慢）："
                                "请只留下真正同义的词，或者分成意思更窄的几组")
        if len(distinct) < 2:
            problem(group.line, f"这一组只有一个词「{group.words[0]}」：同义词至少要两个词，请补上意思相同的词或删去这一行")
        here: set[str] = set()
        for word in group.words:
            k = key(word)
            if k in here:
                problem(group.line, f"「{word}」在这一行里写了两次", "warning")
                continue
            here.add(k)
            if k in first_seen:
                line, written = first_seen[k]
                same = f"「{word}」" if written == word else f"「{word}」（就是「{written}」，繁简或大小写不同）"
                problem(group.line, f"{same}已经在第 {line} 行的一组里；一个词只能属于一组，要合并就把两行写成一行")
                continue
            first_seen[k] = (group.line, word)
            problems += _word_problems(word, group.line, dictionary, query_words, path)
    return problems


def _word_problems(word: str, line: int, dictionary, query_words, path: str) -> list[Problem]:
    if _SYNTAX.search(word):
        return [Problem(path, f"「{word}」含有搜索语法的符号（开头的 -，或 : 和引号），搜索时不会当作一个词", line)]
    if len(word) > LONGEST:
        return [Problem(path, f"「{word}」太长（{len(word)} 个字）：同义词是词，不是句子", line)]
    words = query_words(word, dictionary)
    if not words:
        return [Problem(path, f"「{word}」是搜索时忽略的常用词（停用词），放在这里不起作用", line, "warning")]
    return []


def file_stamp(path: Path | None):
    """What identifies a file's version: a saved change (a new file renamed over the old one)
    changes it, in every process; None when there is no file."""
    try:
        stat = path.stat()
    except (OSError, AttributeError):
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


class Synonyms:
    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self._stamp = None
        self._groups: dict[str, list[str]] = {}

    def stamp(self):
        return file_stamp(self.path)

    def _reload(self):
        stamp = self.stamp()
        if stamp == self._stamp:
            return stamp
        groups: dict[str, list[str]] = {}
        try:
            parsed = parse(self.path.read_text(encoding="utf-8")) if stamp else []
        except (OSError, UnicodeDecodeError):
            parsed = []
        for group in parsed:
            words = list(dict.fromkeys(key(w) for w in group.words))
            if len(words) > MAX_GROUP:
                log.warning("synonyms: line %d has %d words; only the first %d are used", group.line, len(words),
                            MAX_GROUP)
                words = words[:MAX_GROUP]
            for w in words:
                groups.setdefault(w, [])
                groups[w] += [o for o in words if o != w and o not in groups[w]]
        self._groups, self._stamp = groups, stamp
        return stamp

    def version(self):
        """The file's stamp, after taking up any change (search results cached under an older
        version are stale)."""
        return self._reload()

    def of(self, word: str) -> list[str]:
        self._reload()
        return self._groups.get(word, [])
