"""The domain's plain data: articles, their sections, and the problems found in files."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

#: The five kinds of article, English key -> Chinese label. Front matter may use either.
TYPES: dict[str, str] = {
    "principle": "原则",
    "rule": "制度",
    "procedure": "流程",
    "checklist": "清单",
    "guide": "指南",
}
TYPE_BY_LABEL: dict[str, str] = {label: key for key, label in TYPES.items()}

#: The permanent address of an article; onboarding documents rely on it.
ARTICLE_URL = "/a/{slug}"


def article_url(slug: str, anchor: str | None = None) -> str:
    url = ARTICLE_URL.format(slug=slug)
    return f"{url}#{anchor}" if anchor else url


def normalize_type(value: object) -> str | None:
    """Return the English key for a type given in English or Chinese, or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value.lower() in TYPES:
        return value.lower()
    return TYPE_BY_LABEL.get(value)


#: How bad a Problem is, worst first, with its Chinese label. An error keeps the file off the
#: site (and fails `kb check`); a warning is shown; a note says which default was chosen.
SEVERITIES = ("error", "warning", "note")
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "note": "说明"}


@dataclass(frozen=True)
class Problem:
    """Something wrong with a content file, as shown to editors by `kb check` and the web."""

    path: str
    message: str
    line: int | None = None
    severity: str = "error"  # one of SEVERITIES

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {SEVERITY_LABELS[self.severity]}: {self.message}"


@dataclass
class Section:
    """A part of an article that starts at a heading (or the lead text before the first heading)."""

    heading: str  # heading text without Markdown markup; "" for the lead
    anchor: str  # HTML id of the heading; "" for the lead
    level: int  # 2..6 for headings, 1 for the lead
    path: tuple[str, ...]  # headings of the parent sections, outermost first
    text: str  # the section's own Markdown, up to the next heading of any level
    line: int  # 1-based line of the heading in the file


@dataclass
class Article:
    path: Path
    rel_path: str  # path relative to the content folder, with forward slashes
    slug: str
    title: str
    type: str
    category: str
    summary: str
    body: str
    body_line: int  # 1-based file line where the body starts
    tags: list[str] = field(default_factory=list)
    source: str = ""
    source_url: str = ""
    author: str = ""
    published: dt.date | None = None
    updated: dt.date | None = None
    aliases: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    digest: str = ""  # hash of the file's bytes, for incremental indexing
    size: int = 0  # bytes in the file
    links: frozenset[str] = frozenset()  # what its internal links point at: slugs or file paths
    defaults: dict[str, str] = field(default_factory=dict)  # field -> the default chosen for it, in words
    summary_leads: bool = False  # the summary is the start of the body's first paragraph (show it once)

    @property
    def url(self) -> str:
        return article_url(self.slug)

    @property
    def type_label(self) -> str:
        return TYPES[self.type]

    def section(self, anchor: str) -> Section | None:
        return next((s for s in self.sections if s.anchor == anchor), None)

    @property
    def anchors(self) -> set[str]:
        return {s.anchor for s in self.sections if s.anchor}

    @property
    def light(self) -> bool:
        """Loaded without its text (ContentStore(light=True)): ``ContentStore.full`` has it."""
        return not self.body and self.size > 0

    def without_text(self) -> "Article":
        """A copy holding everything but the text of the body and its sections: what lists,
        links and tables of contents need, at a fraction of the memory."""
        from dataclasses import replace

        return replace(self, body="", sections=[replace(s, text="") for s in self.sections])
