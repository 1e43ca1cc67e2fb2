from flask import Blueprint, abort, redirect, render_template, url_for

from kb import browse
from kb.render import render

from . import catalog

bp = Blueprint("articles", __name__)


@bp.get("/a/<slug>")
def article(slug: str):
    cat = catalog()
    found = cat.get(slug)
    if found is None:
        moved = cat.by_alias.get(slug)
        if moved is not None:
            return redirect(url_for("articles.article", slug=moved.slug), 301)
        abort(404)
    rendered = render(found, cat.resolve)
    return render_template(
        "article.html",
        article=found,
        html=rendered.html,
        toc=rendered.toc,
        related=browse.related(found, cat.articles),
    )


@bp.get("/a/<slug>.md")
def markdown_source(slug: str):
    found = catalog().get(slug)
    if found is None:
        abort(404)
    return found.path.read_text(encoding="utf-8"), 200, {"Content-Type": "text/markdown; charset=utf-8"}
