"""A guideline's life in ranking: a rule in force (现行) before one on trial (试行), and a repealed
one (废止) never above the rule that replaced it.

The lifecycle fields are the registry's (kb.fields: ``status``, ``superseded_by``, ``supersedes``,
issue 17). What ranking needs of them is kept with each article in the index — the matrix's
article table and Whoosh's stored fields, so that both engines rank alike — and applied in two
steps, the formulas in ``search.parameters.Parameters``: every document of an article is scaled by
its status (``status_factor``), and once the scores are final, a repealed article whose
replacement is also among the matches is held just below the replacement's best score
(``below``). A repealed rule without a replacement still answers, lower down: staff looking up an
old rule must find what it said.
"""
from __future__ import annotations

import datetime as dt

from kb import lifecycle as life

REPEALED = "repealed"
IN_FORCE = ("", "current", "revising")  # 现行, and 修订中 (still in force while it is being revised)


def of(meta: dict) -> dict:
    """What the index keeps of an article's lifecycle: its status and which articles replace it
    (its ``superseded_by``); the reverse links (``supersedes``) are kept too, so that either side
    of a replacement being written is enough."""
    supersedes = meta.get("supersedes") or []
    status = "repealed" if life.repealed(meta, dt.date.today()) else str(meta.get("status") or "")
    return {"status": status, "superseded_by": str(meta.get("superseded_by") or ""),
            "supersedes": [str(s) for s in (supersedes if isinstance(supersedes, (list, tuple)) else [supersedes])]}


def replacements(lives: dict[str, dict]) -> dict[str, set[str]]:
    """slug -> the slugs of the articles that replace it and are in force, for the repealed
    articles among ``lives`` (slug -> ``of``)."""
    out: dict[str, set[str]] = {}
    for slug, life in lives.items():
        if life.get("status") == REPEALED and life.get("superseded_by"):
            out.setdefault(slug, set()).add(life["superseded_by"])
        for old in life.get("supersedes") or []:
            if lives.get(old, {}).get("status") == REPEALED:
                out.setdefault(old, set()).add(slug)
    return {old: {n for n in new if lives.get(n, {}).get("status", "") in IN_FORCE} for old, new in out.items()}
