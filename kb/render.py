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

from .article import SUBPAGES, Article, article_url
from .links import LINK_SCHEMES, safe_link, site_image
from .scan import as_rendered
from .sections import RESERVED_IDS, slugify

# (article, href) -> (slug, anchor, error) or None for external links; see Catalog.resolve.
Resolver = Callable[[Article, str], "tuple[str | None, str, str] | None"]

_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {"input", "mark", "section"}
ADMONITIONS = ("note", "tip", "hint", "important", "info", "warning", "caution", "attention", "danger", "error")
ALIGN_CLASSES = {"left": "align-left", "center": "align-center", "right": "align-right"}
# No ``style``, ``class`` or ``id`` from authors: a class or an inline style could draw a
# fixed-position fake notice with the page's own CSS, an id could take over an element the
# page's script looks up. Classes come from this allowlist (what the renderer and its Markdown
# extensions write); ids only on headings, and only the anchors the renderer set.
_ALLOWED_CLASSES = {
    "ul": {"task-list"},
    "li": {"task-list-item"},
    "div": {"admonition", *ADMONITIONS},
    "p": {"admonition-title"},
    "a": {"broken-link", "external-image"},
    "th": set(ALIGN_CLASSES.values()),
    "td": set(ALIGN_CLASSES.values()),
}
_ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang"},
    "a": {"href", "class"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "class"},
    "td": {"colspan", "rowspan", "class"},
    "ol": {"start"},
    **{tag: {"class"} for tag in ("ul", "li", "div", "p")},
    **{f"h{n}": {"id"} for n in range(2, 7)},
}
_INPUT_VALUES = {"input": {"type": {"checkbox"}, "checked": {"", "checked"}, "disabled": {"", "disabled"}}}


def sanitize(html: str, ids: set[str] | frozenset[str] = frozenset(), image_hosts: tuple[str, ...] = ()) -> str:
    """Clean rendered HTML: ``ids`` are the heading anchors the renderer set (no other id
    survives); images only from this site or ``image_hosts``."""

    def attribute(tag: str, name: str, value: str) -> str | None:
        if name == "id":
            return value if value in ids else None
        if name == "class":
            kept = [c for c in value.split() if c in _ALLOWED_CLASSES.get(tag, ())]
            return " ".join(kept) or None
        if tag == "img" and name == "src":
            return value if site_image(value, image_hosts) else None
        if name == "href":
            return value if safe_link(value) else None
        return value

    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style", "template", "iframe", "object", "embed"},
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=attribute,
        tag_attribute_values=_INPUT_VALUES,
        url_schemes=LINK_SCHEMES,
        link_rel=None,
    )


@dataclass
class Rendered:
    html: str
    toc: list[tuple[int, str, str]]  # (level, heading, anchor)


class _SafeTree(Treeprocessor):
    """What any rendered Markdown needs to pass the sanitizer intact: table alignment as classes
    (an inline style would break the site's style-src 'self'), and images from other sites as
    links the reader may follow rather than pictures that load by themselves."""

    def __init__(self, md, image_hosts: tuple[str, ...]):
        super().__init__(md)
        self.image_hosts = image_hosts

    def run(self, root: etree.Element) -> None:
        for cell in [*root.iter("th"), *root.iter("td")]:
            align = re.search(r"text-align:\s*(\w+)", cell.attrib.pop("style", ""))
            if align and align.group(1) in ALIGN_CLASSES:
                cell.set("class", ALIGN_CLASSES[align.group(1)])
        for parent in root.iter():
            for i, img in enumerate(parent):
                if img.tag == "img" and not site_image(img.get("src", ""), self.image_hosts):
                    link = etree.Element("a", {"href": img.get("src", ""), "class": "external-image"})
                    link.text = f"［图片：{img.get('alt') or '外部图片'}］"
                    link.tail = img.tail
                    parent[i] = link


class _ArticleTree(Treeprocessor):
    """Gives headings their section anchors and resolves internal links."""

    def __init__(self, md, article: Article, resolve: Resolver | None):
        super().__init__(md)
        self.article = article
        self.resolve = resolve
        self.ids: set[str] = set()  # the heading ids set: the only ids the sanitizer keeps

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
        used = {s.anchor for s in pending} | RESERVED_IDS | SUBPAGES
        for el in root:
            if el.tag not in ("h2", "h3", "h4", "h5", "h6"):
                continue
            text = "".join(el.itertext()).strip()
            if pending and pending[0].heading == text:
                el.set("id", pending.pop(0).anchor)
            else:
                base = slugify(text)  # a heading kb.sections did not see (e.g. setext style)
                anchor, n = base, 2
                while anchor in used:
                    anchor, n = f"{base}-{n}", n + 1
                used.add(anchor)
                el.set("id", anchor)
            self.ids.add(el.get("id"))


class _Extension(Extension):
    def __init__(self, image_hosts: tuple[str, ...], article: Article | None = None, resolve: Resolver | None = None):
        super().__init__()
        self.image_hosts, self.article, self.resolve = image_hosts, article, resolve
        self.tree: _ArticleTree | None = None

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's API)
        # After attr_list (priority 8) so explicit {#id} is already applied, before inline output.
        md.treeprocessors.register(_SafeTree(md, self.image_hosts), "kb_safe", 6)
        if self.article is not None:
            self.tree = _ArticleTree(md, self.article, self.resolve)
            md.treeprocessors.register(self.tree, "kb_article", 5)


def render_markdown(text: str, image_hosts: tuple[str, ...] = ()) -> str:
    """Render a Markdown fragment that belongs to no article (reading paths, previews)."""
    return sanitize(_markdown([_Extension(image_hosts)]).convert(as_rendered(text)), image_hosts=image_hosts)


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


def render(article: Article, resolve: Resolver | None = None, image_hosts: tuple[str, ...] = ()) -> Rendered:
    """``image_hosts``: other sites whose images may show (config ``image_hosts``)."""
    extension = _Extension(image_hosts, article, resolve)
    html = _markdown([extension]).convert(as_rendered(article.body))
    html = sanitize(html, ids=extension.tree.ids, image_hosts=image_hosts)
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
