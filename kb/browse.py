"""Ways into the collection without a query: by type, category, tag, date, and related articles."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from pypinyin import lazy_pinyin

from . import lifecycle
from .article import TYPES, Article

_LEADING_MARKS = re.compile(r"^[\W_]+")
OTHER = "#"  # the A–Z group of titles that start with no letter or hanzi


def type_counts(articles: list[Article]) -> dict[str, int]:
    counts = Counter(a.type for a in articles)
    return {key: counts.get(key, 0) for key in TYPES}


def category_counts(articles: list[Article]) -> dict[str, int]:
    return dict(sorted(Counter(a.category for a in articles).items(), key=lambda kv: (-kv[1], kv[0])))


def tag_counts(articles: list[Article]) -> dict[str, int]:
    counts = Counter(t for a in articles for t in a.tags)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def frequent_tags(articles: list[Article], n: int = 20) -> dict[str, int]:
    """The tags several articles share, most used first: the ones worth a click in a tag
    cloud. A tag on a single article is found by search or in the list of all tags."""
    counts = tag_counts(articles)
    shared = {t: c for t, c in counts.items() if c > 1}
    return dict(list((shared or counts).items())[:n])


@lru_cache(maxsize=100_000)
def pinyin_key(text: str) -> tuple[str, ...]:
    """Sort key in pinyin order, the order of a Chinese A–Z list: code-point order puts
    characters in radical-and-stroke order, which nobody looks things up by. Cached:
    about 90 µs a title."""
    return tuple(s.strip().lower() for s in lazy_pinyin(_LEADING_MARKS.sub("", text)))


def initial(text: str) -> str:
    """The A–Z group of ``text``: the first letter of its pinyin, or OTHER."""
    key = pinyin_key(text)
    letter = key[0][:1].upper() if key else ""
    return letter if "A" <= letter <= "Z" else OTHER


def _az(text: str) -> tuple:
    return initial(text) == OTHER, pinyin_key(text), text


def by_initial(names) -> dict[str, list]:
    """Group ``(name, value)`` pairs by the pinyin initial of the name, in A–Z order."""
    groups: dict[str, list] = {}
    for name, value in sorted(names, key=lambda nv: _az(nv[0])):
        groups.setdefault(initial(name), []).append((name, value))
    return groups


def _date(article: Article) -> str:
    d = article.updated or article.published
    return d.isoformat() if d else ""


def recent(articles: list[Article], n: int = 8) -> list[Article]:
    return sorted(articles, key=lambda a: (_date(a), a.title), reverse=True)[:n]


def alphabetical(articles: list[Article]) -> dict[str, list[Article]]:
    """Articles by title in pinyin order, grouped by initial letter (A–Z, then OTHER)."""
    return {letter: [a for _, a in group] for letter, group in by_initial((a.title, a) for a in articles).items()}


def related(article: Article, articles: list[Article], n: int = 5) -> list[Article]:
    """Articles sharing tags (weighted) or the category, and those linked from or to it; not
    repealed ones (kb.lifecycle)."""
    scores: Counter = Counter()
    tags = set(article.tags)
    for other in articles:
        if other.slug == article.slug or lifecycle.status(other.meta) == "repealed":
            continue  # a repealed rule is reached from its replacement's page, never suggested
        score = 2 * len(tags & set(other.tags)) + (1 if other.category == article.category else 0)
        if other.slug in article.links or article.slug in other.links:
            score += 3
        if score:
            scores[other.slug] = score
    by_slug = {a.slug: a for a in articles}
    return [by_slug[s] for s, _ in scores.most_common(n)]


def filter_articles(articles: list[Article], type: str | None = None, tag: str | None = None,
                    category: str | None = None) -> list[Article]:
    return [a for a in articles
            if (not type or a.type == type) and (not tag or tag in a.tags) and (not category or a.category == category)]
