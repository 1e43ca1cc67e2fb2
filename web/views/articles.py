from flask import Blueprint, abort, redirect, render_template, request, send_file, send_from_directory, url_for
from flask_login import current_user

from kb import browse
from kb.drafts import DraftMedia
from kb.reading_paths import positions
from kb.render import plain_text

from ..urls import ARTICLE, ARTICLE_FILE, ARTICLE_SECTION, ARTICLE_SLASH, ARTICLE_SOURCE
from . import article_or_redirect, catalog, find_article, moved_permanently, reader, render_article, site
from .addresses import arrived_from_removed, gone
from .lifecycle import as_of, page_life
from .reading import confirm_box

bp = Blueprint("articles", __name__)
PREVIEW_CHARS = 160  # a chat tool's preview shows two or three lines


@bp.get(ARTICLE)
def article(slug: str):
    found, moved = article_or_redirect(slug, "articles.article")
    if moved:
        return moved
    if request.args.get("on"):
        return as_of(found, request.args["on"])  # the text in force on that day
    return _page(found)


@bp.get(ARTICLE_SECTION)
def section(slug: str, anchor: str):
    """A section by its own address: the article page, scrolled to the section, with the
    section's preview for chat tools; a renamed heading's old anchor answers 301 to the new one,
    a section that is gone shows the article with a note."""
    found = find_article(slug)
    if found is None:
        return gone(slug, anchor) or abort(404)
    now = catalog().anchor_now(found, anchor)
    if found.slug != slug or (now and now != anchor):
        return redirect(url_for("articles.section", slug=found.slug, anchor=now or anchor), 301)
    return _page(found, anchor if now else "", missing="" if now else anchor)


def _page(found, anchor: str = "", missing: str = ""):
    cat = catalog()
    found = site().store.full(found)  # the catalog holds articles without their text
    rendered = render_article(found)
    entry = cat.address(found)
    removal = arrived_from_removed(found)
    moved = dict(entry.anchors) if entry else {}
    if removal is not None:
        moved.update({k: v for k, v in removal.anchors.items() if k not in moved})
    return render_template(
        "article.html",
        article=found,
        html=rendered.html,
        toc=rendered.toc,
        related=browse.related(found, cat.articles),
        path_positions=positions(cat.paths, found.slug, cat.by_slug),
        life=page_life(found),
        files=site().publishing.attachments_of(found),
        draft=site().publishing.draft_of(found) if current_user.can("editor") else None,
        may_publish=site().publishing.may_publish(reader()),
        number=entry.number if entry else None,
        moved_anchors=moved,
        section_anchor=anchor,
        missing_anchor=missing,
        removal=removal,
        preview=_preview(found, found.section(anchor) if anchor else None),
        old_links=site().old_links(found, reader()) if _editing() else [],
        confirm=confirm_box(found),
    )


@bp.get(ARTICLE_FILE)
def attachment(slug: str, name: str):
    """An attachment of an article, for whoever may read the article (404 for anyone else,
    as for the article itself): always a download, never shown in the site's pages."""
    found = catalog().get(slug)
    if found is None:
        abort(404)
    kept = next((a for a in site().publishing.attachments_of(found) if a.name == name), None)
    if kept is None:
        abort(404)
    return send_attachment(site().store.root / kept.rel_path, kept)


def send_attachment(path, kept):
    """A file sent as a download with its own name (RFC 6266 ``filename*``, UTF-8), its type
    by its kind, and nothing a browser would render or run: ``attachment``, ``nosniff`` and a
    sandbox that forbids scripts should a browser open it anyway."""
    response = send_file(path, mimetype=kept.mime, as_attachment=True, download_name=kept.name, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _preview(article, section) -> dict:
    """Open Graph: what a chat tool shows for a pasted link (the section's, for a section link)."""
    base = site().config.site_url
    if section is None:
        return {"title": article.title, "description": article.summary, "url": base + url_for("articles.article", slug=article.slug)}
    text = plain_text(section.text).replace("\n", " ").strip()
    return {"title": f"{article.title} › {section.heading}",
            "description": text[:PREVIEW_CHARS] + ("…" if len(text) > PREVIEW_CHARS else "") or article.summary,
            "url": base + url_for("articles.section", slug=article.slug, anchor=section.anchor)}


def _editing() -> bool:
    return site().config.allow_edit and current_user.can("editor")


@bp.get(ARTICLE_SLASH)
def article_with_slash(slug: str):
    found = find_article(slug)
    if found is None:
        return gone(slug) or abort(404)
    return moved_permanently("articles.article", found.slug)


@bp.get(ARTICLE_SOURCE)
def markdown_source(slug: str):
    found = catalog().get(slug)
    if found is None:
        abort(404)
    return found.path.read_text(encoding="utf-8"), 200, {"Content-Type": "text/markdown; charset=utf-8"}


@bp.get("/media/<path:name>")
def media(name: str):
    """Images and files taken from imported documents (content/_media/), for whoever may read
    an article that shows them (application.media), 404 for anyone else, as for a missing
    file; send_from_directory refuses any path out of the folder. An editor also sees the
    images of an import not saved yet (kb.drafts), so that the draft's preview shows them;
    nobody else does. A shared cache may keep only what every visitor may see."""
    config = site().config
    if not (config.media_path / name).is_file():
        staged = DraftMedia(config.draft_media_path).path(name) if current_user.can("editor") else None
        if staged is None:
            abort(404)
        return send_from_directory(staged.parent, staged.name, max_age=0)
    verdict = site().media_verdict(name, reader())
    if not verdict.shown:
        abort(404)
    response = send_from_directory(config.media_path, name, max_age=86400 if verdict.public else 0)
    if not verdict.public:
        response.headers["Cache-Control"] = "private, no-store"
    return response
