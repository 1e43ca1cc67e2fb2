"""Onboarding reading paths: an ordered list of articles defined in ``content/_paths/*.md``.

    ---
    title: 新员工入职必读
    slug: newcomer
    summary: …
    ---
    1. [怎样搞好办公室服务工作](office-service-work) —— 先了解办公室的职能
"""
from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from .article import Problem
from .check import SLUG, relative
from .frontmatter import FrontMatterError, dump, parse
from .links import iter_links

_ITEM = re.compile(r"^\s*(?:\d+[.)、]|[-*+])\s+\[([^\]]+)\]\(([^)\s]+)\)\s*(?:[—–-]+\s*)?(.*)$")


@dataclass
class PathItem:
    title: str
    href: str  # as written: slug or slug#anchor
    note: str
    slug: str = ""
    anchor: str = ""
    line: int | None = None  # in the path's file, for messages


@dataclass
class ReadingPath:
    slug: str
    title: str
    summary: str
    rel_path: str
    items: list[PathItem] = field(default_factory=list)


FOLDER = "_paths"  # under the content folder
PATH_URL = "/paths/{slug}"


def is_path_file(rel: str) -> bool:
    """``rel`` (relative to the content folder) is a reading path's file."""
    return rel.startswith(f"{FOLDER}/") and rel.endswith(".md") and rel.count("/") == 1


def load_path(file: Path, root: Path) -> tuple["ReadingPath | None", list[Problem]]:
    """One reading path file."""
    rel = relative(file, root)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(rel, "文件不是 UTF-8 编码，请用 UTF-8 保存")]
    return parse_path(text, rel, file.stem)


def parse_path(text: str, rel: str, stem: str = "") -> tuple["ReadingPath | None", list[Problem]]:
    """A reading path from its file's text (``stem``: the file name, the slug when none is written)."""
    problems: list[Problem] = []
    try:
        parsed = parse(text)
    except FrontMatterError as exc:
        problems.append(Problem(rel, exc.message, exc.line))
        return None, problems
    meta = parsed.meta
    slug = meta.get("slug") or stem
    if not isinstance(slug, str) or not SLUG.match(slug):
        problems.append(Problem(rel, f"阅读路径的 slug “{slug}” 无效", 2))
        return None, problems
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        problems.append(Problem(rel, "阅读路径缺少 title", 2))
        return None, problems
    reading = ReadingPath(slug, meta["title"].strip(), str(meta.get("summary") or ""), rel)
    for i, line in enumerate(parsed.body.split("\n")):
        m = _ITEM.match(line)
        if m:
            target, _, anchor = m.group(2).partition("#")
            reading.items.append(PathItem(m.group(1), m.group(2), m.group(3).strip(), target.removesuffix(".md"), anchor,
                                          parsed.body_line + i))
        elif any(True for _ in iter_links(line)):
            problems.append(Problem(rel, "这一行有链接但不是列表项，不会出现在阅读路径里", parsed.body_line + i, "warning"))
    if not reading.items:
        problems.append(Problem(rel, "阅读路径里没有任何文章（正文应是链接文章的列表）", parsed.body_line, "warning"))
    return reading, problems


def dump_path(reading: "ReadingPath") -> str:
    """The file of ``reading``: what the browser's path editor saves (and a person can still
    edit by hand)."""
    head = dump({"title": reading.title, "slug": reading.slug, "summary": reading.summary}, "")
    lines = []
    for n, item in enumerate(reading.items, start=1):
        title = item.title.replace("[", "［").replace("]", "］").strip() or item.slug
        note = " ".join(item.note.split())
        lines.append(f"{n}. [{title}]({item.href})" + (f" —— {note}" if note else ""))
    return head.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"


def load_paths(folder: Path, root: Path) -> tuple[list[ReadingPath], list[Problem]]:
    paths: list[ReadingPath] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return paths, problems
    for file in sorted(folder.glob("*.md")):
        reading, found = load_path(file, root)
        problems += found
        if reading is not None:
            paths.append(reading)
    return paths, problems


def check_path_links(paths: list[ReadingPath], catalog) -> list[Problem]:
    problems = []
    for reading in paths:
        for item in reading.items:
            article = catalog.get(item.slug) or catalog.by_alias.get(item.slug)
            if article is None:
                problems.append(Problem(reading.rel_path, f"阅读路径中的 “{item.href}” 没有对应的文章"))
            elif item.anchor and not catalog.anchor_now(article, item.anchor):
                problems.append(Problem(reading.rel_path, f"文章 {article.slug} 里没有小节 #{item.anchor}"))
            else:
                # an old slug or a renamed heading: the item leads where the link now goes
                item.slug, item.anchor = article.slug, catalog.anchor_now(article, item.anchor) if item.anchor else ""
    return problems


@dataclass(frozen=True)
class PathPosition:
    """Where an article stands on a reading path, for its 上一篇 / 下一篇 links."""

    path: ReadingPath
    item: PathItem
    number: int  # 1-based place of the item on the path
    previous: PathItem | None
    next: PathItem | None

    @property
    def total(self) -> int:
        return len(self.path.items)


def positions(paths: list[ReadingPath], slug: str, present: Container[str]) -> list[PathPosition]:
    """The article ``slug`` on every path that lists it (its first place there). Neighbours
    skip items whose article is not in ``present`` (the slugs of the loaded articles): a link
    to a missing article would only lead to a 404."""
    found = []
    for reading in paths:
        items = reading.items
        here = next((i for i, item in enumerate(items) if item.slug == slug), None)
        if here is None:
            continue
        before = [item for item in items[:here] if item.slug in present]
        after = [item for item in items[here + 1:] if item.slug in present]
        found.append(PathPosition(reading, items[here], here + 1,
                                  before[-1] if before else None, after[0] if after else None))
    return found
