"""Best bets (推荐答案): a section or an article an editor pins as the answer to a query, kept in
``content/_pins.txt`` — versioned with the content like the synonyms list, so every node and every
clone knows them — one pin a line:

    会议纪要怎么写 -> meeting-preparation#会后
    开会前准备 → meeting-preparation        # comments after #

The query as staff type it, an arrow (``->``, ``→`` or ``=>``), and the target: a slug, a
``slug#anchor``, or the article's address as the site shows it (``/a/slug#anchor``). Search shows
the target first, marked 「推荐」, for that query and for queries that mean the same (search.pins).
This module knows the format and what is wrong with a pin's target in a catalog (deleted,
renamed, a section that is gone, repealed); `kb check` and the pins page report it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import unquote

from . import lifecycle
from .article import Problem

FILE = "_pins.txt"
ARROW = re.compile(r"\s*(?:->|→|=>)\s*")
HEADER = "# 推荐答案：每行一条，“搜索词 -> 文章或小节”（slug、slug#锚点，或文章地址 /a/slug#锚点）。\n"


@dataclass(frozen=True)
class Pin:
    line: int
    query: str
    slug: str
    anchor: str = ""

    @property
    def target(self) -> str:
        return f"{self.slug}#{self.anchor}" if self.anchor else self.slug


def read_target(text: str) -> tuple[str, str]:
    """(slug, anchor) of a target written as a slug, ``slug#anchor`` or ``/a/slug#anchor``."""
    text = unquote(text.strip())
    text = re.sub(r"^https?://[^/]+", "", text)
    if text.startswith("/a/"):
        text = text[3:]
    slug, _, anchor = text.partition("#")
    return slug.strip().strip("/"), anchor.strip()


def parse(text: str, path: str = FILE) -> tuple[list[Pin], list[Problem]]:
    pins, problems = [], []
    for n, raw in enumerate(text.splitlines(), 1):
        body = raw.split("#", 1)[0] if raw.lstrip().startswith("#") else _strip_comment(raw)
        if not body.strip():
            continue
        parts = ARROW.split(body.strip(), maxsplit=1)
        if len(parts) != 2:
            problems.append(Problem(path, f"这一行缺少箭头：应写成“搜索词 -> 文章或小节”（{body.strip()[:40]}）", n))
            continue
        query, target = parts[0].strip(), parts[1].strip()
        slug, anchor = read_target(target)
        if not query:
            problems.append(Problem(path, "箭头前面没有搜索词", n))
        elif not slug or re.search(r"\s", slug):
            problems.append(Problem(path, f"箭头后面应是一篇文章的 slug 或地址，而不是“{target[:40]}”", n))
        else:
            pins.append(Pin(n, query, slug, anchor))
    return pins, problems


def _strip_comment(line: str) -> str:
    """The line without a trailing comment: `` # …`` after the target (an anchor's # has no
    space before it)."""
    return re.split(r"\s#", line, maxsplit=1)[0]


def load(root) -> tuple[list[Pin], list[Problem]]:
    from pathlib import Path

    try:
        text = (Path(root) / FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(FILE, f"无法读取：{exc}")]
    return parse(text)


def check_targets(pins: list[Pin], catalog, path: str = FILE) -> list[Problem]:
    """What is wrong with each pin's target in ``catalog`` (kb.store.Catalog): warnings, since
    the site keeps working — the pin just answers nothing until an editor fixes it."""
    problems = []
    for pin in pins:
        message = target_problem(pin, catalog)
        if message:
            problems.append(Problem(path, f"推荐答案“{pin.query}”的目标 {pin.target}：{message}", pin.line, "warning"))
    return problems


def target_problem(pin: Pin, catalog) -> str | None:
    """Why ``pin`` answers nothing (or the wrong thing) now, in words; None when it is fine."""
    article = catalog.get(pin.slug)
    if article is None:
        removal = catalog.removed.get(pin.slug)
        if removal is not None:
            then = f"已于 {removal.removed} 删除" + (f"（{removal.reason}）" if removal.reason else "")
            return then + (f"，由 {removal.replaced_by} 代替" if removal.replaced_by else "") + "，请改指别的文章或删去这一条"
        renamed = catalog.by_alias.get(pin.slug)
        if renamed is not None:
            return f"文章已改名为 {renamed.slug}（{renamed.title}），请把目标改成 {renamed.slug}"
        return "没有这篇文章"
    if pin.anchor and pin.anchor not in {s.anchor for s in article.sections if s.anchor}:
        return f"《{article.title}》里没有锚点为 {pin.anchor} 的小节（小节标题可能改了）"
    if lifecycle.repealed(article.meta, dt.date.today()):  # by its status, or its repeal date has come
        replacement = article.meta.get("superseded_by") or ""
        return f"《{article.title}》已废止" + (f"，由 {replacement} 代替" if replacement else "")
    return None


def with_pin(text: str, query: str, target: str) -> str:
    """``text`` with the pin ``query -> target`` added at the end (one for the same query
    written the same way replaced). Raises ValueError for a query or target that cannot be
    written on one line."""
    query, target = " ".join(query.split()), target.strip()
    if not query or "#" in query or ARROW.search(query):
        raise ValueError("搜索词不能为空，也不能含有 #、-> 或 →")
    slug, anchor = read_target(target)
    if not slug or re.search(r"\s", slug):
        raise ValueError(f"“{target}”不是一篇文章的 slug 或地址")
    target = f"{slug}#{anchor}" if anchor else slug
    pins, _ = parse(text)
    lines = text.splitlines() or HEADER.splitlines()
    replaced = [p.line for p in pins if p.query == query]
    for n in replaced:
        lines[n - 1] = f"{query} -> {target}"
    if not replaced:
        lines.append(f"{query} -> {target}")
    return "\n".join(lines) + "\n"
