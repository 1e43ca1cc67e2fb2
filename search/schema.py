"""The index schema: one document per article (title, summary, tags, lead) and one per section.

Every document carries its article's slug, type, category, tags and updated date, so a
section hit can be filtered, counted and sorted like its article, and links to its anchor.
"""
from __future__ import annotations

from whoosh import fields

from .analyzer import chinese_analyzer

SCHEMA_VERSION = "12"

# All searchable words of a document go into one field: title, heading, tags and text. Measured on
# bench/eval_queries.yaml, this beat separate boosted fields (title 2, heading 2, tags 1.5, body 1)
# by 5.7 points of Hit@1 and is about twice as fast to match (docs/benchmarks.md).
TEXT_FIELD = "content"
# Per-article values read from columns for facets, sorting and titles (search.query).
ARTICLE_COLUMNS = ("slug", "article_title", "type", "category", "updated", "tag_list")
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
        article_title=fields.ID(stored=True, sortable=True),
        text=fields.STORED(),  # plain text shown in snippets
        content=fields.TEXT(analyzer=words, phrase=True),
        type=fields.ID(stored=True, sortable=True),
        category=fields.ID(stored=True, sortable=True),
        tag=fields.KEYWORD(stored=True, commas=True, scorable=False),
        tag_list=fields.COLUMN(),  # the tags again, "a,b" in UTF-8, readable without unpickling
        updated=fields.ID(stored=True, sortable=True),  # ISO date
    )
