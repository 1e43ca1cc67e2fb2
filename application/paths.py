"""Reading paths as the site changes them: edited in the browser (order, notes, section items)
and saved through the folder's own save path (kb.saving.save_text: checked, locked, written in
one rename, committed), then indexed and every worker told — as an article is.

An item may be given as an editor has it at hand: a link copied from an article or a section
(``https://…/a/slug/小节``, ``/a/slug#小节``, a short address ``/k/12``), or ``slug#anchor`` as
the file writes it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from kb.article import Problem
from kb.history import Author
from kb.reading_paths import FOLDER, PathItem, ReadingPath, check_path_links, dump_path, parse_path
from kb.saving import TextSaveResult, save_text

RESERVED = frozenset({"new", "progress"})  # pages under /paths/ (web/urls.py)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class PathForm:
    """The path editor's fields: each item (what to read, its title on the path, why)."""

    slug: str
    title: str
    summary: str = ""
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (target, title, note)


def target_of(text: str, catalog) -> tuple[str, str] | None:
    """(slug, anchor) of what an editor pasted or typed for an item; None if it names no
    article ``catalog`` has."""
    text = text.strip()
    parts = urlsplit(text)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    anchor = unquote(parts.fragment)
    head = None
    if parts.netloc or parts.path.startswith("/"):
        head = next((i for i, s in enumerate(segments[:-1]) if s in ("a", "k")), None)
    if head is not None:
        kind, rest = segments[head], segments[head + 1:]
        slug = rest[0]
        if kind == "k":
            entry = catalog.addresses.get(int(slug)) if slug.isdigit() else None
            slug = entry.slug if entry else ""
        anchor = anchor or (rest[1] if len(rest) > 1 else "")
    else:
        slug, _, written = text.partition("#")
        slug, anchor = slug.removesuffix(".md").strip(), unquote(written.strip())
    article = catalog.get(slug) or catalog.by_alias.get(slug) or catalog.get(slug.lower())
    if article is None:
        return None
    if anchor:
        anchor = catalog.anchor_now(article, anchor) or anchor
    return article.slug, anchor


def reading_path(form: PathForm, rel: str, catalog) -> tuple[ReadingPath | None, list[Problem]]:
    """The path the form describes, and its problems (an item naming nothing, a section its
    article does not have), checked against what the editor may see."""
    problems = []
    if not _SLUG.match(form.slug) or form.slug in RESERVED:
        problems.append(Problem(rel, f"路径的链接名 “{form.slug}” 无效：用小写英文字母、数字和连字符"
                                     + ("，并且不能是 new 或 progress" if form.slug in RESERVED else "")))
    if not form.title.strip():
        problems.append(Problem(rel, "请填写路径的标题"))
    reading = ReadingPath(form.slug, form.title.strip(), form.summary.strip(), rel)
    for n, (target, title, note) in enumerate(form.items, start=1):
        if not target.strip():
            continue
        found = target_of(target, catalog)
        if found is None:
            problems.append(Problem(rel, f"第 {n} 项 “{target.strip()[:80]}” 没有对应的文章（可以贴入文章或小节的链接）"))
            continue
        slug, anchor = found
        article = catalog.get(slug)
        if anchor and anchor not in article.anchors:
            problems.append(Problem(rel, f"第 {n} 项：文章《{article.title}》里没有小节 #{anchor}"))
            continue
        heading = article.section(anchor).heading if anchor else ""
        reading.items.append(PathItem(title.strip() or (f"{article.title} › {heading}" if heading else article.title),
                                      f"{slug}#{anchor}" if anchor else slug, note.strip(), slug, anchor))
    if not reading.items and not problems:
        problems.append(Problem(rel, "路径里至少要有一篇文章"))
    return (reading if not problems else None), problems


def save(site, form: PathForm, base_digest: str | None, author: Author, message: str, reader) -> TextSaveResult:
    """Save the path the form describes: checked (the items against what ``reader`` may see),
    then under the file's lock, never over a change made since ``base_digest``, committed as
    ``author``; then indexed, and every worker reloads."""
    rel = f"{FOLDER}/{form.slug}.md"
    catalog = site.catalog_for(reader)
    found, problems = reading_path(form, rel, catalog)
    if found is None:
        return TextSaveResult(False, problems, digest=base_digest)

    def check(text: str) -> list[Problem]:
        parsed, issues = parse_path(text, rel, form.slug)
        return issues + (check_path_links([parsed], catalog) if parsed is not None else [])

    result = save_text(site.store.root, rel, dump_path(found), base_digest, check,
                       record=lambda: site.history.commit([rel], author.name, author.email,
                                                          message.strip() or f"修改阅读路径 {found.title}"))
    if result.saved:
        site.after_folder_change([rel])
    return result
