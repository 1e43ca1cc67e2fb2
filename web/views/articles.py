from flask import Blueprint, abort, render_template, send_from_directory

from kb import browse
from kb.reading_paths import positions

from ..urls import ARTICLE, ARTICLE_SLASH, ARTICLE_SOURCE
from . import article_or_redirect, catalog, find_article, moved_permanently, render_article, site
from .reading import confirm_box

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
        confirm=confirm_box(found),
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
    any path out of the folder."""
    return send_from_directory(site().config.media_path, name, max_age=86400)
