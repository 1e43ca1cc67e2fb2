"""Addresses that last (kb.addresses): the short address /k/<number>, the page of a removed
article (410, or 301 to the article that replaces it), and updating links to renamed headings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for

from ..auth import author, requires
from ..errors import wants_json
from ..urls import ARTICLE_RELINK, SHORT, SHORT_SECTION
from . import catalog, find_article, reader, site

bp = Blueprint("addresses", __name__)
MAX_HOPS = 10  # replaced by an article that was replaced in turn …


def _target(number: int):
    """The slug /k/<number> leads to for the person asking; 404 for a number never given or an
    article they may not see (no trace of it, not even its slug)."""
    entry = catalog().addresses.get(number)
    if entry is None:
        abort(404)
    if find_article(entry.slug) is None and site().catalog().get(entry.slug) is not None:
        abort(404)  # there, but not for this reader
    return entry.slug


@bp.get(SHORT)
def short(number: int):
    """302, not 301: the number is the lasting address, the page it leads to may move again."""
    return redirect(url_for("articles.article", slug=_target(number)), 302)


@bp.get(SHORT_SECTION)
def short_section(number: int, anchor: str):
    return redirect(url_for("articles.section", slug=_target(number), anchor=anchor), 302)


def removal_of(slug: str):
    """(Removal or None, the Address entry or None) of an address that named an article the
    site no longer has: deleted through the site (kb.removed), or whose file went away outside
    it (only its registry entry is left). (None, None) for anything else — an address never
    used, or an article the reader may not see."""
    cat, everything = catalog(), site().catalog()
    lowered = slug.lower()
    removal = cat.removed.get(slug) or cat.removed.get(lowered)
    entry = cat.addresses.by_slug.get(slug) or cat.addresses.by_slug.get(lowered)
    if removal is None and (slug in everything.removed or lowered in everything.removed):
        return None, None  # removed, and it was not for this reader: no trace of it (404)
    if removal is None and entry is None:
        return None, None
    if site().catalog().get((removal or entry).slug) is not None:
        return None, None  # the article is there, hidden from this reader
    return removal, entry


def replacement(removal):
    """The article that replaces ``removal`` now, following replacements that were removed in
    turn; None when there is none the reader may see."""
    cat = catalog()
    for _ in range(MAX_HOPS):
        if removal is None or not removal.replaced_by:
            return None
        found = find_article(removal.replaced_by)
        if found is not None:
            return found
        removal = cat.removed.get(removal.replaced_by)
    return None


def gone(slug: str, anchor: str = "", endpoint: str = "articles.article"):
    """The answer for an address whose article was removed: 301 to its replacement (which says
    why the reader arrived there) — to the section its ``anchor`` was mapped to when it was
    removed, and to the same page (``endpoint``: the API, the history) of the replacement —
    else 410 with what it was, when and why it was removed, and a search for its title; None
    when the address names no removed article."""
    removal, entry = removal_of(slug)
    if removal is None and entry is None:
        return None
    instead = replacement(removal)
    if instead is not None:
        mapped = removal.anchors.get(anchor, "") if anchor and endpoint == "articles.article" else ""
        if mapped:
            return redirect(url_for("articles.section", slug=instead.slug, anchor=mapped, removed=removal.slug), 301)
        return redirect(url_for(endpoint, slug=instead.slug, removed=removal.slug), 301)
    title = removal.title if removal else entry.title
    if wants_json():
        return make_response({"error": "gone", "message": "这篇文章已删除", "slug": slug, "title": title,
                "removed": removal.removed.isoformat() if removal else None, "reason": removal.reason if removal else "",
                "replaced_by": removal.replaced_by if removal else ""}, 410)
    return make_response(render_template("removed.html", removal=removal, entry=entry, title=title), 410)


def arrived_from_removed(article):
    """The removal that sent the reader to ``article`` (?removed=<slug> of the 301 above), for
    the note at the top of the page; None when there is none."""
    slug = request.args.get("removed", "")
    removal = catalog().removed.get(slug) if slug else None
    found = replacement(removal) if removal is not None else None
    return removal if found is not None and found.slug == article.slug else None


@bp.post(ARTICLE_RELINK)
@requires("editor")
def relink(slug: str):
    """Update the links of other articles that lead to a renamed heading of this article."""
    article = find_article(slug)
    if article is None:
        abort(404)
    results = site().relink(article, author(), reader())
    done = [r for r in results if r.done]
    failed = [p.message for r in results if not r.done for p in r.problems]
    if done:
        flash(f"已更新 {len(done)} 篇文章里指向改名小节的链接。", "saved")
    for message in failed:
        flash(f"有一篇没有更新：{message}", "warning")
    if not results:
        flash("没有需要更新的链接。", "saved")
    return redirect(url_for("articles.article", slug=article.slug), 303)
