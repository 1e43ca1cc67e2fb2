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
#: Pages under an article's address (web/urls.py; a test keeps the list whole). A section's
#: address is ``/a/<slug>/<anchor>``, so no heading takes one of these as its anchor.
SUBPAGES = frozenset({"edit", "history", "diff", "revert", "relink", "delete", "review", "files", "draft", "confirm",
                      "feedback"})


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


@dataclass(slots=True)
class Section:
    """A part of an article that starts at a heading (or the lead text before the first heading).
    Slotted: a site keeps every article's sections in memory (100,000 of them at 10,000 articles),
    each without an attribute dict."""

    heading: str  # heading text without Markdown markup; "" for the lead
    anchor: str  # HTML id of the heading; "" for the lead
    level: int  # 2..6 for headings, 1 for the lead
    path: tuple[str, ...]  # headings of the parent sections, outermost first
    text: str  # the section's own Markdown, up to the next heading of any level
    line: int  # 1-based line of the heading in the file


@dataclass(slots=True)
class Article:
    """One content file as the site publishes it. ``meta`` holds the value of every field of
    the registry (kb.fields), read and checked, a field left out holding its default or its
    empty value; the fields every part of the site uses have properties below."""

    path: Path
    rel_path: str  # path relative to the content folder, with forward slashes
    meta: dict
    body: str
    body_line: int  # 1-based file line where the body starts
    sections: list[Section] = field(default_factory=list)
    digest: str = ""  # hash of the file's bytes, for incremental indexing
    size: int = 0  # bytes in the file
    links: frozenset[str] = frozenset()  # what its internal links point at: slugs or file paths
    media: frozenset[str] = frozenset()  # the site's images and files it shows or links (/media/<name>)
    defaults: dict[str, str] = field(default_factory=dict)  # field -> the default chosen for it, in words
    lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> its line in the file, for messages
    summary_leads: bool = False  # the summary is the start of the body's first paragraph (show it once)

    slug = property(lambda self: self.meta["slug"])
    title = property(lambda self: self.meta["title"])
    type = property(lambda self: self.meta["type"])
    category = property(lambda self: self.meta["category"])
    summary = property(lambda self: self.meta["summary"])
    tags = property(lambda self: self.meta.get("tags", []))
    source = property(lambda self: self.meta.get("source", ""))
    source_url = property(lambda self: self.meta.get("source_url", ""))
    author = property(lambda self: self.meta.get("author", ""))
    published = property(lambda self: self.meta.get("published"))
    updated = property(lambda self: self.meta.get("updated"))
    aliases = property(lambda self: self.meta.get("aliases", []))

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
