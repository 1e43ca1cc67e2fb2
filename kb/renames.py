"""Recognising an article whose file was renamed or moved outside the site (``git mv``, a file
manager, a ``git pull`` of someone's rename): the file that appeared is the article whose file
disappeared when git's rename detection says so, or when their text says so.

The registry of addresses (kb.addresses) knows the file each article had; a file whose entry's
path is gone and a new file with no entry are matched here, so that the article keeps its
number and its old slug keeps leading to it — nobody has to write ``aliases``.
"""
from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass

from .addresses import Address, Addresses, follow, register, renamed_anchors
from .article import Article
from .history import History, HistoryError

log = logging.getLogger(__name__)

SAME_TEXT = 0.6  # an appeared file whose text is at least this like a vanished one's is that article


@dataclass(frozen=True)
class Found:
    """What the registry learnt from one look at the folder, in words for the commit and log."""

    notes: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.notes)


def reconcile(registry: Addresses, catalog, history: History, read_text, before=None) -> Found:
    """Bring ``registry`` up to date with ``catalog`` (a kb.store.Catalog of the whole folder):
    articles with no entry get a number, unless they are an article whose file was renamed or
    whose slug was changed by hand, which keeps its entry and has its old slug recorded. With
    ``before`` (the catalog of the previous look), headings renamed meanwhile are recorded too.
    ``read_text(article)`` is an article's text (the catalog may hold them without)."""
    notes: list[str] = []
    vanished = [e for e in registry.entries.values() if _vanished(e, catalog)]
    for article in sorted(catalog.articles, key=lambda a: a.rel_path):
        entry = registry.of(article)
        if entry is None:
            entry = _by_path(registry, article, catalog) or _renamed(article, vanished, history, read_text)
            if entry is not None:
                vanished = [e for e in vanished if e.number != entry.number]
                how = "文件改名" if entry.path != article.rel_path else "slug 改了"
                notes.append(f"{entry.path} → {article.rel_path}（{how}，/a/{entry.slug} 跳转到 /a/{article.slug}）"
                             if entry.slug != article.slug else f"{entry.path} → {article.rel_path}")
            else:
                entry = register(registry, article)
                notes.append(f"{article.rel_path} 的短地址 /k/{entry.number}")
                continue
        previous = before.by_path.get(entry.path) if before is not None else None
        renamed = {}
        if previous is not None and previous.digest != article.digest:
            renamed = {k: v for k, v in renamed_anchors(previous.sections, article.sections).items()
                       if k not in entry.anchors}
            notes += [f"{article.slug}#{k} → #{v}" if v else f"{article.slug}#{k} 已不存在" for k, v in renamed.items()]
        updated = follow(registry, entry, article, renamed)
        if updated != entry and not renamed and (updated.path, updated.slug) != (entry.path, entry.slug):
            notes.append(f"{entry.path} → {updated.path}")
    return Found(tuple(dict.fromkeys(notes)))


def _vanished(entry: Address, catalog) -> bool:
    """An entry whose article is nowhere: not under its slug, its file gone or someone else's,
    and not deleted through the site (kb.removed keeps those)."""
    if entry.slug in catalog.by_slug or entry.slug in catalog.removed:
        return False
    here = catalog.by_path.get(entry.path)
    return here is None


def _by_path(registry: Addresses, article: Article, catalog) -> Address | None:
    """The entry of the article's own file, whose slug is no current article's: the slug was
    changed in the file by hand."""
    entry = registry.by_path.get(article.rel_path)
    if entry is None or entry.slug in catalog.by_slug or entry.slug in catalog.removed:
        return None
    return entry


def _renamed(article: Article, vanished: list[Address], history: History, read_text) -> Address | None:
    """The vanished entry ``article`` was before its file was renamed: by git's rename
    detection (the file's history, ``--follow``, passes through the entry's path), else the
    same title, else a text at least ``SAME_TEXT`` alike."""
    if not vanished:
        return None
    try:
        earlier = {c.paths[0] for c in history.log(article.rel_path, limit=200) if c.paths}
    except HistoryError:
        earlier = set()
    for entry in vanished:
        if entry.path in earlier:
            return entry
    for entry in vanished:
        if entry.title and entry.title == article.title:
            return entry
    text = None
    for entry in vanished:
        old = _last_text(history, entry.path)
        if old is None:
            continue
        text = read_text(article) if text is None else text
        if difflib.SequenceMatcher(None, old[:20000], text[:20000], autojunk=False).ratio() >= SAME_TEXT:
            return entry
    return None


def _last_text(history: History, rel_path: str) -> str | None:
    """The file's text in the last commit that had it (its deletion may be committed or not)."""
    try:
        for change in history.log(rel_path, limit=2):
            text = history.show(change.rev, rel_path)
            if text is not None:
                return text
    except HistoryError:
        log.warning("cannot read the history of %s", rel_path)
    return None
