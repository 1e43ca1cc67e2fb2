"""The Whoosh schema: one document per article (title, tags, summary, lead) and one per section.

Whoosh is the index of record: every document's stored fields (what a result shows), its words
with their positions and zone-weighted frequencies (``content``, see search.documents), and the
article's slug and indexed fields (kb.fields: ``f_type``, ``f_tags``, …), so that the Whoosh
reference (search.reference) can match, filter and score exactly what the ranking matrix does.
"""
from __future__ import annotations

from whoosh import fields

from kb.fields import registry

from .analyzer import chinese_analyzer
from .documents import FIELD_PREFIX

# the schema's own layout and what its documents store; the article fields are in the registry's fingerprint
SCHEMA_VERSION = "24"  # 22: document numbers as index terms, each article's lifecycle for ranking; 23: the catalog kept with each generation; 24: its articles keep the media they show (kb.article.Article.media)
TEXT_FIELD = "content"


def build_schema(dictionary: tuple[str, ...] = ()) -> fields.Schema:
    article_fields = {FIELD_PREFIX + f.name: fields.KEYWORD(stored=True, commas=True, scorable=False)
                      for f in registry().indexed}
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),  # "slug" or "slug#anchor"
        path=fields.ID(stored=True),  # content file, relative: the unit of incremental updates
        kind=fields.ID(stored=True),  # "article" or "section"
        slug=fields.ID(stored=True),
        anchor=fields.STORED(),
        section=fields.STORED(),  # the section's heading text
        heading_path=fields.STORED(),  # parent headings, a list
        article_title=fields.STORED(),
        lifecycle=fields.STORED(),  # status and replacements (search.lifecycle)
        text=fields.STORED(),  # plain text shown in snippets
        folds=fields.STORED(),  # True when ``text`` has traditional or full-width characters
        content=fields.TEXT(analyzer=chinese_analyzer(dictionary), phrase=True),
        **article_fields,
    )
