"""Validation of content files: one list of Problems for `kb check`, the indexer and the web.

Per-file checks run while a file is loaded (``read_meta`` through the field registry, ``check_body``); checks across
files (duplicate slugs and aliases, links, near-duplicates) run over the whole collection.
"""
from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter, defaultdict
from pathlib import Path

from . import defaults, docno, fields, folders, lifecycle
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


def check_collection(articles: list[Article], resolve, owners: dict[str, Article] | None = None,
                     paths: list | None = None, today: dt.date | None = None) -> list[Problem]:
    """Problems that only show across files. ``resolve(article, target)`` is the store's link
    resolver; ``owners`` maps each slug to the article that kept it (kb.slugs reports the
    slugs claimed twice); ``paths`` are the reading paths (kb.reading_paths), their items
    resolved; ``today`` dates the review check."""
    owners = owners or {}
    return (_duplicate_aliases(articles, owners) + _broken_links(articles, resolve) + near_duplicates(articles)
            + lifecycle_problems(articles, owners, resolve, paths or [], today or dt.date.today()))


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


# --- the life of guidelines (kb.lifecycle) ------------------------------------------------

def lifecycle_problems(articles: list[Article], owners: dict[str, Article], resolve, paths: list,
                       today: dt.date) -> list[Problem]:
    """What would hide a guideline's real state from staff: a replacement that does not exist or
    goes round in a circle, a repeal without its date, a review date gone by, a checklist or
    reading path that sends people to a repealed or draft article, one number for two rules."""
    def at(a: Article, key: str, message: str, severity: str = "error") -> Problem:
        return Problem(a.rel_path, message, a.lines.get(key), severity)

    problems = []
    for a in articles:
        meta, new = a.meta, a.meta.get("superseded_by")
        if new and new != a.slug and new not in owners:
            problems.append(at(a, "superseded_by", f"superseded_by（取代本文的新文章）“{new}” 没有对应的文章"))
        if lifecycle.status(meta) == "repealed" and not meta.get("repealed_on"):
            problems.append(at(a, "status", "status 是废止，但没有写 repealed_on（废止日期）：页面说不出是哪天废止的",
                               "warning"))
        day = meta.get("repealed_on")
        if isinstance(day, dt.date) and day <= today and lifecycle.status(meta) != "repealed":
            problems.append(at(a, "repealed_on", f"repealed_on（废止日期）{day} 已过，但 status 不是废止："
                                                 "搜索仍把它当作有效的文章", "warning"))
        review = meta.get("review_by")
        if isinstance(review, dt.date) and review < today and lifecycle.status(meta) in lifecycle.IN_FORCE:
            problems.append(at(a, "review_by", f"review_by（下次复审日期）{review} 已过：请复审，确认仍然有效后改为下次的日期",
                               "warning"))
    replaced_by = lifecycle.replacements(articles)
    by_slug = {a.slug: a for a in articles}
    for loop in lifecycle.cycles(replaced_by):
        text = " → ".join(loop + loop[:1])
        for old in loop:
            a = by_slug.get(old)
            key = "superseded_by" if a is not None and a.meta.get("superseded_by") else None
            if key is None:  # the edge comes from the newer article's supersedes
                a, key = by_slug.get(replaced_by[old]), "supersedes"
            if a is not None:
                problems.append(at(a, key, f"取代关系形成了循环：{text}（字段 {key}）"))
    return problems + _links_to_the_gone(articles, owners, resolve, paths) + _shared_numbers(articles)


def _gone(article: Article) -> str | None:
    """Why staff should not be sent to ``article``: it is repealed, or a draft; else None."""
    s = lifecycle.status(article.meta)
    return {"repealed": "已废止的文章", "draft": "草稿（读者看不到）"}.get(s)


def _links_to_the_gone(articles: list[Article], owners: dict[str, Article], resolve, paths: list) -> list[Problem]:
    problems = []
    for a in articles:
        if a.type != "checklist":
            continue
        for offset, target in iter_links(a.body):
            found = resolve(a, target)
            other = owners.get(found[0]) if found and found[0] else None
            if other is not None and other.slug != a.slug and _gone(other):
                problems.append(Problem(a.rel_path, f"清单链接到{_gone(other)}：《{other.title}》（{target}），"
                                                    "请改为链接现行的文章", a.body_line + offset, "warning"))
    for reading in paths:
        for item in reading.items:
            other = owners.get(item.slug)
            if other is not None and _gone(other):
                problems.append(Problem(reading.rel_path, f"阅读路径链接到{_gone(other)}：《{other.title}》（{item.href}），"
                                                          "请改为现行的文章", item.line, "warning"))
    return problems


def _shared_numbers(articles: list[Article]) -> list[Problem]:
    """Two articles in force with one document number (however each writes it): the number
    would find either."""
    first: dict[str, Article] = {}
    problems = []
    for a in sorted(articles, key=lambda a: a.rel_path):
        number = a.meta.get("doc_no")
        if not number or lifecycle.status(a.meta) not in lifecycle.IN_FORCE:
            continue
        key = docno.canonical(number) or "".join(number.split())
        if key in first:
            other = first[key]
            problems.append(Problem(a.rel_path, f"doc_no（文号）“{number}” 与 {other.rel_path}（{other.slug}）的文号相同："
                                                "两篇有效的文章不能用同一个文号，被取代的一篇应写 status: 废止",
                                    a.lines.get("doc_no")))
        else:
            first[key] = a
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
