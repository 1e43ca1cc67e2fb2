"""Markdown -> safe HTML for an article.

Python-Markdown with tables, fenced code, admonitions, attribute lists and pymdown's task
lists; heading ids come from the article's own sections (kb.sections) so that the anchors a
search hit links to are exactly the ids on the page; internal links are resolved to article
URLs; the result is sanitized by nh3, because Python-Markdown passes raw HTML through.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from typing import Callable

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .article import Article, article_url
from .scan import as_rendered
from .sections import slugify

# (article, href) -> (slug, anchor, error) or None for external links; see Catalog.resolve.
Resolver = Callable[[Article, str], "tuple[str | None, str, str] | None"]

_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"input", "mark", "section"}
_ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"style", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"start"},
    "code": set(),
}
_INPUT_VALUES = {"input": {"type": {"checkbox"}, "checked": {"", "checked"}, "disabled": {"", "disabled"}}}


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "iframe", "object", "embed"},
        attributes=_ALLOWED_ATTRIBUTES,
        tag_attribute_values=_INPUT_VALUES,
        url_schemes={"http", "https", "mailto", "tel"},
        filter_style_properties={"text-align"},
        link_rel=None,
    )


@dataclass
class Rendered:
    html: str
    toc: list[tuple[int, str, str]]  # (level, heading, anchor)


class _ArticleTree(Treeprocessor):
    """Gives headings their section anchors and resolves internal links."""

    def __init__(self, md, article: Article, resolve: Resolver | None):
        super().__init__(md)
        self.article = article
        self.resolve = resolve

    def run(self, root: etree.Element) -> None:
        self._set_heading_ids(root)
        for a in root.iter("a"):
            href = a.get("href", "")
            result = self.resolve(self.article, href) if self.resolve else None
            if result is None:
                continue
            slug, anchor, error = result
            if error and slug is None:
                a.set("class", "broken-link")
                a.set("title", error)
                a.attrib.pop("href", None)
            elif slug == self.article.slug and anchor:
                a.set("href", f"#{anchor}")
            else:
                a.set("href", article_url(slug, anchor or None))

    def _set_heading_ids(self, root: etree.Element) -> None:
        pending = [s for s in self.article.sections if s.anchor]
        used = {s.anchor for s in pending}
        for el in root:
            if el.tag not in ("h2", "h3", "h4", "h5", "h6"):
                continue
            text = "".join(el.itertext()).strip()
            if pending and pending[0].heading == text:
                el.set("id", pending.pop(0).anchor)
                continue
            base = slugify(text)  # a heading kb.sections did not see (e.g. setext style)
            anchor, n = base, 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            el.set("id", anchor)


class _ArticleExtension(Extension):
    def __init__(self, article: Article, resolve: Resolver | None):
        super().__init__()
        self.article, self.resolve = article, resolve

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's API)
        # After attr_list (priority 8) so explicit {#id} is already applied, before inline output.
        md.treeprocessors.register(_ArticleTree(md, self.article, self.resolve), "kb_article", 5)


def render_markdown(text: str) -> str:
    """Render a Markdown fragment that belongs to no article (reading paths, previews)."""
    return sanitize(_markdown([]).convert(as_rendered(text)))


def _markdown(extra: list) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "admonition",
            "attr_list",
            "def_list",
            "sane_lists",
            "pymdownx.tasklist",
            "pymdownx.tilde",
            "pymdownx.mark",
            *extra,
        ],
        extension_configs={"pymdownx.tasklist": {"custom_checkbox": False}},
    )


def render(article: Article, resolve: Resolver | None = None) -> Rendered:
    md = _markdown([_ArticleExtension(article, resolve)])
    html = sanitize(md.convert(as_rendered(article.body)))
    toc = [(s.level, s.heading, s.anchor) for s in article.sections if s.anchor]
    return Rendered(html=html, toc=toc)


_MD_NOISE = [
    (re.compile(r"```.*?```", re.S), lambda m: m.group(0).strip("`")),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"<[^>]+>"), ""),
    (re.compile(r"^\s*(?:[-*+]|\d+\.)\s+\[[ xX]\]\s+", re.M), ""),
    (re.compile(r"^\s*(?:[-*+]|\d+\.)\s+", re.M), ""),
    (re.compile(r"^\s*(?:>|!!!|\?\?\?)\s*\w*\s*", re.M), ""),
    (re.compile(r"^\s*\|?[\s:|-]+\|[\s:|-]*$", re.M), ""),
    (re.compile(r"\{[^{}]*#[\w\-]+[^{}]*\}"), ""),
    (re.compile(r"[|*_`~=#]+"), " "),
    (re.compile(r"[ \t]+"), " "),
    (re.compile(r"\n{2,}"), "\n"),
]


def plain_text(markdown_text: str) -> str:
    """Readable text of a Markdown fragment, for search snippets and the API.

    A light regex pass rather than a full render: the indexer calls it for every section.
    """
    text = markdown_text
    for pattern, repl in _MD_NOISE:
        text = pattern.sub(repl, text)
    return html.unescape(text).strip()
