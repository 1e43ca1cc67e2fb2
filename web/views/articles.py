from flask import Blueprint, abort, render_template, send_from_directory
from flask_login import current_user

from kb import browse
from kb.drafts import DraftMedia
from kb.reading_paths import positions

from ..urls import ARTICLE, ARTICLE_SLASH, ARTICLE_SOURCE
from . import article_or_redirect, catalog, find_article, moved_permanently, render_article, site

bp = Blueprint("articles", __name__)


@bp.get(ARTICLE)
def article(slug: str):
    found, moved = article_or_redirect(slug, "articles.article")
    if moved:
        return moved
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
    )


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
