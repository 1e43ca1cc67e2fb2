"""Which file keeps a slug that several files claim.

Sorting by path used to decide, so a copy whose name sorts first (``a-copy.md``) took the
address of the real article. Now, in order:

1. a slug written in the front matter beats one made from a file name;
2. the file that had the slug when the site last loaded keeps it (a newcomer cannot take a
   published address);
3. the older file keeps it: first git commit, else modification time;
4. only then the path, so that the choice is the same on every load.

Both files are reported: the one left out as an error, the one kept as a warning.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Callable

from .article import Article, Problem


def assign_slugs(
    articles: list[Article],
    previous: dict[str, str],
    created: Callable[[Article], dt.date],
) -> tuple[dict[str, Article], list[Problem]]:
    """(slug -> owning article, problems). ``previous`` maps slug -> rel_path of the last load."""
    claims: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        claims[article.slug].append(article)
    owners: dict[str, Article] = {}
    problems: list[Problem] = []
    for slug, claimants in claims.items():
        if len(claimants) == 1:
            owners[slug] = claimants[0]
            continue
        ranked = sorted(claimants, key=lambda a: _rank(a, previous.get(slug), created))
        owner = owners[slug] = ranked[0]
        for other in ranked[1:]:
            why = _reason(owner, other, previous.get(slug), created)
            problems.append(Problem(other.rel_path, f"slug “{slug}” 已被 {owner.rel_path} 使用，本文不会被收录（{why}）"))
            problems.append(Problem(owner.rel_path, f"{other.rel_path} 也用了 slug “{slug}”；本文保留这个地址（{why}）",
                                    severity="warning"))
    return owners, problems


def _rank(article: Article, previous_owner: str | None, created) -> tuple:
    return ("slug" in article.defaults, article.rel_path != previous_owner, created(article), article.rel_path)


def _reason(owner: Article, other: Article, previous_owner: str | None, created) -> str:
    if "slug" in other.defaults and "slug" not in owner.defaults:
        return f"{owner.rel_path} 写明了 slug，{other.rel_path} 的 slug 是按文件名生成的"
    if owner.rel_path == previous_owner:
        return f"{owner.rel_path} 先发布"
    if created(owner) < created(other):
        return f"{owner.rel_path} 更早（{created(owner)}），{other.rel_path} 是 {created(other)}"
    return "两个文件同样早，按文件路径排序决定"
