"""The content store: finding content files, loading them into Articles, and looking them up.

A file that cannot be loaded is reported as Problems and left out; it never stops the others.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import check, links
from .article import Article, Problem, normalize_type
from .frontmatter import FrontMatterError, parse
from .sections import split_sections

log = logging.getLogger(__name__)


def is_content_file(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    return path.suffix == ".md" and not any(part.startswith(("_", ".")) for part in rel.parts)


def content_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.md") if p.is_file() and is_content_file(p, root))


def _key_lines(text: str, body_line: int) -> dict[str, int]:
    """Line of each top-level key in the front matter, for messages."""
    lines = {}
    for i, line in enumerate(text.split("\n")[1 : body_line - 2], start=2):
        key = line.split(":", 1)[0].strip()
        if key and not line.startswith((" ", "\t", "-", "#")):
            lines.setdefault(key, i)
    return lines


def _as_list(value) -> list[str]:
    return [v.strip() for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


def load_article(path: Path, root: Path) -> tuple[Article | None, list[Problem]]:
    """Read one file. Returns the Article (None if unusable) and the problems found in it."""
    rel = check.relative(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(rel, f"无法读取文件：{exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(rel, f"文件不是 UTF-8 编码（第 {exc.start} 字节无法解码），请用 UTF-8 保存", line)]
    try:
        parsed = parse(text)
    except FrontMatterError as exc:
        return None, [Problem(rel, exc.message, exc.line)]
    meta, key_lines = parsed.meta, _key_lines(text.lstrip("\ufeff"), parsed.body_line)
    problems = check.check_meta(meta, rel, lambda key: key_lines.get(key))
    problems += check.check_body(parsed.body, rel, parsed.body_line)
    if any(p.severity == "error" for p in problems):
        return None, problems
    article = Article(
        path=path,
        rel_path=rel,
        slug=meta["slug"],
        title=meta["title"].strip(),
        type=normalize_type(meta["type"]),
        category=meta["category"].strip(),
        summary=meta["summary"].strip(),
        body=parsed.body,
        body_line=parsed.body_line,
        tags=_as_list(meta.get("tags")),
        source=meta.get("source") or "",
        source_url=meta.get("source_url") or "",
        author=meta.get("author") or "",
        published=meta.get("published"),
        updated=meta.get("updated"),
        aliases=_as_list(meta.get("aliases")),
        sections=split_sections(parsed.body, parsed.body_line),
        digest=hashlib.sha1(raw).hexdigest(),
    )
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

    def get(self, slug: str) -> Article | None:
        return self.by_slug.get(slug)

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
            return (target.slug, link.anchor, f"文章 {target.slug} 里没有小节 #{link.anchor}")
        return (target.slug, link.anchor, "")


def load_catalog(root: Path, cross_checks: bool = True) -> Catalog:
    """Load every content file under ``root``; problems of each file are collected, not raised."""
    root = Path(root)
    catalog = Catalog(root=root)
    if not root.is_dir():
        catalog.problems.append(Problem(str(root), "内容目录不存在"))
        return catalog
    for path in content_files(root):
        article, problems = load_article(path, root)
        catalog.problems += problems
        if article is None:
            continue
        if article.slug in catalog.by_slug:
            # Keep the first; the duplicate is reported by check_collection below.
            catalog.articles.append(article)
            continue
        catalog.articles.append(article)
        catalog.by_slug[article.slug] = article
        catalog.by_path[article.rel_path] = article
    for article in catalog.by_slug.values():
        for alias in article.aliases:
            if alias not in catalog.by_slug:
                catalog.by_alias.setdefault(alias, article)
    if cross_checks:
        catalog.problems += check.check_collection(catalog.articles, catalog.resolve)
    catalog.articles = list(catalog.by_slug.values())
    catalog.problems = check.sort_problems(catalog.problems)
    return catalog


class ContentStore:
    """A content folder that reloads itself when files change (checked at most every ``interval`` s)."""

    def __init__(self, root: Path, interval: float = 2.0):
        self.root = Path(root)
        self.interval = interval
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._stamp: tuple | None = None
        self._checked = 0.0

    def _fingerprint(self) -> tuple:
        return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in content_files(self.root)) if self.root.is_dir() else ()

    def catalog(self) -> Catalog:
        with self._lock:
            now = time.monotonic()
            if self._catalog is None or now - self._checked >= self.interval:
                self._checked = now
                stamp = self._fingerprint()
                if stamp != self._stamp or self._catalog is None:
                    self._catalog = load_catalog(self.root)
                    self._stamp = stamp
            return self._catalog

    def invalidate(self) -> None:
        with self._lock:
            self._catalog = None
