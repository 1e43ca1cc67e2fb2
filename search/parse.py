"""The forgiving query language staff type into the search box.

    保密 会议            plain words: a result needs any of them; more matched words rank higher
    "请示汇报"           an exact phrase, required (quotes may be “ ” too; an open quote runs to the end)
    -值班                leave out results containing the word or -"a phrase"
    保密 OR 会议         OR is accepted and means what plain words mean anyway
    type:清单 tag:保密 category:办公室综合   filters (also 类型: 标签: 分类:, and every other
                         filter the field registry declares, kb.fields)
    状态:全部 status:all  a choice field named with 全部 (all) is not filtered: every value, where
                         the application would otherwise leave some out (repealed articles)

Nothing here can fail: any text, however odd, parses into something.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.fields import registry

MAX_QUERY_CHARS = 500
EVERY = ("全部", "all")  # a choice filter's value for every value
_QUOTES = str.maketrans({"“": '"', "”": '"', "＂": '"', "「": '"', "」": '"', "：": ":", "－": "-"})
_TOKEN = re.compile(r'(-?)(?:([^\s:"]+):)?("([^"]*)"?|[^\s"]+)')


@dataclass
class ParsedQuery:
    text: str
    words: list[str] = field(default_factory=list)  # free text chunks, as typed
    phrases: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)  # field name -> values, any of which
    every: set[str] = field(default_factory=set)  # fields asked for with 全部: every value

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.filters or self.every)

    def add_filter(self, name: str, value: str) -> None:
        """Filter by the registry's field ``name`` (a choice given by its label is its key);
        ``全部`` (all) for a choice field asks for every value."""
        if name in registry():
            f = registry()[name]
            if f.kind == "choice" and value.strip().lower() in EVERY:
                self.every.add(name)
                return
            value = f.normalize(value)
        values = self.filters.setdefault(name, [])
        if value not in values:
            values.append(value)


def parse_query(text: str) -> ParsedQuery:
    text = (text or "")[:MAX_QUERY_CHARS]
    parsed = ParsedQuery(text=text)
    for m in _TOKEN.finditer(text.translate(_QUOTES)):
        negate, name, raw, quoted = m.group(1), m.group(2), m.group(3), m.group(4)
        by = registry().by_filter(name) if name else None
        if by is not None and not negate:
            value = (quoted if quoted is not None else raw).strip()
            if value:
                parsed.add_filter(by.name, value)
            continue
        if name:  # "http://…" or "a:b": not a filter, keep the words
            raw = f"{name}:{raw}"
        value = (quoted if quoted is not None else raw).strip()
        if not value or value in ("OR", "|", "AND", "&&", "||"):
            continue
        if negate:
            parsed.excludes.append(value)
        elif quoted is not None:
            parsed.phrases.append(value)
        else:
            parsed.words.append(value)
    return parsed
