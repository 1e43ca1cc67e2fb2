"""Section anchors that no longer exist, and who still links to them: what `kb check` lists.

A heading renamed through the site keeps its old anchor as a way in (kb.addresses records
old -> new); a section deleted, or rewritten beyond recognition, leaves an anchor that leads
nowhere. Links from other articles and reading paths to either are found here, so that an
editor can update them — and, for a gone section, knows which onboarding material may point to
it too.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .links import iter_links
from .links import parse as parse_link


@dataclass
class LostAnchor:
    slug: str  # the article
    anchor: str  # the anchor it no longer has
    now: str  # the anchor its section has now; "" when the section is gone
    linked_from: list[str] = field(default_factory=list)  # "file:line" of the links to it

    def __str__(self) -> str:
        where = "、".join(self.linked_from) if self.linked_from else "本站没有链接指向它"
        what = f"改名为 #{self.now}（旧链接仍会到这一节）" if self.now else "已不存在"
        return f"{self.slug}#{self.anchor} {what}；链接它的：{where}"


def lost_anchors(catalog) -> list[LostAnchor]:
    """Every anchor the registry of addresses knows an article lost, with the links to it from
    the articles (with their text) and reading paths of ``catalog``."""
    lost: dict[tuple[str, str], LostAnchor] = {}
    for article in catalog.articles:
        entry = catalog.address(article)
        for old, new in (entry.anchors.items() if entry else ()):
            if old not in article.anchors:
                lost[(article.slug, old)] = LostAnchor(article.slug, old, new if new in article.anchors else "")
    if not lost:
        return []
    for source in catalog.articles:
        for offset, href in iter_links(source.body):
            link = parse_link(href)
            if link is None or not link.anchor:
                continue
            target = catalog.resolve(source, href.partition("#")[0]) if link.target else (source.slug, "", "")
            slug = target[0] if target else None
            if slug and (slug, link.anchor) in lost:
                lost[(slug, link.anchor)].linked_from.append(f"{source.rel_path}:{source.body_line + offset}")
    for reading in catalog.paths:
        for item in reading.items:
            written = item.href.partition("#")[2]
            if written and (item.slug, written) in lost:
                lost[(item.slug, written)].linked_from.append(reading.rel_path)
    return sorted(lost.values(), key=lambda x: (bool(x.now), x.slug, x.anchor))
