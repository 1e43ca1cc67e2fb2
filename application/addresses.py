"""The registry of lasting addresses (kb.addresses) as the site's use cases keep it: a save
records a changed slug and renamed headings in the same commit as the article; a look at the
folder (the index keeper after each update, ``kb serve`` at start) numbers new articles and
recognises files renamed outside the site; links from other articles to a renamed heading can
be updated in one go.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kb import addresses as registry_
from kb.article import Article
from kb.history import SITE_IDENTITY, History, HistoryError
from kb.links import iter_links, parse as parse_link
from kb.renames import reconcile
from kb.saving import update_file
from kb.store import Catalog, ContentStore

log = logging.getLogger(__name__)
FILE = registry_.FILE


@dataclass
class SaveAddresses:
    """What a save changed of an article's addresses."""

    old_slug: str = ""
    renamed: dict[str, str] = field(default_factory=dict)  # old anchor -> new ("" gone)
    written: bool = False  # the registry file changed (and goes into the save's commit)

    def notes(self, slug: str, number: int | None) -> list[str]:
        out = []
        if self.old_slug:
            out.append(f"地址改为 /a/{slug}：旧地址 /a/{self.old_slug} 会永久跳转到这里"
                       + (f"，短地址 /k/{number} 不变" if number else "") + "。")
        for old, new in self.renamed.items():
            out.append(f"小节 #{old} 改名为 #{new}：链接到旧锚点的地址仍会到这一节。" if new
                       else f"小节 #{old} 没有了：链接到它的地址会到文章开头，并提示这个小节已不存在。")
        return out


def record_save(root: Path, previous: Article | None, article: Article) -> SaveAddresses:
    """Record ``article`` just written over ``previous`` (None for a new file) in the registry,
    under its lock; call inside the save's locks, before its commit."""
    change = SaveAddresses()
    if previous is not None:
        change.renamed = registry_.renamed_anchors(previous.sections, article.sections)
        if previous.slug != article.slug:
            change.old_slug = previous.slug

    def update(text: str) -> str:
        registry, _ = registry_.parse(text) if text.strip() else (registry_.Addresses(), [])
        entry = None
        if previous is not None:
            entry = registry.by_slug.get(previous.slug) or registry_.register(registry, previous)
        entry = entry or registry_.register(registry, article)
        registry_.follow(registry, entry, article, change.renamed)
        return registry_.dump(registry)

    try:
        change.written = update_file(root, FILE, update)
    except OSError as exc:  # the article is saved; the next look at the folder records it
        log.error("saved %s but could not record its addresses: %s", article.rel_path, exc)
    return change


class FolderLook:
    """Looks at the whole folder and records what the registry does not know yet; keeps the
    catalog it saw, so that the next look can tell renamed headings."""

    def __init__(self, store: ContentStore, history: History):
        self.store = store
        self.history = history
        self.before: Catalog | None = None

    def __call__(self) -> tuple[str, ...]:
        catalog = self.store.fresh()
        found: list = []

        def update(text: str) -> str:
            registry, problems = registry_.parse(text) if text.strip() else (registry_.Addresses(), [])
            if problems:  # never rewrite a registry we could not read whole: entries would be lost
                log.error("%s has problems; not recording addresses: %s", FILE, "; ".join(p.message for p in problems))
                return text
            result = reconcile(registry, catalog, self.history, self.store_text, self.before)
            found.append(result)
            return registry_.dump(registry) if result else text

        try:
            written = update_file(self.store.root, FILE, update)
        except OSError as exc:
            log.error("cannot record addresses in %s: %s", FILE, exc)
            return ()
        self.before = catalog
        notes = found[0].notes if found else ()
        if written:
            self.store.reopen()
            self._commit(notes)
        return notes

    def store_text(self, article: Article) -> str:
        return self.store.full(article).body

    def _commit(self, notes: tuple[str, ...]) -> None:
        message = "记录永久地址：" + "；".join(notes[:5]) + ("……" if len(notes) > 5 else "")
        try:
            self.history.commit([FILE], *SITE_IDENTITY, message)
        except HistoryError as exc:
            log.error("recorded addresses but could not commit %s: %s", FILE, exc)


# --- links to renamed headings ----------------------------------------------------------------


@dataclass(frozen=True)
class OldLink:
    """A link in ``source`` to a heading of the article that was renamed: ``href`` as written,
    ``now`` as it should be written."""

    source: Article
    line: int
    href: str
    now: str


def links_to_old_anchors(catalog: Catalog, article: Article, read) -> list[OldLink]:
    """Links from other articles to anchors ``article`` had before a heading was renamed
    (``read(a)`` gives an article with its text)."""
    entry = catalog.address(article)
    if entry is None or not any(entry.anchors.values()):
        return []
    names = {article.slug, *entry.old_slugs, *article.aliases}
    file_name = PurePosixPath(article.rel_path).name
    found = []
    for other in catalog.articles:
        if not (other.links & names or any(PurePosixPath(t).name == file_name for t in other.links)):
            continue
        full = read(other)
        for offset, href in iter_links(full.body):
            link = parse_link(href)
            if link is None or not link.anchor or link.anchor in article.anchors:
                continue
            result = catalog.resolve(full, href)
            if result is None or result[0] != article.slug or result[2] or result[1] == link.anchor:
                continue
            target = href.partition("#")[0]
            found.append(OldLink(other, full.body_line + offset, href, f"{target}#{result[1]}"))
    return found


def relinked_text(text: str, links: list[OldLink]) -> str:
    """``text`` with each of ``links`` written as it should be now (only inside link targets)."""
    for link in {(l.href, l.now) for l in links}:
        href, now = link
        text = re.sub(r"(\]\(\s*<?)" + re.escape(href) + r"(?=[>\s)])", lambda m: m.group(1) + now, text)
    return text
