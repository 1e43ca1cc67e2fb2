"""Suggestions while typing: article titles, section headings and tags that contain the input."""
from __future__ import annotations

from dataclasses import dataclass

from kb.article import article_url


@dataclass(frozen=True)
class Suggestion:
    label: str
    kind: str  # "title", "heading" or "tag"
    url: str
    context: str = ""  # the article a heading belongs to

    def to_json(self) -> dict:
        return {"label": self.label, "kind": self.kind, "url": self.url, "context": self.context}


def build_entries(stored_docs) -> list[Suggestion]:
    """Entries from the stored fields of every index document (done once per index version)."""
    entries: list[Suggestion] = []
    tags: set[str] = set()
    for f in stored_docs:
        if f["kind"] == "article":
            entries.append(Suggestion(f["article_title"], "title", article_url(f["slug"])))
            tags.update(t for t in f.get("tag", "").split(",") if t)
        elif f.get("section"):
            entries.append(Suggestion(f["section"], "heading", article_url(f["slug"], f["anchor"]), f["article_title"]))
    entries += [Suggestion(t, "tag", f"/search?tag={t}") for t in sorted(tags)]
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
