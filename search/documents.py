"""What an article becomes in the index: its own document, and one document per section.

A section is the unit of an answer: its document holds its heading and its own text, with the
article's title as context. The article's own document holds the title, tags, summary and the
lead text before the first heading; it answers queries about the article as a whole.

A document's *head* is a section's heading, or the title in the article's own document: a query
that covers much of a head names what the document is about (search.ranking rewards it).
Every word is weighted by the zone it stands in (``search.parameters.Zones``). Every document
also carries the article's indexed fields (kb.fields: those that filter, count or sort), so that
filters and facets concern articles whichever of their documents matched.
"""
from __future__ import annotations

import datetime as dt

from kb import attachments, docno, extract, fields
from kb import lifecycle as life
from kb.article import Article, Section
from kb.defaults import summary_repeats_lead
from kb.reading_paths import ReadingPath
from kb.links import strip_citations
from kb.render import plain_text
from kb.sections import without_ordinal

from . import lifecycle
from .analyzer import Exact, prepare
from .folding import fold
from .parameters import Zones

FIELD_PREFIX = "f_"  # an indexed article field in Whoosh: never clashes with the schema's own names
SNIPPET_SOURCE_CHARS = 600  # text of subsections kept for the snippet of a section without its own


def field_terms(article: Article) -> dict[str, list[str]]:
    """The article's value of every indexed field (kb.fields), as terms; the date it was last
    changed stands for ``updated`` when it has none (a file that says only when it was published)."""
    out = {f.name: f.terms(article.meta.get(f.name, f.empty)) for f in fields.registry().indexed}
    if "status" in out and life.repealed(article.meta, dt.date.today()):  # its repeal date has come
        out["status"] = ["repealed"]
    if "updated" in out and not out["updated"] and article.published:
        out["updated"] = [article.published.isoformat()]
    return out


def stored_fields(terms: dict[str, list[str]]) -> dict[str, str]:
    """Indexed field values as Whoosh fields (search.schema: ``f_<name>``, values comma-joined)."""
    return {FIELD_PREFIX + name: ",".join(values) for name, values in terms.items()}


def article_fields(article: Article) -> dict:
    """The fields every document of an article carries (for filters, facets and display)."""
    return {"path": article.rel_path, "slug": article.slug, "article_title": article.title,
            "lifecycle": lifecycle.of(article.meta), **stored_fields(field_terms(article))}


def number_terms(value: str) -> list[str]:
    """The index terms of a document number (kb.docno): as GB/T 9704 writes it, and without
    its agency code (「〔2024〕12号」, for a query that leaves the code apart or out). A value
    that is no number has none: its words are indexed as written."""
    found = docno.parse(value) if value else None
    if found is None:
        return []
    return list(dict.fromkeys(fold(found.text(p)).lower() for p in (found.prefix, "")))


def _section_text(section: Section) -> str:
    return plain_text(strip_citations(section.text))


def _descendant_text(sections: list[Section], i: int) -> str:
    """Text of the subsections of ``sections[i]``: what a heading without text of its own
    introduces, shown as its snippet."""
    level, parts, size = sections[i].level, [], 0
    for s in sections[i + 1 :]:
        if s.level <= level:
            break
        text = _section_text(s)
        if text:
            parts.append(f"{s.heading}：{text}" if s.heading else text)
            size += len(parts[-1])
        if size >= SNIPPET_SOURCE_CHARS:
            break
    return "\n".join(parts)


def documents(article: Article, dictionary: tuple[str, ...] = (), zones: Zones = Zones()) -> list[dict]:
    """The article's own document, then one per section, as Whoosh field values; ``content``
    is a ``Prepared`` value whose tokens also feed the ranking matrix."""
    common = article_fields(article)
    sections = article.sections
    lead_section = next((s for s in sections if not s.anchor), None)
    lead = _section_text(lead_section) if lead_section is not None else ""
    # the summary is left out of what the result shows when the lead starts with it (an import's
    # summary, the default one): the snippet said the same words twice
    summary = "" if lead_section is not None and summary_repeats_lead(article.summary, lead_section.text) \
        else article.summary
    number = article.meta.get("doc_no") or ""
    docs = [{
        **common,
        "id": article.slug,
        "kind": "article",
        "anchor": "",
        "section": None,
        "heading_path": [],
        # what the result shows: the summary, the lead, and the tags (a match may be there)
        "text": "\n".join(filter(None, [summary, lead, "标签：" + "、".join(article.tags) if article.tags else "",
                                      f"文号：{number}" if number else ""])),
        # a document number weighs as the title does: typed whole, it names this article
        "content": prepare([(article.title, zones.title, True), (Exact(" ".join(number_terms(number))), zones.title, False),
                            (number, zones.tags, False), (" ".join(article.tags), zones.tags, False),
                            (article.summary, zones.summary, False), (lead, zones.lead, False)], dictionary),
    }]
    for i, s in enumerate(sections):
        if not s.anchor:
            continue
        own = _section_text(s)
        docs.append({
            **common,
            "id": f"{article.slug}#{s.anchor}",
            "kind": "section",
            "anchor": s.anchor,
            "section": s.heading,
            "heading_path": list(s.path),
            "text": own or _descendant_text(sections, i),
            # the heading's words without its outline number: 「（一）」 says nothing of the section
            "content": prepare([(article.title, zones.context, False), (without_ordinal(s.heading), zones.heading, True),
                                (own, zones.body, False)], dictionary),
        })
    docs += attachment_documents(article, common, dictionary, zones)
    for doc in docs:
        # whether the text shown needs folding before words are marked in it (search.highlight)
        doc["folds"] = fold(doc["text"]) != doc["text"]
    return docs


def attachment_documents(article: Article, common: dict, dictionary: tuple[str, ...] = (),
                         zones: Zones = Zones()) -> list[dict]:
    """One document per attachment of the article (kb.attachments), found by the words of its
    text (kb.extract) and its name, shown as 「附件：报销单.xlsx」 and linked to the file: a
    section of the article, as far as ranking, filters and access rules go."""
    root = attachments.root_of(article)
    docs = []
    for a in attachments.listing(root, article.rel_path):
        text, _ = extract.text_of(root / a.rel_path, a.kind, root)
        heading = f"附件：{a.name}"
        docs.append({
            **common, "id": f"{article.slug}#{a.anchor}", "kind": "section", "anchor": a.anchor, "section": heading,
            "heading_path": [], "text": text,
            "content": prepare([(article.title, zones.context, False), (without_ordinal(heading), zones.heading, True),
                                (text, zones.body, False)], dictionary),
        })
    return docs


def attachment_link(slug: str, anchor: str) -> dict | None:
    """What a hit shown by an attachment's document says of it (search.results.Hit.attachment):
    its name and where to download it; None for any other document."""
    name = attachments.name_from_anchor(anchor or "")
    return {"name": name, "url": attachments.url(slug, name)} if name else None


PATH_TYPE = "path"  # the type of a reading path's document; not one of kb.article.TYPES
PATH_CATEGORY = "阅读路径"


def path_slug(reading: ReadingPath) -> str:
    """Reading paths share the slug space of nothing else: "paths/newcomer"."""
    return f"paths/{reading.slug}"


def path_fields() -> dict[str, list[str]]:
    """A reading path's indexed fields: its own type and category, nothing else."""
    out: dict[str, list[str]] = {f.name: [] for f in fields.registry().indexed}
    out.update(type=[PATH_TYPE], category=[PATH_CATEGORY])
    return out


def path_documents(reading: ReadingPath, dictionary: tuple[str, ...] = (), zones: Zones = Zones()) -> list[dict]:
    """A reading path is found by its title and summary (「新员工」, 「入职」). Not by its items:
    a path may list an article some readers may not see (kb.fields ``readers``), and one index
    document serves every reader, so an item's title would show through the path's snippet."""
    return [{
        "path": reading.rel_path, "slug": path_slug(reading), "article_title": reading.title,
        **stored_fields(path_fields()), "id": path_slug(reading), "kind": "article",
        "anchor": "", "section": None, "heading_path": [],
        "text": reading.summary, "folds": True,
        "content": prepare([(reading.title, zones.title, True), (reading.summary, zones.summary, False)], dictionary),
    }]
