"""The index schema: one document per article (title, summary, tags, lead) and one per section.

Every document carries its article's slug, type, category, tags and updated date, so a
section hit can be filtered, counted and sorted like its article, and links to its anchor.
"""
from __future__ import annotations

from whoosh import fields

from .analyzer import chinese_analyzer

SCHEMA_VERSION = "10"

# Field weights used by queries, measured on bench/eval_queries.yaml (docs/benchmarks.md).
WEIGHTS = {"title": 2.0, "heading": 2.0, "tags": 1.5, "body": 1.0}
# Weight of a match inside a longer index word (see search.vocabulary), relative to a whole word.
PARTIAL = 0.4


def build_schema(dictionary: tuple[str, ...] = ()) -> fields.Schema:
    words = chinese_analyzer(dictionary)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),  # "slug" or "slug#anchor"
        path=fields.ID(stored=True),  # content file, relative: the unit of incremental updates
        kind=fields.ID(stored=True),  # "article" or "section"
        slug=fields.ID(stored=True, sortable=True),  # a column: grouping reads it per matched document
        anchor=fields.STORED(),
        section=fields.STORED(),  # the section's heading text
        heading_path=fields.STORED(),  # parent headings, a list
        article_title=fields.STORED(),
        text=fields.STORED(),  # plain text shown in snippets
        title=fields.TEXT(analyzer=words, phrase=True),
        heading=fields.TEXT(analyzer=words, phrase=True),
        tags=fields.TEXT(analyzer=words, phrase=False),
        body=fields.TEXT(analyzer=words, phrase=True),
        type=fields.ID(stored=True),
        category=fields.ID(stored=True),
        tag=fields.KEYWORD(stored=True, commas=True, scorable=False),
        updated=fields.ID(stored=True, sortable=True),  # ISO date
    )
