"""The content store: finding content files, loading them into Articles, and looking them up.

A file that cannot be loaded is reported as Problems and left out; it never stops the others.
"""
from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import check, links
from .article import Article, Problem, normalize_type
from .frontmatter import FrontMatterError, parse
from .reading_paths import check_path_links, load_paths
from .sections import split_sections



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
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(check.relative(path, root), f"无法读取文件：{exc.strerror}")]
    return parse_article(raw, path, root)


def parse_article(raw: bytes, path: Path, root: Path) -> tuple[Article | None, list[Problem]]:
    rel = check.relative(path, root)
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


def save_article(catalog: "Catalog", rel_path: str, text: str, previous: Article | None = None) -> tuple[Article | None, list[Problem]]:
    """Validate ``text`` and write it to ``rel_path`` under the content folder.

    Nothing is written when there is an error: the previous file stays as it was. The new text
    goes to a temporary file that replaces the old one in a single rename, so a crash mid-save
    never leaves half a file.
    """
    root = catalog.root
    path = (root / rel_path).resolve()
    if root.resolve() not in path.parents or not is_content_file(path, root.resolve()):
        return None, [Problem(rel_path, "文件位置无效：只能保存到内容目录里的 .md 文件")]
    raw = text.replace("\r\n", "\n").encode("utf-8")
    article, problems = parse_article(raw, root / rel_path, root)
    if article is not None:
        owner = catalog.by_slug.get(article.slug) or catalog.by_alias.get(article.slug)
        if owner is not None and owner is not previous:
            problems.append(Problem(rel_path, f"slug “{article.slug}” 已被 {owner.rel_path} 使用"))
        for alias in article.aliases:
            other = catalog.by_slug.get(alias) or catalog.by_alias.get(alias)
            if other is not None and other is not previous:
                problems.append(Problem(rel_path, f"别名 “{alias}” 已被 {other.rel_path} 使用"))
        if previous is not None and article.slug != previous.slug and previous.slug not in article.aliases:
            problems.append(Problem(rel_path, f"改了 slug 时请把旧的 “{previous.slug}” 加入 aliases，已有的链接才不会失效"))
        if previous is None and path.exists():
            problems.append(Problem(rel_path, "同名文件已经存在"))
    if article is None or any(p.severity == "error" for p in problems):
        return None, problems
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.saving")
    with open(tmp, "wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
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
    loaded: dict = field(default_factory=dict)  # file -> ((mtime, size), Article | None, problems)

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


def load_catalog(root: Path, cross_checks: bool = True, previous: Catalog | None = None) -> Catalog:
    """Load every content file under ``root``; problems of each file are collected, not raised.

    With ``previous``, files whose size and modification time are unchanged are not read again
    (a running site reloads only what an editor touched).
    """
    root = Path(root)
    catalog = Catalog(root=root)
    if not root.is_dir():
        catalog.problems.append(Problem(str(root), "内容目录不存在"))
        return catalog
    reusable = previous.loaded if previous is not None else {}
    for path in content_files(root):
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = reusable.get(str(path))
        if cached and cached[0] == key:
            article, problems = cached[1], cached[2]
        else:
            article, problems = load_article(path, root)
        catalog.loaded[str(path)] = (key, article, problems)
        catalog.problems += problems
        if article is None or article.slug in catalog.by_slug:
            continue  # a duplicate slug keeps the first file; check_collection reports it
        catalog.by_slug[article.slug] = article
        catalog.by_path[article.rel_path] = article
    catalog.articles = list(catalog.by_slug.values())
    for article in catalog.articles:
        for alias in article.aliases:
            if alias not in catalog.by_slug:
                catalog.by_alias.setdefault(alias, article)
    catalog.paths, path_problems = load_paths(root / "_paths", root)
    catalog.problems += path_problems + check_path_links(catalog.paths, catalog)
    if cross_checks:
        everything = [a for _, a, _ in catalog.loaded.values() if a is not None]
        catalog.problems += check.check_collection(everything, catalog.resolve)
    catalog.problems = check.sort_problems(catalog.problems)
    return catalog


class ContentStore:
    """A content folder loaded once and reloaded after ``invalidate()``: the web's index keeper
    calls it when the file watcher reports a change. A reload reads only the files changed."""

    def __init__(self, root: Path, cross_checks: bool = False):
        self.root = Path(root)
        self.cross_checks = cross_checks
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._dirty = True

    def catalog(self) -> Catalog:
        with self._lock:
            if self._dirty or self._catalog is None:
                self._dirty = False
                self._catalog = load_catalog(self.root, self.cross_checks, previous=self._catalog)
            return self._catalog

    def invalidate(self) -> None:
        """Look at the folder again on the next call."""
        with self._lock:
            self._dirty = True
