"""The content store: finding content files, loading them into Articles, and looking them up.

A file that cannot be loaded is reported as Problems and left out; it never stops the others.
Any exception while reading one file — even one no check foresaw — becomes a Problem of that
file, never a site-wide error.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from . import addresses, check, defaults, folders, lifecycle, links, pins, removed
from .article import Article, Problem
from .config import MAX_ARTICLE_BYTES
from .filedates import FileDates
from .frontmatter import FrontMatterError, parse
from .reading_paths import check_path_links, load_paths
from .sections import split_sections
from .slugs import assign_slugs
from .tree import visible_files

log = logging.getLogger(__name__)


def is_content_file(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    return path.suffix == ".md" and not any(part.startswith(("_", ".")) for part in rel.parts)


def content_files(root: Path) -> list[Path]:
    return [p for p in visible_files(root, lambda name: name.endswith(".md")) if p.is_file() and is_content_file(p, root)]


def _key_lines(text: str, body_line: int) -> dict[str, int]:
    """Line of each top-level key in the front matter, for messages."""
    lines = {}
    for i, line in enumerate(text.split("\n")[1 : body_line - 2], start=2):
        key = line.split(":", 1)[0].strip()
        if key and not line.startswith((" ", "\t", "-", "#")):
            lines.setdefault(key, i)
    return lines


def _size_problem(rel: str, size: int, max_bytes: int) -> Problem:
    return Problem(rel, f"文件太大：{size:,} 字节（约 {size / 1e6:.1f} MB），超过了上限 {max_bytes:,} 字节"
                        f"（设置项 max_article_bytes）。请把它拆成几篇文章")


def _outside(path: Path, root: Path) -> Problem | None:
    """A link that leads out of the content folder would publish whatever it points to."""
    if not path.is_symlink():
        return None
    target = path.resolve()
    if Path(root).resolve() in target.parents:
        return None
    return Problem(check.relative(path, root), "这个文件是指向内容目录以外的链接，不会发布（只发布内容目录里的文件）")


def load_article(path: Path, root: Path, dates: FileDates | None = None,
                 max_bytes: int = MAX_ARTICLE_BYTES) -> tuple[Article | None, list[Problem]]:
    """Read one file. Returns the Article (None if unusable) and the problems found in it."""
    rel = check.relative(path, root)
    try:
        outside = _outside(path, root)
        if outside is not None:
            return None, [outside]
        size = path.stat().st_size
        if size > max_bytes:
            return None, [_size_problem(rel, size, max_bytes)]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(rel, f"无法读取文件：{exc.strerror}")]
    return parse_article(raw, path, root, dates or FileDates(root, whole_folder=False), max_bytes)


def parse_article(raw: bytes, path: Path, root: Path, dates: FileDates | None = None,
                  max_bytes: int = MAX_ARTICLE_BYTES) -> tuple[Article | None, list[Problem]]:
    rel = check.relative(path, root)
    try:
        return _parse_article(raw, path, root, rel, dates or FileDates(root, whole_folder=False), max_bytes)
    except Exception as exc:  # noqa: BLE001 — an unforeseen input is this file's problem, not the site's
        log.exception("cannot load %s", rel)
        return None, [Problem(rel, f"读取文件时出错：{check.short(exc, 80)}（请把这个文件报告给维护者）")]


def _parse_article(raw: bytes, path: Path, root: Path, rel: str, dates: FileDates,
                   max_bytes: int) -> tuple[Article | None, list[Problem]]:
    if len(raw) > max_bytes:
        return None, [_size_problem(rel, len(raw), max_bytes)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(rel, f"文件不是 UTF-8 编码（第 {exc.start} 字节无法解码），请用 UTF-8 保存", line)]
    try:
        parsed = parse(text)
    except FrontMatterError as exc:
        return None, [Problem(rel, exc.message, exc.line)]
    key_lines = _key_lines(text.lstrip("\ufeff"), parsed.body_line)
    src = defaults.Source(rel, path, parsed.body, dates, Path(root))
    values, chosen, problems = check.read_meta(parsed.meta, src, lambda key: key_lines.get(key))
    problems += check.check_body(src.body, rel, parsed.body_line)
    if any(p.severity == "error" for p in problems):
        return None, problems
    article = Article(
        path=path,
        rel_path=rel,
        meta=values,
        body=src.body,
        body_line=parsed.body_line,
        sections=split_sections(src.body, parsed.body_line),
        digest=hashlib.sha1(raw).hexdigest(),
        size=len(raw),
        links=frozenset(link.target for _, href in links.iter_links(src.body) if (link := links.parse(href)) and link.target),
        media=links.media_names(src.body),
        defaults=chosen,
        lines=key_lines,
    )
    article.summary_leads = defaults.summary_repeats_lead(article.summary, src.body)
    if chosen:
        problems.append(Problem(rel, "未写的字段用了默认值：" + "；".join(chosen.values()), severity="note"))
    return article, problems


@dataclass
class Catalog:
    """Everything loaded from a content folder at one moment."""

    root: Path
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    by_slug: dict[str, Article] = field(default_factory=dict)
    by_alias: dict[str, Article] = field(default_factory=dict)
    by_path: dict[str, Article] = field(default_factory=dict)
    paths: list = field(default_factory=list)  # onboarding ReadingPaths from _paths/
    removed: dict = field(default_factory=dict)  # slug -> kb.removed.Removal: deleted articles
    addresses: addresses.Addresses = field(default_factory=addresses.Addresses)  # numbers, old slugs, old anchors
    pins: list = field(default_factory=list)  # kb.pins.Pin: editors' best bets (推荐答案)
    loaded: dict = field(default_factory=dict)  # file -> ((mtime, size), Article | None, problems)

    def get(self, slug: str) -> Article | None:
        return self.by_slug.get(slug)

    @functools.cached_property
    def replaced_by(self) -> dict[str, str]:
        """old slug -> the slug of the article replacing it (kb.lifecycle.replacements): worked
        out once per loaded catalog, not on every page (10,000 articles: tens of ms a look)."""
        return lifecycle.replacements(self.articles)

    @functools.cached_property
    def by_media(self) -> dict[str, tuple[Article, ...]]:
        """media name -> the articles that show or link it (kb.links.media_names): made once per
        loaded catalog from what each article keeps, so that serving an image asks a dict, not
        every file (application.media)."""
        out: dict[str, list[Article]] = {}
        for article in self.articles:
            for name in article.media:
                out.setdefault(name, []).append(article)
        return {name: tuple(users) for name, users in out.items()}

    def address(self, article: Article) -> "addresses.Address | None":
        """The permanent entry of ``article`` (kb.addresses): its number, old slugs and anchors."""
        found = self.addresses.of(article)
        if found is None:  # its slug changed by hand, not recorded yet: the entry of its file
            found = self.addresses.by_path.get(article.rel_path)
            if found is not None and (found.slug in self.by_slug or found.slug in self.removed):
                return None
        return found

    def anchor_now(self, article: Article, anchor: str) -> str | None:
        """The anchor a link to ``anchor`` of ``article`` leads to: itself when the article has
        it, the anchor its heading was renamed to, "" when the section is gone, None when the
        article never had it (as far as the site recorded)."""
        if anchor in article.anchors:
            return anchor
        entry = self.address(article)
        found = entry.anchor(anchor) if entry is not None else None
        if found is None:
            return None
        return found if found in article.anchors else ""

    def without(self, hidden: set[int], removed: set[str] = frozenset()) -> "Catalog":
        """A copy without the articles whose ``id()`` is in ``hidden`` — nor the reading-path items
        that lead to them — and without the records of the deleted articles ``removed`` (slugs),
        for a reader who may not see them (application.access)."""
        from dataclasses import replace

        keep = lambda a: id(a) not in hidden  # noqa: E731
        gone = {a.slug for a in self.articles if not keep(a)}
        paths = [replace(p, items=[i for i in p.items if i.slug not in gone]) for p in self.paths]
        return replace(self, articles=[a for a in self.articles if keep(a)],
                       by_slug={k: a for k, a in self.by_slug.items() if keep(a)},
                       by_alias={k: a for k, a in self.by_alias.items() if keep(a)},
                       by_path={k: a for k, a in self.by_path.items() if keep(a)}, paths=paths,
                       removed={k: r for k, r in self.removed.items() if k not in removed})

    def resolve(self, article: Article, href: str):
        """Resolve a link written in ``article``: None for external links, else
        (slug, anchor, error) where error is a Chinese explanation or ""."""
        link = links.parse(href)
        if link is None:
            return None
        if not link.target:
            target = article
        elif link.is_path:
            rel = PurePosixPath(article.rel_path).parent / link.target
            parts: list[str] = []
            for part in rel.parts:
                if part == "..":
                    if parts:
                        parts.pop()
                elif part != ".":
                    parts.append(part)
            target = self.by_path.get("/".join(parts))
            if target is None:
                return (None, link.anchor, f"找不到文件 {'/'.join(parts)}")
        else:
            target = self.by_slug.get(link.target) or self.by_alias.get(link.target)
            if target is None:
                return (None, link.anchor, f"没有 slug 为 “{link.target}” 的文章")
        if link.anchor and link.anchor not in target.anchors:
            now = self.anchor_now(target, link.anchor)
            if now:  # a renamed heading: the link leads to the section under its new anchor
                return (target.slug, now, "")
            gone = "（这个小节已被删除或改得认不出来）" if now == "" else ""
            return (target.slug, link.anchor, f"文章 {target.slug} 里没有小节 #{link.anchor}{gone}")
        return (target.slug, link.anchor, "")


def load_catalog(root: Path, cross_checks: bool = True, previous: Catalog | None = None,
                 max_bytes: int = MAX_ARTICLE_BYTES, light: bool = False,
                 read_all: Callable[[Callable, list[Path]], list] | None = None) -> Catalog:
    """Load every content file under ``root``; problems of each file are collected, not raised.

    With ``previous``, files whose size and modification time are unchanged are not read again
    (a running site reloads only what an editor touched), and an article keeps its slug against
    a newcomer claiming the same one. With ``light``, articles are kept without their text
    (after the cross-file checks, which read it). ``read_all(load, paths)``: ``load`` of each
    path, in order — a cold build of the index spreads them over processes (search.writer).
    """
    root = Path(root)
    catalog = Catalog(root=root)
    if not root.is_dir():
        catalog.problems.append(Problem(str(root), "内容目录不存在"))
        return catalog
    reusable = previous.loaded if previous is not None else {}
    seen: dict = {}  # folder -> the stamp of its folder files (kb.folders.stamp)
    dates = FileDates(root)
    listed = []
    for path in content_files(root):
        try:
            stat = path.stat()
        except OSError:
            continue  # deleted while we looked
        # an article is read again when its file changed, or its folder's defaults (kb.folders)
        key = (stat.st_mtime_ns, stat.st_size, folders.stamp(root, check.relative(path, root), seen))
        cached = reusable.get(str(path))
        listed.append((path, key, cached if cached and cached[0] == key else None))
    load = functools.partial(_load_listed, root=root, dates=dates, max_bytes=max_bytes,
                             lighten=light and not cross_checks)
    fresh = [path for path, _, cached in listed if cached is None]
    read = iter(read_all(load, fresh) if read_all is not None else [load(path) for path in fresh])
    for path, key, cached in listed:
        article, problems = (cached[1], cached[2]) if cached is not None else next(read)
        catalog.loaded[str(path)] = (key, article, problems)
        catalog.problems += problems
    everything = [a for _, a, _ in catalog.loaded.values() if a is not None]
    before = {slug: a.rel_path for slug, a in previous.by_slug.items()} if previous is not None else {}
    catalog.by_slug, duplicates = assign_slugs(everything, before, lambda a: dates.created(a.path, a.rel_path))
    catalog.problems += duplicates
    _finish(catalog)
    if cross_checks:
        catalog.problems += check.check_collection(everything, catalog.resolve, catalog.by_slug, catalog.paths)
        if light:
            _lighten(catalog)
    catalog.problems = check.sort_problems(catalog.problems)
    return catalog


def _load_listed(path: Path, root: Path, dates: FileDates, max_bytes: int,
                 lighten: bool) -> tuple[Article | None, list[Problem]]:
    article, problems = load_article(path, root, dates, max_bytes)
    if lighten and article is not None:
        article = article.without_text()
    return article, problems


def _finish(catalog: Catalog) -> None:
    """Lists and lookups of the articles in ``catalog.by_slug``, and the folder's own files:
    the reading paths and the removed list (a few small files, read each time)."""
    root = catalog.root
    catalog.articles = sorted(catalog.by_slug.values(), key=lambda a: a.rel_path)
    catalog.by_path = {a.rel_path: a for a in catalog.articles}
    for article in catalog.articles:
        for alias in article.aliases:
            if alias not in catalog.by_slug:
                catalog.by_alias.setdefault(alias, article)
    catalog.paths, path_problems = load_paths(root / "_paths", root)
    path_problems += folders.problems(root)
    catalog.removed, removal_problems = removed.load(root)
    catalog.addresses, address_problems = addresses.load(root)
    _old_addresses(catalog)
    path_problems += removal_problems + address_problems
    catalog.pins, pin_problems = pins.load(root)
    path_problems += pin_problems + pins.check_targets(catalog.pins, catalog)
    catalog.problems += path_problems + check_path_links(catalog.paths, catalog)


def opened_catalog(root: Path, articles: list[Article], changed: dict[str, Article | None] | None = None) -> Catalog:
    """The catalog of articles read earlier (kept with the search index, each with the slug it
    won then), with ``changed`` — rel_path -> the article saved since, or None for one deleted —
    put over them: a site opens this at start instead of reading every file (10,000 articles'
    front matter took 9–20 s), and the index keeper brings it up to date with what changed."""
    catalog = Catalog(root=Path(root))
    by_path = {a.rel_path: a for a in articles}
    for rel, article in (changed or {}).items():
        if article is None:
            by_path.pop(rel, None)
        else:
            by_path[rel] = article
    for article in sorted(by_path.values(), key=lambda a: a.rel_path):
        catalog.by_slug.setdefault(article.slug, article)
    _finish(catalog)
    return catalog


def _old_addresses(catalog: Catalog) -> None:
    """Old slugs recorded in the registry lead to the article as aliases do; so does the slug of
    an entry whose file now carries another one (changed by hand, not recorded yet)."""
    for old, entry in catalog.addresses.by_old.items():
        article = catalog.by_slug.get(entry.slug)
        if article is not None and old not in catalog.by_slug:
            catalog.by_alias.setdefault(old, article)
    for entry in catalog.addresses.entries.values():
        article = catalog.by_path.get(entry.path)
        if entry.slug not in catalog.by_slug and article is not None and entry.slug not in catalog.removed:
            catalog.by_alias.setdefault(entry.slug, article)


def _lighten(catalog: Catalog) -> None:
    light = {id(a): a.without_text() for a in catalog.by_slug.values()}
    catalog.by_slug = {slug: light[id(a)] for slug, a in catalog.by_slug.items()}
    catalog.articles = [light[id(a)] for a in catalog.articles]
    catalog.by_path = {p: light[id(a)] for p, a in catalog.by_path.items()}
    catalog.by_alias = {alias: light[id(a)] for alias, a in catalog.by_alias.items()}
    catalog.loaded = {p: (k, light.get(id(a), a.without_text()) if a else a, pr) for p, (k, a, pr) in catalog.loaded.items()}


class ContentStore:
    """A content folder loaded once and reloaded after ``invalidate()``: the web's index keeper
    calls it when the file watcher reports a change. A reload reads only the files changed.

    With ``light``, the catalog holds the articles without their text (Article.without_text):
    a site's lists, links and tables of contents need every article, its pages only the one
    shown, which ``full`` reads from its file (10,000 articles: ~170 MB less in every worker)."""

    FULL_CACHE = 64  # articles kept whole, most recently shown

    def __init__(self, root: Path, cross_checks: bool = False, max_article_bytes: int = MAX_ARTICLE_BYTES,
                 light: bool = False, source: Callable[[], tuple[object, list[Article]] | None] | None = None):
        """``source``: where articles read earlier are kept — () -> (version, light articles) or
        None (the search index: application.Site) — opened instead of reading the folder."""
        self.root = Path(root)
        self.cross_checks = cross_checks
        self.max_article_bytes = max_article_bytes
        self.light = light
        self.source = source
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._dirty = True
        self._full: dict[tuple[str, str], Article] = {}
        self._changed: dict[str, Article | None] = {}  # saved here since the source's version
        self._version: object = None  # the source's version the catalog was opened from
        self._look = False  # asked to look at the folder (invalidate), not only at the source
        self._stamps: Callable[[], dict[str, list[int]]] | None = None  # of the files as the source read them

    def catalog(self) -> Catalog:
        with self._lock:
            if self._dirty or self._catalog is None:
                self._dirty = False
                opened = self._opened()
                if opened is not None:
                    began = time.perf_counter()
                    self._version = opened[0]
                    self._stamps = opened[2] if len(opened) > 2 else None
                    self._catalog = opened_catalog(self.root, opened[1], self._caught_up(opened[1]))
                    log.info("catalog opened from the index in %.2fs", time.perf_counter() - began)
                else:
                    previous = self._catalog if self._catalog is not None and self._catalog.loaded else None
                    if previous is None and self._catalog is not None and self._stamps is not None:
                        previous = self._as_read(self._stamps())
                    began = time.perf_counter()
                    self._catalog = load_catalog(self.root, self.cross_checks, previous=previous,
                                                 max_bytes=self.max_article_bytes, light=self.light)
                    log.info("looked at the folder %s in %.2fs", self.root, time.perf_counter() - began)
            return self._catalog

    def _opened(self):
        """What the source keeps, when the catalog is to be opened from it (call with the lock
        held): at start, whenever the source has a new version or was asked to ``reopen`` while
        the folder was never looked at, and once the source has an index when the folder was read
        only because it had none yet (a first build). Once a look at the folder was asked for
        (``invalidate``) without a new version — a file changed that the index does not have yet,
        a hand edit with no keeper to index it — the folder is looked at from then on: the first
        look reads the files whose size and time differ from the index's record, later ones only
        compare each file's size and time."""
        if self.source is None:
            return None
        if self._catalog is not None and self._catalog.loaded and (self._version is not None or self._look):
            return None
        opened = self.source()
        look, self._look = self._look, False
        if opened is None or (look and self._catalog is not None and opened[0] == self._version):
            return None
        return opened

    def _as_read(self, stamps: dict[str, list[int]]) -> Catalog | None:
        """The opened catalog as if its files had been read (call with the lock held): each
        article keyed by the size and time its file had when the source read it, so that the
        first look at the folder reads only the files changed since. Reading every file instead
        took 16 s at 10,000 articles on a busy machine, in the request of an editor's save."""
        if not stamps:
            return None  # the source no longer knows them (a later version): read the folder
        previous = Catalog(root=self.root)
        previous.by_slug = dict(self._catalog.by_slug)
        saved, seen = set(self._changed), {}
        for article in self._catalog.articles:
            stamp = stamps.get(article.rel_path)
            if stamp is None or article.rel_path in saved:
                continue
            key = (stamp[0], stamp[1], folders.stamp(self.root, article.rel_path, seen))
            previous.loaded[str(self.root / article.rel_path)] = (key, article, [])
        return previous

    def _caught_up(self, articles: list[Article]) -> dict[str, Article | None]:
        """The saves of this process the source does not have yet (call with the lock held)."""
        if self._changed:
            have = {a.rel_path: a.digest for a in articles if a.rel_path in self._changed}
            self._changed = {rel: a for rel, a in self._changed.items()
                             if (a.digest if a is not None else None) != have.get(rel)}
        return self._changed

    @property
    def opened(self) -> bool:
        """The catalog came from the source, not from reading the folder."""
        with self._lock:
            return self._catalog is not None and not self._catalog.loaded

    def full(self, article: Article) -> Article:
        """``article`` with its text (read again from its file when the catalog is light)."""
        if not article.light:
            return article
        key = (article.rel_path, article.digest)
        with self._lock:
            found = self._full.get(key)
        if found is None:
            found, _ = load_article(article.path, self.root, max_bytes=self.max_article_bytes)
            if found is None or found.digest != article.digest:  # changed meanwhile: show what is there now
                found = found or article
            with self._lock:
                if len(self._full) >= self.FULL_CACHE:
                    self._full.pop(next(iter(self._full)))
                self._full[key] = found
        return found

    def put(self, article: Article, problems: list[Problem]) -> None:
        """``article`` was just read from the bytes now in its file (a save): keep it, so that the
        next look at the folder does not read and parse the file again."""
        try:
            stat = article.path.stat()
        except OSError:
            return self.invalidate()
        kept = article.without_text() if self.light else article
        with self._lock:
            if self._catalog is not None and self._catalog.loaded:
                key = (stat.st_mtime_ns, stat.st_size, folders.stamp(self.root, article.rel_path))
                self._catalog.loaded[str(article.path)] = (key, kept, problems)
            if self.source is not None:
                self._changed[article.rel_path] = kept  # until the source has these bytes
            self._dirty = True

    def gone(self, rel_path: str) -> None:
        """The file at ``rel_path`` was just deleted here."""
        with self._lock:
            if self.source is not None:
                self._changed[rel_path] = None
            self._dirty = True

    def invalidate(self) -> None:
        """Look at the folder again on the next call (the source's new version, when it has one):
        a file changed that the source may not have yet (an edit by hand, with no keeper to
        index it)."""
        with self._lock:
            self._dirty = self._look = True

    def reopen(self) -> None:
        """Open the catalog again on the next call, from the source when it was opened from it:
        another process changed the content and the source has it (the index keeper indexed what
        it saw, another worker its save), or one of the folder's few small files changed (reading
        paths, the removed list, the addresses), which every opening reads again. No look at the
        whole folder: at 10,000 articles each look stats every file, and the first after a
        restart on an index made elsewhere read all of them (the two-node benchmark's saves
        waited 12 s median to be found on both nodes, one timed out at 30 s, while a worker read
        10,000 files in an editor's request)."""
        with self._lock:
            self._dirty = True

    def fresh(self) -> Catalog:
        """The catalog as the source has it now, else the folder as it is now (a save checks
        slugs against files other processes saved)."""
        with self._lock:
            self._dirty = True
        return self.catalog()
