"""Validation of content files: one list of Problems for `kb check`, the indexer and the web.

Per-file checks run while a file is loaded (``read_meta`` through the field registry, ``check_body``); checks across
files (duplicate slugs and aliases, links, near-duplicates) run over the whole collection.
"""
from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from pathlib import Path

from . import defaults, fields, folders
from .article import SEVERITIES, Article, Problem
from .links import iter_links
from .sections import iter_headings

SLUG = fields.SLUG
CONTROL_CHARS = fields.CONTROL_CHARS
short = fields.short


def given(meta: dict, key: str) -> bool:
    """A field is given when it has a value; an empty one gets its default like a missing one."""
    return meta.get(key) not in (None, "", [])


def read_meta(meta: dict, src: defaults.Source, line_of) -> tuple[dict, dict[str, str], list[Problem]]:
    """Every field of the registry (kb.fields) read from ``meta``: (values, the defaults chosen
    for fields left out — field -> how, in words — and the problems of what was written).
    ``line_of(key)`` gives the file line of a key; ``src`` is the file, for default rules."""
    registry = fields.registry()
    problems: list[Problem] = []
    path = src.rel_path

    def report(key: str, issue: fields.Issue) -> None:
        problems.append(Problem(path, issue.message, line_of(key), issue.severity))

    for key in meta:
        if key not in registry:
            report(key, fields.Issue(f"未知字段 {short(key)}（可用字段：{', '.join(sorted(registry.names()))}）", "warning"))
    values: dict = {}
    chosen: dict[str, str] = {}
    folder = folders.defaults_for(src.root, src.rel_path) if src.root is not None else {}
    for f in registry:
        if given(meta, f.name):
            values[f.name], issue = f.read(meta[f.name])
            if issue is not None:
                report(f.name, issue)
        elif f.name in folder:  # the folder's _folder.yaml (kb.folders) before the field's own rule
            values[f.name], origin = folder[f.name]
            chosen[f.name] = f"{f.name}{_shown(f, values[f.name])}（取自 {origin}）"
        elif f.default is not None:
            values[f.name], how = f.default(src)
            if f.noted:
                chosen[f.name] = f"{f.name}{_shown(f, values[f.name])}（{how}）"
        else:
            values[f.name] = f.empty
            if f.required:
                report(f.name, fields.Issue(f"缺少字段 {f.name}（{f.label}）：{f.help}"))
    for f in registry:
        if f.check is not None and given(meta, f.name):
            issue = f.check(values[f.name], values)
            if issue is not None:
                report(f.name, issue)
    return values, chosen, problems


def _shown(f: fields.Field, value) -> str:
    """A default value as a note quotes it: words in quotes, a date or a choice as it is, a
    summary not at all (too long to read in a line)."""
    if f.name == "summary":
        return ""
    if f.kind in ("date", "choice"):
        return f" {f.terms(value)[0] if f.terms(value) else ''}"
    return f" “{short(f.display(value), 30)}”"


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
