"""Ways into the collection without a query: by type, category, tag, date, and related articles."""
from __future__ import annotations

from collections import Counter

from .article import TYPES, Article


def type_counts(articles: list[Article]) -> dict[str, int]:
    counts = Counter(a.type for a in articles)
    return {key: counts.get(key, 0) for key in TYPES}


def category_counts(articles: list[Article]) -> dict[str, int]:
    return dict(sorted(Counter(a.category for a in articles).items(), key=lambda kv: (-kv[1], kv[0])))


def tag_counts(articles: list[Article]) -> dict[str, int]:
    counts = Counter(t for a in articles for t in a.tags)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _date(article: Article) -> str:
    d = article.updated or article.published
    return d.isoformat() if d else ""


def recent(articles: list[Article], n: int = 8) -> list[Article]:
    return sorted(articles, key=lambda a: (_date(a), a.title), reverse=True)[:n]


def alphabetical(articles: list[Article]) -> list[Article]:
    """Sorted by title in code-point order for Chinese, which groups by first character;
    the slug is shown beside it for those who look an article up by its link."""
    return sorted(articles, key=lambda a: (a.title, a.slug))


def related(article: Article, articles: list[Article], n: int = 5) -> list[Article]:
    """Articles sharing tags (weighted) or the category, and those linked from or to it."""
    scores: Counter = Counter()
    tags = set(article.tags)
    for other in articles:
        if other.slug == article.slug:
            continue
        score = 2 * len(tags & set(other.tags)) + (1 if other.category == article.category else 0)
        if f"]({other.slug}" in article.body or f"]({article.slug}" in other.body:
            score += 3
        if score:
            scores[other.slug] = score
    by_slug = {a.slug: a for a in articles}
    return [by_slug[s] for s, _ in scores.most_common(n)]


def filter_articles(articles: list[Article], type: str | None = None, tag: str | None = None,
                    category: str | None = None) -> list[Article]:
    return [a for a in articles
            if (not type or a.type == type) and (not tag or tag in a.tags) and (not category or a.category == category)]
