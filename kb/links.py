"""Internal links between articles: finding them in Markdown and telling them from external ones.

Editors write ``slug``, ``slug#anchor``, ``path/to/file.md#anchor`` or ``#anchor``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from .scan import text_lines

_LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.\-]*:|//|/)", re.I)


@dataclass(frozen=True)
class InternalLink:
    target: str  # slug or relative file path ("" for a link within the same article)
    anchor: str
    is_path: bool


def parse(href: str) -> InternalLink | None:
    """Return the internal link ``href`` stands for, or None for an external or absolute URL."""
    href = unquote(href.strip())
    if not href or _EXTERNAL.match(href):
        return None
    target, _, anchor = href.partition("#")
    return InternalLink(target, anchor, target.endswith(".md") or "/" in target)


def iter_links(body: str):
    """Yield (line_offset, href) for every inline Markdown link outside code."""
    for i, line in text_lines(body):
        line = re.sub(r"`[^`]*`", "", line)
        for m in _LINK.finditer(line):
            yield i, m.group(1)


_CITATION = re.compile(r"[（(]\s*(?:\[[^\]]*\]\((?![a-z][a-z0-9+.\-]*:|//|/)[^)]*\)[、，,\s]*)+[)）]", re.I)


def strip_citations(body: str) -> str:
    """Remove parenthesised links to other articles, as checklist items carry them:
    「…不自作主张（[请示汇报原则](office-service-work#请示汇报原则)）」. They cite where an item
    comes from; indexed, they would make every checklist outrank the guideline it cites."""
    return _CITATION.sub("", body)
