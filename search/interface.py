"""The search boundary: what the web and the CLI may ask of a search engine.

``SearchEngine`` is the whole interface — index, update, search, suggest words, ready, close,
and what editors of the synonyms list need (the words of a query, a check of the list) —
and ``open_engine`` the one place that chooses an implementation (``Config.search_backend``, a
dotted path; the default is ``search.engine:Engine``, Whoosh plus the ranking matrix). Results
come back as ``search.results`` values, errors as the exceptions below; nothing of Whoosh
crosses this line, so a faster core or another engine slots in without touching web/.
"""
from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from kb.article import Problem
from kb.config import Config

from .results import Report, SearchResult, Suggestion

DEFAULT_BACKEND = "search.engine:Engine"


class SearchError(RuntimeError):
    """Base of the errors a search engine raises to its callers."""

    status = 500
    code = "search_error"


class IndexUnavailable(SearchError):
    """There is no index to search yet, or it cannot be read (it is being built)."""

    status = 503
    code = "index_not_ready"


class IndexBusy(SearchError):
    """Another process is writing the index and did not finish in time."""

    status = 503
    code = "index_busy"


class SearchEngine(ABC):
    """One open index, safe to use from many threads at once."""

    config: Config

    @abstractmethod
    def index(self, rebuild: bool = False, progress: bool = False, catalog=None) -> Report:
        """Bring the index up to date with the whole content folder (rebuild when asked,
        missing or built by another version); ``catalog`` when the caller loaded it already."""

    @abstractmethod
    def update(self, paths: list[str]) -> Report:
        """Re-index these content files (paths relative to the content folder): after a save,
        or when the file watcher reports them."""

    @abstractmethod
    def search(self, text: str, limit: int = 10, page: int = 1, type: str | None = None,
               tag: str | None = None, category: str | None = None, sort: str = "relevance",
               correct: bool = True, deadline: float | None = None) -> SearchResult:
        """Raises IndexUnavailable when there is no index to search. With ``correct``, a query
        that finds nothing is answered by its correction (``corrected_from`` says so), and one that
        finds much less than its correction gets it as ``suggestion``. At ``deadline`` (a
        ``time.monotonic()`` value; by default ``Config.search_budget_ms`` from now) the search
        answers with what it has found, marked ``incomplete``."""

    @abstractmethod
    def suggest_words(self, text: str) -> str | None:
        """The query with its words replaced by index words it probably meant (homophone
        typos: 办工室 → 办公室; pinyin: baomi → 保密), or None when nothing needs correcting."""

    @abstractmethod
    def suggest(self, text: str, limit: int = 8) -> list[Suggestion]:
        """Titles, section headings and tags for what is being typed (also by pinyin)."""

    def words(self, text: str) -> list[str]:
        """The words a query is looked up by, as this engine splits and folds it (保密原則 →
        保密, 原则): what a synonym has to be to take effect."""
        from .analyzer import query_words

        return query_words(text)

    def check_synonyms(self, text: str) -> list[Problem]:
        """What is wrong with ``text`` as the synonyms file (kb.synonyms), line by line, as this
        engine reads it: errors stop a save, warnings do not."""
        from .synonyms import check

        return check(text)

    @abstractmethod
    def partial_matches(self, text: str, limit: int = 5, deadline: float | None = None) -> SearchResult:
        """For a search that found nothing: results sharing some characters with the query
        (within ``deadline``, as ``search``)."""

    @abstractmethod
    def ready(self) -> bool:
        """An index is there to be searched."""

    @abstractmethod
    def close(self) -> None:
        """Release open files."""


def open_engine(config: Config, **options) -> SearchEngine:
    """The search engine ``config`` names, over its index folder."""
    name = getattr(config, "search_backend", "") or DEFAULT_BACKEND
    module, _, cls = name.partition(":")
    engine_class = getattr(importlib.import_module(module), cls)
    return engine_class(config, **options)
