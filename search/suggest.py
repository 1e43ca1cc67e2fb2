"""Suggestions while typing: article titles, section headings and tags that contain the input."""
from __future__ import annotations

from dataclasses import dataclass

from urllib.parse import quote

from kb.article import article_url


@dataclass(frozen=True)
class Suggestion:
    label: str
    kind: str  # "title", "heading" or "tag"
    url: str
    context: str = ""  # the article a heading belongs to

    def to_json(self) -> dict:
        return {"label": self.label, "kind": self.kind, "url": self.url, "context": self.context}


def build_entries(articles) -> list[Suggestion]:
    """Entries for the titles, headings and tags of ``articles`` (kb Articles)."""
    entries: list[Suggestion] = []
    tags: set[str] = set()
    for a in articles:
        entries.append(Suggestion(a.title, "title", article_url(a.slug)))
        entries += [Suggestion(s.heading, "heading", article_url(a.slug, s.anchor), a.title) for s in a.sections if s.anchor]
        tags.update(a.tags)
    entries += [Suggestion(t, "tag", f"/search?tag={quote(t)}") for t in sorted(tags)]
    return entries


def suggest(entries: list[Suggestion], text: str, limit: int = 8) -> list[Suggestion]:
    text = text.strip().lower()
    if not text:
        return []
    rank = {"tag": 0, "title": 1, "heading": 2}
    found = [e for e in entries if text in e.label.lower()]
    found.sort(key=lambda e: (not e.label.lower().startswith(text), rank[e.kind], len(e.label)))
    seen, out = set(), []
    for e in found:
        if (e.label, e.kind) not in seen:
            seen.add((e.label, e.kind))
            out.append(e)
        if len(out) == limit:
            break
    return out
