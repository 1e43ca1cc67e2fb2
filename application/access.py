"""Who may read what: the one place every endpoint asks.

A ``Reader`` is who is asking (anonymous, or an account with its role and groups). ``Access``
holds the rules; each rule answers for one article (``allows``, for pages, lists, feeds, the
sitemap, related articles, reading paths and the API) and says the same declaratively for search
(``scope``, a search.interface.Scope the engine applies before counting, so that totals and
facets are right for each reader). With no rule everything is visible and nothing is filtered.

A rule is added where its field is declared — a draft (lifecycle) or a restricted article
(readers) — by appending to ``RULES`` or passing ``Access(rules)``.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from kb.fields import EVERYONE
from kb.store import Catalog
from kb.users import ROLES
from search.interface import EVERYTHING, Scope

ROLE_ORDER = {role: rank for rank, role in enumerate(ROLES)}  # reader < editor < approver < admin


@dataclass(frozen=True)
class Reader:
    name: str = ""  # "" for an anonymous visitor
    role: str = "reader"  # kb.users.ROLES: reader, editor, approver, admin
    groups: frozenset[str] = field(default_factory=frozenset)

    def at_least(self, role: str) -> bool:
        return ROLE_ORDER.get(self.role, -1) >= ROLE_ORDER[role]


ANONYMOUS = Reader()


class Rule(Protocol):
    def allows(self, meta: dict, reader: Reader) -> bool:
        """Whether ``reader`` may see the article with these field values (kb.fields)."""

    def scope(self, reader: Reader) -> Scope:
        """The same, as a search engine applies it."""


class Drafts:
    """A draft (``status: draft``, kb.fields) is for editors: readers never see it, anywhere."""

    def allows(self, meta: dict, reader: Reader) -> bool:
        return meta.get("status") != "draft" or reader.at_least("editor")

    def scope(self, reader: Reader) -> Scope:
        return EVERYTHING if reader.at_least("editor") else Scope(hide={"status": ("draft",)})


class Readers:
    """An article naming its ``readers`` (kb.fields; a folder's ``_folder.yaml`` may name them for
    its articles, kb.folders) is for those groups: anyone else — anonymous visitors, accounts of
    other groups, editors too — never sees it, anywhere; ``全体`` opens it to everyone. Admins see
    everything: they give groups to accounts, so hiding anything from them would only pretend.

    The scope limits ``readers`` to the reader's groups and 全体: an article without readers is
    not limited (search.interface.Scope ``only``), so the engine leaves the others out before
    counting, and totals, facets and suggestions are the reader's own."""

    def allows(self, meta: dict, reader: Reader) -> bool:
        readers = meta.get("readers") or ()
        return not readers or reader.at_least("admin") or bool({EVERYONE, *reader.groups} & set(readers))

    def scope(self, reader: Reader) -> Scope:
        if reader.at_least("admin"):
            return EVERYTHING
        return Scope(only={"readers": tuple(sorted({EVERYONE, *reader.groups}))})


RULES: list[Rule] = [Drafts(), Readers()]


def _merge(scopes: list[Scope]) -> Scope:
    hide: dict[str, tuple[str, ...]] = {}
    only: dict[str, tuple[str, ...]] = {}
    for s in scopes:
        for name, values in s.hide.items():
            hide[name] = tuple(dict.fromkeys(hide.get(name, ()) + tuple(values)))
        for name, values in s.only.items():
            # two rules limiting one field: an article must satisfy both
            only[name] = tuple(v for v in only[name] if v in values) if name in only else tuple(values)
    return Scope(hide, only) if hide or only else EVERYTHING


class Access:
    CACHE = 8  # readers' views of the catalog kept (one per distinct scope: a handful of groups)

    def __init__(self, rules: list[Rule] | None = None):
        self.rules = RULES if rules is None else rules
        self._views: dict[tuple, tuple[Catalog, Catalog]] = {}
        self._lock = threading.Lock()

    def can_read(self, meta: dict, reader: Reader) -> bool:
        return all(rule.allows(meta, reader) for rule in self.rules)

    def scope(self, reader: Reader) -> Scope:
        return _merge([rule.scope(reader) for rule in self.rules])

    def catalog_for(self, catalog: Catalog, reader: Reader) -> Catalog:
        """``catalog`` as ``reader`` may see it: articles they may not read are not in it (so no
        list, link check, feed or lookup by slug finds them); the same catalog when nothing is
        hidden from them."""
        if not self.rules:
            return catalog
        key = (id(catalog), self.scope(reader).key())  # readers of one scope see the same catalog
        with self._lock:
            kept = self._views.get(key)  # (the catalog, kept alive so that its id is not reused; the view)
        if kept is None:
            hidden = {id(a) for a in catalog.articles if not self.can_read(a.meta, reader)}
            gone = {slug for slug, r in catalog.removed.items() if not self.can_read(r.meta(catalog.root), reader)}
            kept = (catalog, catalog.without(hidden, gone) if hidden or gone else catalog)
            with self._lock:
                if len(self._views) >= self.CACHE:
                    self._views.pop(next(iter(self._views)))
                self._views[key] = kept
        return kept[1]
