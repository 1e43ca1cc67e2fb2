"""The forgiving query language staff type into the search box.

    保密 会议            plain words: a result needs any of them; more matched words rank higher
    "请示汇报"           an exact phrase, required (quotes may be “ ” too; an open quote runs to the end)
    -值班                leave out results containing the word or -"a phrase"
    保密 OR 会议         OR is accepted and means what plain words mean anyway
    type:清单 tag:保密 category:办公室综合   filters (also 类型: 标签: 分类:)

Nothing here can fail: any text, however odd, parses into something.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.article import normalize_type

MAX_QUERY_CHARS = 500
FILTER_NAMES = {"type": "type", "类型": "type", "tag": "tag", "标签": "tag", "category": "category", "分类": "category"}
_QUOTES = str.maketrans({"“": '"', "”": '"', "＂": '"', "「": '"', "」": '"', "：": ":", "－": "-"})
_TOKEN = re.compile(r'(-?)(?:([^\s:"]+):)?("([^"]*)"?|[^\s"]+)')


@dataclass
class ParsedQuery:
    text: str
    words: list[str] = field(default_factory=list)  # free text chunks, as typed
    phrases: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.filters)

    def add_filter(self, name: str, value: str) -> None:
        if name == "type":
            value = normalize_type(value) or value
        values = self.filters.setdefault(name, [])
        if value not in values:
            values.append(value)


def parse_query(text: str) -> ParsedQuery:
    text = (text or "")[:MAX_QUERY_CHARS]
    parsed = ParsedQuery(text=text)
    for m in _TOKEN.finditer(text.translate(_QUOTES)):
        negate, name, raw, quoted = m.group(1), m.group(2), m.group(3), m.group(4)
        if name and name.lower() in FILTER_NAMES and not negate:
            value = (quoted if quoted is not None else raw).strip()
            if value:
                parsed.add_filter(FILTER_NAMES[name.lower()], value)
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
