"""Splitting an article body into sections, and the stable anchors of their headings.

An anchor depends only on its own heading's words: leading outline numbers (一、 （一） 1、)
are dropped, so renumbering sections never breaks a link; an explicit ``{#id}`` wins.
"""
from __future__ import annotations

import re
import unicodedata

from .article import SUBPAGES, Section
from .scan import text_lines

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_EXPLICIT_ID = re.compile(r"\s*\{[^{}]*#([\w\-]+)[^{}]*\}\s*$")
_ORDINAL = re.compile(
    r"""^\s*(?:
        [（(]\s*[一二三四五六七八九十百零〇\d]+\s*[)）]\s*[、.．:：]?   # （一） (1)
      | [一二三四五六七八九十百零〇]+\s*[、.．:：]                    # 一、
      | \d+(?:\.\d+)*\s*[、.．:：)）]                               # 1、 1. 1.2. 1)
      | 第[一二三四五六七八九十百零〇\d]+[章节条部分篇][、.．:：]?     # 第一章
    )\s*""",
    re.VERBOSE,
)
_INLINE_MARKUP = re.compile(r"[*_`~]|!?\[([^\]]*)\]\([^)]*\)")

#: Ids the site's pages give their own elements (web/templates; a test keeps the list whole).
#: A heading never takes one — 「## Main」 is #main-2 — or it would capture the skip link or
#: an element the page's script looks up. Ids made by the page's scripts, and the form's
#: per-field ids (``field:status``), contain a colon, which no anchor can.
RESERVED_IDS = frozenset({
    "a-z", "add-group", "add-h", "add-partner", "add-partner-help", "add-pin-h", "add-word", "as-of-day",
    "attachments", "attachments-h", "body", "by-category", "by-tag", "by-type", "categories", "category", "cats-h",
    "comment", "confirm", "confirm-h", "edit-h", "edit-pins-h", "err-q", "feed-h", "feedback", "feedback-h",
    "feedback-note", "file", "files", "folder", "folder-help", "folder-list", "folders-h", "followed-h", "front-matter", "group-names",
    "groups-h", "header-q", "kb-groups", "link-files", "link-urls", "main", "md-help-h", "message", "name", "new-email",
    "new-group", "new-groups", "new-name", "new-password", "new-role", "pane-preview", "pane-write", "password",
    "path", "path-articles", "path-items-h", "path-slug", "path-slug-help", "path-summary", "path-title", "paths-h",
    "pin-query", "pin-target", "pin-target-help", "pins-h", "pins-message", "pins-text", "publish-message", "q",
    "reason", "recent-h", "reconfirm", "related-h", "remind-h", "removed-q", "replaced-by", "replaced-help",
    "revert-message", "revert-reconfirm", "search-q", "sent-h", "slug", "slug-help", "suggested-h", "summary",
    "tab-preview", "tab-write", "tags", "text", "title", "to-read-h", "toc-h", "top-h", "type", "types-h",
    "unopened-h", "updates-h", "user-names", "weeks-h", "zero-h",
})


def heading_text(raw: str) -> str:
    """Plain text of a Markdown heading: no explicit id, no emphasis or link markup."""
    raw = _EXPLICIT_ID.sub("", raw)
    return _INLINE_MARKUP.sub(lambda m: m.group(1) or "", raw).strip()


def without_ordinal(text: str) -> str:
    """A heading without its leading outline number: 「（四）安全保密原则」 → 「安全保密原则」."""
    return _ORDINAL.sub("", text, count=1) or text


def slugify(text: str) -> str:
    """Readable Unicode anchor: Chinese kept, ASCII lower-cased, punctuation dropped."""
    text = without_ordinal(text)
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    text = re.sub(r"[\s_]+", "-", text.strip())
    return re.sub(r"-{2,}", "-", text).strip("-") or "section"


def _anchor(raw_heading: str, used: set[str]) -> str:
    explicit = _EXPLICIT_ID.search(raw_heading)
    base = explicit.group(1) if explicit else slugify(heading_text(raw_heading))
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


def iter_headings(body: str):
    """Yield (line_index, level, raw_heading) for ATX headings outside fenced code."""
    for i, line in text_lines(body):
        m = _HEADING.match(line)
        if m:
            yield i, len(m.group(1)), m.group(2)


def split_sections(body: str, body_line: int = 1) -> list[Section]:
    """Cut the body at every heading. The lead text before the first heading is a section
    with an empty heading and anchor, kept only when it has text."""
    lines = body.split("\n")
    headings = list(iter_headings(body))
    sections: list[Section] = []
    lead_end = headings[0][0] if headings else len(lines)
    lead = "\n".join(lines[:lead_end]).strip()
    if lead:
        sections.append(Section("", "", 1, (), lead, body_line))
    used: set[str] = set(RESERVED_IDS | SUBPAGES)
    stack: list[tuple[int, str]] = []  # (level, heading) of open parents
    for n, (i, level, raw) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(lines)
        while stack and stack[-1][0] >= level:
            stack.pop()
        text = heading_text(raw)
        sections.append(
            Section(
                heading=text,
                anchor=_anchor(raw, used),
                level=level,
                path=tuple(h for _, h in stack),
                text="\n".join(lines[i + 1 : end]).strip(),
                line=body_line + i,
            )
        )
        stack.append((level, text))
    return sections
