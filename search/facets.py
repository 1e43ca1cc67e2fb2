"""Per-article values of an index version as arrays: filters, facet counts and orders.

Filters and facets concern articles, not sections: ``type:清单`` keeps the sections of
checklists, and a facet counts each matching article once, however many of its sections match.
Which fields there are comes from the field registry (kb.fields): every indexed field gets one
column here, a field with several values per article (tags) a ragged one.
"""
from __future__ import annotations

import numpy as np

from kb.fields import registry

from .documents import PATH_TYPE

VALUE_FACETS = 30  # the most frequent values of a list field (tags) among the matches are offered


def _ids(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """(index of each value among the sorted distinct values, those values), by numpy's sort."""
    if not values:
        return np.zeros(0, np.int32), []
    names, ids = np.unique(np.array(values, dtype=object).astype(str), return_inverse=True)
    return ids.astype(np.int32), names.tolist()


class Column:
    """One field's values over the articles of an index version: ``ptr`` delimits each article's
    values in ``ids`` (one value each for most fields, any number for tags)."""

    def __init__(self, values: list[list[str]]):
        self.ptr = np.r_[0, np.cumsum([len(v) for v in values])].astype(np.int64)
        self.ids, self.names = _ids([x for v in values for x in v])
        lengths = np.diff(self.ptr)
        self.owner = np.repeat(np.arange(len(values)), lengths)
        self._codes = {name: i for i, name in enumerate(self.names)}
        # a field of one value at most (type, category, status, owner): each article's value as
        # one code, len(names) for none, so that counting is one bincount over the articles
        self.code = None
        if not len(lengths) or int(lengths.max()) <= 1:
            self.code = np.full(len(values), len(self.names), dtype=np.int32)
            self.code[lengths == 1] = self.ids

    def mask(self, wanted: list[str], size: int) -> np.ndarray:
        """Articles having any of ``wanted``."""
        codes = [self._codes[v] for v in wanted if v in self._codes]
        mask = np.zeros(size, dtype=bool)
        if codes:
            mask[self.owner[np.isin(self.ids, codes)]] = True
        return mask

    def code_of(self, value: str) -> int | None:
        return self._codes.get(value)

    def counts(self, present: np.ndarray) -> np.ndarray:
        """How many of the articles ``present`` (indices, each once) have each value."""
        if self.code is not None:
            return np.bincount(self.code[present], minlength=len(self.names) + 1)[: len(self.names)]
        if 4 * len(present) > len(self.ptr):  # most articles: one pass over every value is cheaper
            chosen = np.zeros(len(self.ptr) - 1, dtype=bool)
            chosen[present] = True
            return np.bincount(self.ids[chosen[self.owner]], minlength=len(self.names))
        starts, ends = self.ptr[present], self.ptr[present + 1]
        lengths = ends - starts
        idx = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(int(lengths.sum()))
        return np.bincount(self.ids[idx], minlength=len(self.names)) if len(idx) else np.zeros(len(self.names), np.int64)

    def first(self, size: int) -> np.ndarray:
        """Each article's first value, as text ("" for none): what orders by this field."""
        out = np.full(size, "", dtype=object)
        has = np.diff(self.ptr) > 0
        out[has] = np.array(self.names, dtype=object)[self.ids[self.ptr[:-1][has]]] if len(self.names) else ""
        return out.astype(str)


def _terms(article: dict, name: str) -> list[str]:
    return list((article.get("fields") or {}).get(name) or [])


class ArticleTable:
    """Made for every index version (after each edit): a few vectorised passes over the
    articles, ~10 ms at 10,000."""

    def __init__(self, articles: list[dict], live: np.ndarray):
        self.articles = articles
        self.live = live
        self.by_slug = {a["slug"]: i for i, a in enumerate(articles) if live[i]}
        self.columns = {f.name: Column([_terms(a, f.name) for a in articles]) for f in registry().indexed}
        # reading paths are found beside the results, never counted among them (search.ranking)
        self.is_path = self.columns["type"].mask([PATH_TYPE], len(articles)) if "type" in self.columns \
            else np.zeros(len(articles), dtype=bool)
        titles = np.array([a["title"] for a in articles], dtype=object).astype(str)
        self.ranks = {f.name: self._newest_first(self.columns[f.name].first(len(articles)), titles)
                      for f in registry().sortable}
        self._types: dict[tuple, np.ndarray] = {}

    @staticmethod
    def _newest_first(values: np.ndarray, titles: np.ndarray) -> np.ndarray:
        """Each article's place when ordered by ``values``, highest first; ties by title, as
        the site's lists."""
        order = np.lexsort((titles, values))[::-1] if len(values) else np.zeros(0, np.int64)
        rank = np.empty(len(values), dtype=np.int64)
        rank[order] = np.arange(len(values))
        return rank

    def __len__(self) -> int:
        return len(self.articles)

    def filter_mask(self, filters: dict[str, list[str]], scope=None) -> np.ndarray:
        """Live articles passing every filter (values of one filter are alternatives) and in the
        reader's ``scope`` (search.interface.Scope); a filter on a field the index does not keep
        passes nothing."""
        mask = self.live.copy()
        for name, values in filters.items():
            column = self.columns.get(name)
            mask &= column.mask(values, len(self.articles)) if column is not None else False
        if scope:
            mask &= self.scope_mask(scope)
        return mask

    def type_mask(self, types) -> np.ndarray:
        """The articles of any of ``types`` (kb.article.TYPES), once per index version."""
        key = tuple(types)
        if key not in self._types:
            column = self.columns.get("type")
            self._types[key] = column.mask(list(key), len(self.articles)) if column is not None \
                else np.zeros(len(self.articles), dtype=bool)
        return self._types[key]

    def scope_mask(self, scope) -> np.ndarray:
        """The articles a reader of ``scope`` may see (hidden values out; limited fields held to
        their allowed values, an article without values there passing)."""
        size = len(self.articles)
        mask = np.ones(size, dtype=bool)
        for name, values in scope.hide.items():
            if name in self.columns:
                mask &= ~self.columns[name].mask(list(values), size)
        for name, values in scope.only.items():
            if name in self.columns:
                column = self.columns[name]
                mask &= (np.diff(column.ptr) == 0) | column.mask(list(values), size)
        return mask

    def facets(self, present: np.ndarray) -> dict[str, dict[str, int]]:
        """Counts over the articles ``present`` (indices, each once), for every facet field: a
        choice field's values in the registry's order, the others most frequent first."""
        out = {}
        for f in registry().facets:
            column = self.columns[f.name]
            counts = column.counts(present)
            if f.choices:
                at = [(k, column.code_of(k)) for k in f.choices]
                out[f.name] = {k: int(counts[i]) for k, i in at if i is not None and counts[i]}
            else:
                out[f.name] = _most_common(column.names, counts, VALUE_FACETS if f.kind in ("list", "slugs") else None)
        return out


def _most_common(names: list[str], counts: np.ndarray, limit: int | None) -> dict[str, int]:
    """The values counted, most frequent first, ties by value: ``names`` are sorted, so their
    indices order them as the values do (thousands of tags at 50,000 articles: no Python sort)."""
    found = np.flatnonzero(counts)
    order = found[np.lexsort((found, -counts[found]))]
    if limit:
        order = order[:limit]
    return {names[i]: int(counts[i]) for i in order.tolist()}
