from flask import Blueprint, abort, render_template, request, send_file, send_from_directory
from flask_login import current_user

from kb import browse
from kb.drafts import DraftMedia
from kb.reading_paths import positions

from ..urls import ARTICLE, ARTICLE_FILE, ARTICLE_SLASH, ARTICLE_SOURCE
from . import article_or_redirect, catalog, find_article, moved_permanently, reader, render_article, site
from .lifecycle import as_of, page_life

bp = Blueprint("articles", __name__)


@bp.get(ARTICLE)
def article(slug: str):
    found, moved = article_or_redirect(slug, "articles.article")
    if moved:
        return moved
    if request.args.get("on"):
        return as_of(found, request.args["on"])  # the text in force on that day
    cat = catalog()
    found = site().store.full(found)  # the catalog holds articles without their text
    rendered = render_article(found)
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


@bp.get(ARTICLE_SLASH)
def article_with_slash(slug: str):
    found = find_article(slug)
    if found is None:
        abort(404)
    return moved_permanently("articles.article", found.slug)


@bp.get(ARTICLE_SOURCE)
def markdown_source(slug: str):
    found = catalog().get(slug)
    if found is None:
        abort(404)
    return found.path.read_text(encoding="utf-8"), 200, {"Content-Type": "text/markdown; charset=utf-8"}


@bp.get("/media/<path:name>")
def media(name: str):
    """Images taken from imported documents (content/_media/); send_from_directory refuses
    any path out of the folder. An editor also sees the images of an import not saved yet
    (kb.drafts), so that the draft's preview shows them; nobody else does."""
    config = site().config
    if not (config.media_path / name).is_file() and current_user.can("editor"):
        staged = DraftMedia(config.draft_media_path).path(name)
        if staged is not None:
            return send_from_directory(staged.parent, staged.name, max_age=0)
    return send_from_directory(config.media_path, name, max_age=86400)
