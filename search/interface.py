"""The search boundary: what the application (and through it the web and the CLI) may ask of a
search engine, and the one place that chooses an engine.

An engine is given ``EngineSetup`` — where the content is and the words it searches by, not the
site's whole configuration — its own typed settings section (``SearchEngine.Settings``, read
from ``[search.<name>]`` in the configuration file and ``KB_SEARCH_<NAME>_<SETTING>``), and the
ranking parameters. It is asked with a ``Query`` (text, filters by the field registry's names,
order, page, deadline) and answers with ``search.results`` values, re-exported here: nothing
outside ``search/`` imports another search module. Health and freshness are the engine's to
answer (``health``). ``tests/search/test_contract.py`` is the suite every engine must pass; it
runs against the fast engine (``whoosh``: Whoosh plus the ranking matrix) and the reference
(``reference``: Whoosh's own matching and scoring, slow, for tests and checks).
"""
from __future__ import annotations

import dataclasses
import importlib
import os
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from kb.article import Problem
from kb.config import MAX_ARTICLE_BYTES, Config, SettingError, parse_settings, settings_schema
from kb.pins import FILE as PINS_FILE

from .parameters import DEFAULT as DEFAULT_PARAMETERS
from .parameters import Parameters
from .parse import parse_query
from .results import Hit, Report, SearchResult, Suggestion

__all__ = ["SearchError", "IndexUnavailable", "IndexBusy", "EngineSetup", "Scope", "EVERYTHING", "Query", "Health",
           "SearchEngine",
           "open_engine", "BACKENDS", "Hit", "Report", "SearchResult", "Suggestion", "Parameters"]

BACKENDS = {
    "whoosh": "search.engine:Engine",
    "reference": "search.reference:ReferenceEngine",
}


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


@dataclass(frozen=True)
class EngineSetup:
    """What a site gives its search engine."""

    content_dir: Path
    index_path: Path  # where the engine may keep its files (this node's own)
    dictionary_path: Path  # the domain's words (content/_dictionary.txt)
    synonyms_path: Path  # editors' synonyms (content/_synonyms.txt)
    max_article_bytes: int = MAX_ARTICLE_BYTES
    search_budget_ms: int = 1000  # a search answers with what it has after this long; 0: no limit
    pins_path: Path | None = None  # editors' best bets (content/_pins.txt, kb.pins)

    @classmethod
    def of(cls, config: Config) -> "EngineSetup":
        return cls(Path(config.content_dir), Path(config.index_path), config.dictionary_path, config.synonyms_path,
                   config.max_article_bytes, config.search_budget_ms, Path(config.content_dir) / PINS_FILE)


@dataclass(frozen=True)
class Scope:
    """Which articles a reader may see, said so that every engine can apply it before counting
    (totals, facets and pages are then right for each reader). Both parts name fields of the
    registry (kb.fields):

    - ``hide``: an article with any of these values is left out (``status: draft``);
    - ``only``: an article that has values in this field must have one of these
      (``readers: [财务处, 全体]``); an article without values there is not limited by it.
    """

    hide: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    only: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.hide or self.only)

    def key(self) -> tuple:
        """A value to cache results by: two readers of the same scope see the same results."""
        return (tuple(sorted((k, tuple(v)) for k, v in self.hide.items())),
                tuple(sorted((k, tuple(v)) for k, v in self.only.items())))

    def hiding(self, hidden: Mapping[str, tuple[str, ...]]) -> "Scope":
        """This scope, also leaving out the articles with any of these values."""
        hide = {name: tuple(dict.fromkeys((*self.hide.get(name, ()), *values))) for name, values in hidden.items()}
        return Scope({**self.hide, **hide}, self.only)

    def allows(self, values: Mapping[str, list[str]]) -> bool:
        """Whether an article with these field values (name -> terms) is in scope."""
        if any(set(values.get(name) or ()) & set(hidden) for name, hidden in self.hide.items()):
            return False
        return all(not values.get(name) or set(values[name]) & set(allowed) for name, allowed in self.only.items())


EVERYTHING = Scope()


@dataclass(frozen=True)
class Query:
    """What to look for. ``filters`` maps a field of the registry (kb.fields: "type", "tags",
    "category", …) to the values any of which an article must have; filters typed in ``text``
    (``类型:清单``) are added to them. ``sort`` is "relevance" or a sortable field, newest first.
    ``deadline`` is a ``time.monotonic()`` value; None gives the engine's budget from now."""

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    limit: int = 10
    correct: bool = True  # answer a query that finds nothing by its correction
    deadline: float | None = None
    scope: Scope = EVERYTHING  # what the reader may see (the application decides; search.interface.Scope)

    def until(self, budget_ms: int) -> float | None:
        """The deadline, or one ``budget_ms`` from now (None: no limit)."""
        if self.deadline is not None:
            return self.deadline
        return time.monotonic() + budget_ms / 1000 if budget_ms > 0 else None

    def with_text(self, text: str) -> "Query":
        return dataclasses.replace(self, text=text)

    def names(self, name: str) -> bool:
        """Whether the query filters by field ``name`` itself — a value in ``filters``, or typed
        (``状态:废止``, ``status:repealed``, ``状态:全部``): then the application leaves no value
        of it out on its own (application.site: repealed articles)."""
        if self.filters.get(name):
            return True
        parsed = parse_query(self.text)
        return bool(parsed.filters.get(name)) or name in parsed.every


@dataclass
class Health:
    """Whether the engine can search, and how current it is.

    ``status``: "ok"; "degraded" (searchable, but its storage cannot take updates: the reason in
    ``error``); "indexing" (nothing to search yet); "error" (nothing to search, and why)."""

    status: str
    error: str | None = None
    articles: int = 0  # articles searchable now
    version: int = 0  # counts the index's commits: one more after each update that changed it
    updated_at: float | None = None  # when the last commit was made (epoch seconds)

    @property
    def searchable(self) -> bool:
        return self.status in ("ok", "degraded")


class SearchEngine(ABC):
    """One open index, safe to use from many threads at once."""

    @dataclass(frozen=True)
    class Settings:
        """This engine's own settings (none by default): a dataclass of ``kb.config.setting``
        fields, read from ``[search.<name>]``."""

    def __init__(self, setup: EngineSetup, settings=None, parameters: Parameters = DEFAULT_PARAMETERS):
        self.setup = setup
        self.settings = settings if settings is not None else self.Settings()
        self.parameters = parameters

    @abstractmethod
    def index(self, rebuild: bool = False, progress: bool = False, catalog=None) -> Report:
        """Bring the index up to date with the whole content folder (rebuild when asked,
        missing or built by another version); ``catalog`` when the caller loaded it already."""

    @abstractmethod
    def update(self, paths: list[str], articles: dict | None = None, force: bool = False) -> Report:
        """Re-index these content files (paths relative to the content folder) whose bytes the
        index does not have yet: after a save, or when the file watcher reports them.
        ``articles``: rel_path -> Article the caller has just read from those files. ``force``:
        re-index them although their bytes did not change (a date changed what they mean:
        a repeal date that has come, kb.lifecycle)."""

    @abstractmethod
    def search(self, query: Query) -> SearchResult:
        """Raises IndexUnavailable when there is no index to search. With ``query.correct``, a
        query that finds nothing is answered by its correction (``corrected_from`` says so), and
        one that finds much less than its correction gets it as ``suggestion``. At the deadline
        the search answers with what it has found, marked ``incomplete``. The first page of a
        search by relevance starts with the best bets pinned for what the query means
        (search.pins; ``Hit.pinned``) that the query's filters and scope let through; every
        result says which query words it matched (``Hit.matched``), and the result which
        distinctive words none had (``SearchResult.covering``, search.coverage)."""

    @abstractmethod
    def partial_matches(self, query: Query) -> SearchResult:
        """For a search that found nothing: results sharing some characters with the query
        (shown as 「部分匹配」, never as answers)."""

    @abstractmethod
    def suggest_words(self, text: str) -> str | None:
        """The query with its words replaced by index words it probably meant (homophone
        typos: 办工室 → 办公室; pinyin: baomi → 保密), or None when nothing needs correcting."""

    @abstractmethod
    def suggest(self, text: str, limit: int = 8, scope: Scope = EVERYTHING) -> list[Suggestion]:
        """Titles, section headings and tags for what is being typed (also by pinyin), of the
        articles in ``scope``."""

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

    def check_pins(self, text: str) -> list[Problem]:
        """What is wrong with ``text`` as the best-bets file (kb.pins), line by line, as this
        engine reads it: errors stop a save, warnings do not."""
        from .pins import check

        return check(text, self.words)

    def indexed_articles(self) -> tuple[object, list] | None:
        """(version, articles): the articles the index's current version was made from, as the
        site lists them (kb.article.Article without its text), kept with the index so that a
        site opens its catalog at start instead of reading every file's front matter (10,000
        articles: see docs/benchmarks.md). The version changes with every commit. None when the
        engine keeps none, or there is no index yet: the site then reads the folder."""
        return None

    @abstractmethod
    def health(self) -> Health:
        """Whether there is an index to search, whether it can be updated, how current it is."""

    def ready(self) -> bool:
        """An index is there to be searched."""
        return self.health().searchable

    def warm(self) -> None:
        """Load now what the first searches would load (lookups made at first use): a server
        calls it before forking its workers, which then share it instead of each making its own."""

    @abstractmethod
    def close(self) -> None:
        """Release open files."""


def _backend_class(name: str) -> tuple[str, type[SearchEngine]]:
    target = BACKENDS.get(name or "whoosh", name)
    module, _, cls = target.partition(":")
    try:
        engine_class = getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError, ValueError):
        raise SettingError(f"设置 search_backend 的值 “{name}” 无效：应为 {'、'.join(BACKENDS)}，"
                           f"或实现了 search.interface.SearchEngine 的“模块:类”") from None
    return (name or "whoosh").replace(".", "_").replace(":", "_"), engine_class


def engine_settings(name: str, engine_class: type[SearchEngine], table: Mapping):
    """The backend's settings: ``[search.<name>]`` of the configuration file, then
    ``KB_SEARCH_<NAME>_<SETTING>`` environment variables."""
    schema = engine_class.Settings
    known = {n for n, *_ in settings_schema(schema)}
    own = dict(table.get(name) or {})
    unknown = set(own) - known
    if unknown:
        raise SettingError(f"[search.{name}] 里有未知的设置项：{', '.join(sorted(unknown))}"
                           f"（{name} 的设置：{', '.join(sorted(known)) or '无'}）")
    given = {k: (v, f"配置文件的 [search.{name}]", False) for k, v in own.items()}
    for key in known:
        env = os.environ.get(f"KB_SEARCH_{name.upper()}_{key.upper()}")
        if env is not None:
            given[key] = (env, f"环境变量 KB_SEARCH_{name.upper()}_{key.upper()}", True)
    try:
        return parse_settings(schema, given)
    except SettingError as exc:
        raise SettingError(str(exc).replace("设置 ", f"设置 search.{name}.", 1)) from None


def open_engine(config: Config, parameters: Parameters = DEFAULT_PARAMETERS, **settings) -> SearchEngine:
    """The search engine ``config`` names, over this node's index; ``settings`` override the
    backend's own (tests, benchmarks)."""
    name, engine_class = _backend_class(config.search_backend)
    chosen = engine_settings(name, engine_class, config.search or {})
    if settings:
        chosen = dataclasses.replace(chosen, **settings)
    return engine_class(EngineSetup.of(config), chosen, parameters)
