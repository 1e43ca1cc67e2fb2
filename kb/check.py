"""Validation of content files: one list of Problems for `kb check`, the indexer and the web.

Per-file checks run while a file is loaded (``check_meta``, ``check_body``); checks across
files (duplicate slugs and aliases, links, near-duplicates) run over the whole collection.
"""
from __future__ import annotations

import datetime as dt
import re
import zlib
from collections import Counter, defaultdict
from pathlib import Path

from .article import SEVERITIES, TYPES, Article, Problem, normalize_type
from .links import iter_links, safe_link
from .sections import iter_headings

KNOWN = {"title", "slug", "type", "category", "summary", "updated", "tags", "source", "source_url", "author",
         "published", "aliases"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TYPE_CHOICES = "、".join(f"{k}（{v}）" for k, v in TYPES.items())
TEXT_FIELDS = ("title", "category", "summary", "source", "source_url", "author")
# Characters XML 1.0 cannot carry: one in a title made /feed.atom unreadable for every reader.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def given(meta: dict, key: str) -> bool:
    """A field is given when it has a value; an empty one gets its default like a missing one."""
    return meta.get(key) not in (None, "", [])


def as_date(value):
    """A YAML timestamp is a datetime; articles carry days."""
    return value.date() if isinstance(value, dt.datetime) else value


def short(value: object, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def check_meta(meta: dict, path: str, line_of) -> list[Problem]:
    """Problems of the values written in the front matter; fields left out are not problems
    (they get defaults, see kb.defaults). ``line_of(key)`` gives the file line of a key."""
    problems: list[Problem] = []

    def err(key: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(path, message, line_of(key), severity))

    for key in meta:
        if key not in KNOWN:
            err(key, f"未知字段 {short(key)}（可用字段：{', '.join(sorted(KNOWN))}）", "warning")
    for key in TEXT_FIELDS:
        if given(meta, key) and not isinstance(meta[key], str):
            err(key, f"字段 {key} 应该是一段文字")
        elif given(meta, key) and CONTROL_CHARS.search(meta[key]):
            char = CONTROL_CHARS.search(meta[key]).group()
            err(key, f"字段 {key} 里有不可见的控制字符（U+{ord(char):04X}），已去掉", "warning")
    url = meta.get("source_url")
    if given(meta, "source_url") and isinstance(url, str) and not safe_link(url):
        err("source_url", f"source_url “{short(url)}” 不是 http、https 或 mailto 地址，不会显示为链接", "warning")
    slug = meta.get("slug")
    if given(meta, "slug") and not (isinstance(slug, str) and SLUG.match(slug) and 3 <= len(slug) <= 60):
        err("slug", f"slug “{short(slug)}” 无效：只能用小写英文字母、数字和连字符，长度 3–60，例如 office-service-work")
    if given(meta, "type") and normalize_type(meta["type"]) is None:
        err("type", f"type “{short(meta['type'])}” 无效，应为以下之一：{_TYPE_CHOICES}")
    for key in ("tags", "aliases"):
        value = meta.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)):
            err(key, f"字段 {key} 应该是文字列表，例如 {key}: [甲, 乙]")
    for alias in meta.get("aliases") or []:
        if isinstance(alias, str) and not SLUG.match(alias):
            err("aliases", f"别名 “{short(alias)}” 不是有效的 slug")
    for key in ("published", "updated"):
        value = meta.get(key)
        if value not in (None, "") and not isinstance(value, dt.date):
            err(key, f"字段 {key} 应该是日期，格式 YYYY-MM-DD，现在是 “{short(value)}”")
    pub, upd = as_date(meta.get("published")), as_date(meta.get("updated"))
    if isinstance(pub, dt.date) and isinstance(upd, dt.date) and upd < pub:
        err("updated", f"updated（{upd}）早于 published（{pub}）")
    return problems


def check_body(body: str, path: str, body_line: int) -> list[Problem]:
    if not body.strip():
        return [Problem(path, "正文为空", body_line)]
    return [
        Problem(path, "正文里不要用一级标题（#）：标题由 title 显示，小节从 ## 开始", body_line + i, "warning")
        for i, level, _ in iter_headings(body)
        if level == 1
    ]


def check_collection(articles: list[Article], resolve, owners: dict[str, Article] | None = None) -> list[Problem]:
    """Problems that only show across files. ``resolve(article, target)`` is the store's link
    resolver; ``owners`` maps each slug to the article that kept it (kb.slugs reports the
    slugs claimed twice)."""
    return _duplicate_aliases(articles, owners or {}) + _broken_links(articles, resolve) + near_duplicates(articles)


def _duplicate_aliases(articles: list[Article], owners: dict[str, Article]) -> list[Problem]:
    claims: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        for alias in a.aliases:
            claims[alias].append(a)
    problems = []
    for name, claimants in claims.items():
        first = None
        for a in claimants:
            if a.slug == name:
                problems.append(Problem(a.rel_path, f"别名 “{name}” 与本文的 slug 相同"))
            elif name in owners:
                problems.append(Problem(a.rel_path, f"别名 “{name}” 已被 {owners[name].rel_path} 用作 slug，这个别名不起作用"))
            elif first is None:
                first = a
            else:
                problems.append(Problem(a.rel_path, f"别名 “{name}” 已被 {first.rel_path} 用作别名，这个别名不起作用"))
    return problems


def _broken_links(articles: list[Article], resolve) -> list[Problem]:
    problems = []
    for a in articles:
        for offset, target in iter_links(a.body):
            result = resolve(a, target)
            if result is None:
                continue  # external link
            slug, anchor, error = result
            if error:
                problems.append(Problem(a.rel_path, f"链接 “{target}” 无效：{error}", a.body_line + offset))
    return problems


# --- near-duplicates ------------------------------------------------------------------

_SHINGLE = 5
_SAMPLE = 4  # keep shingles whose hash is 0 mod this: a fixed, comparable sample
_THRESHOLD = 0.5


def _fingerprint(text: str) -> set[int]:
    chars = "".join(ch for ch in text if ch.isalnum())
    grams = {zlib.crc32(chars[i : i + _SHINGLE].encode()) for i in range(len(chars) - _SHINGLE + 1)}
    return {g for g in grams if g % _SAMPLE == 0}


def near_duplicates(articles: list[Article]) -> list[Problem]:
    """Flag pairs of articles whose text largely overlaps (e.g. a PDF copy of a web article).

    Overlap is containment of sampled character 5-grams in the shorter text, found through an
    inverted index so that 10,000 articles are not compared pairwise.
    """
    prints = [_fingerprint(a.body) for a in articles]
    postings: dict[int, list[int]] = defaultdict(list)
    for i, fp in enumerate(prints):
        for g in fp:
            postings[g].append(i)
    shared: Counter = Counter()
    for ids in postings.values():
        if 1 < len(ids) <= 50:  # very common shingles say nothing about duplication
            for x in range(len(ids)):
                for y in range(x + 1, len(ids)):
                    shared[ids[x], ids[y]] += 1
    problems = []
    for (i, j), n in shared.items():
        smaller = min(len(prints[i]), len(prints[j]))
        if smaller >= 20 and n / smaller >= _THRESHOLD:
            a, b = articles[i], articles[j]
            problems.append(
                Problem(
                    b.rel_path,
                    f"与 {a.rel_path}（{a.slug}）内容高度重复（{n / smaller:.0%} 的文字相同），同一篇文章不要发布两次",
                    severity="warning",
                )
            )
    return problems


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (SEVERITIES.index(p.severity), p.path, p.line or 0))


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
