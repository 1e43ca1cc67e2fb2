"""Internal links between articles: finding them in Markdown and telling them from external ones.

Editors write ``slug``, ``slug#anchor``, ``path/to/file.md#anchor`` or ``#anchor``.
External URLs are checked here too: which a rendered page may link to or load an image from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .scan import text_lines

_LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.\-]*:|//|/)", re.I)


@dataclass(frozen=True)
class InternalLink:
    target: str  # slug or relative file path ("" for a link within the same article)
    anchor: str
    is_path: bool


def parse(href: str) -> InternalLink | None:
    """Return the internal link ``href`` stands for, or None for an external or absolute URL."""
    href = unquote(href.strip())
    if not href or _EXTERNAL.match(href):
        return None
    target, _, anchor = href.partition("#")
    return InternalLink(target, anchor, target.endswith(".md") or "/" in target)


def iter_links(body: str):
    """Yield (line_offset, href) for every inline Markdown link outside code."""
    for i, line in text_lines(body):
        line = re.sub(r"`[^`]*`", "", line)
        for m in _LINK.finditer(line):
            yield i, m.group(1)


#: Where the site serves the images of imported documents (content/_media/).
MEDIA_URL = "/media/"
# An address of the site's own media: after a bracket, quote, space or "=" (a Markdown image or
# link, an HTML src), never the end of another site's address (https://x.cn/media/a.png).
_MEDIA = re.compile(r"(?<![\w/.:%-])/media/([\w][\w.\-/%]*)")


def media_names(body: str) -> frozenset[str]:
    """The names of the site's media files ``body`` shows or links (``![图](/media/ab12.png)``):
    what makes a media file belong to an article, and whoever may read one of its articles may
    see it (application.media)."""
    return frozenset(name for m in _MEDIA.finditer(body) if (name := unquote(m.group(1)).rstrip(".")))


_CITATION = re.compile(r"[（(]\s*(?:\[[^\]]*\]\((?![a-z][a-z0-9+.\-]*:|//|/)[^)]*\)[、，,\s]*)+[)）]", re.I)


def strip_citations(body: str) -> str:
    """Remove parenthesised links to other articles, as checklist items carry them:
    「…不自作主张（[请示汇报原则](office-service-work#请示汇报原则)）」. They cite where an item
    comes from; indexed, they would make every checklist outrank the guideline it cites."""
    return _CITATION.sub("", body)


#: Schemes a rendered link may use; anything else (javascript:, data:, vbscript:, tel:, file:) is dropped.
LINK_SCHEMES = {"http", "https", "mailto"}
# What browsers ignore around and inside a URL (C0 controls and space at the ends; tab and
# newline anywhere): "java\tscript:" is javascript:.
_URL_JUNK = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def _url_parts(url: str):
    return urlsplit(_URL_JUNK.sub("", url).strip(_C0_AND_SPACE).replace("\\", "/"))


def safe_link(url: str) -> bool:
    """An http, https or mailto URL, or one on this site (relative): what a rendered link —
    in an article or from its front matter (``source_url``) — may point to."""
    try:
        parts = _url_parts(url)
    except ValueError:  # e.g. an invalid IPv6 host
        return False
    return parts.scheme.lower() in LINK_SCHEMES or not parts.scheme


def site_image(url: str, hosts: frozenset[str] | tuple[str, ...] = ()) -> bool:
    """An image on this site (a relative URL), or on one of ``hosts``: an image from anywhere
    else would load by itself when the page opens (a tracking pixel)."""
    try:
        parts = _url_parts(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme.lower() in ("http", "https", "") and host in {h.lower() for h in hosts}
