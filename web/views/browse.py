from flask import Blueprint, abort, render_template, url_for

from kb import browse, lifecycle
from kb.article import TYPES, normalize_type
from kb.render import render_markdown

from . import catalog, site
from .paths import path_share

bp = Blueprint("browse", __name__)


def shown() -> list:
    """The articles lists show: what the reader may see, less the repealed (kb.lifecycle),
    which search finds with 状态:废止."""
    return lifecycle.shown_by_default(catalog().articles)


@bp.get("/browse")
def overview():
    articles = shown()
    return render_template(
        "browse.html",
        types=browse.type_counts(articles),
        categories=browse.category_counts(articles),
        tags=browse.frequent_tags(articles),
        tag_total=len(browse.tag_counts(articles)),
        articles=browse.alphabetical(articles),
    )


@bp.get("/tags")
def all_tags():
    return render_template("tags.html", groups=browse.by_initial(browse.tag_counts(shown()).items()))


def _listing(title: str, articles, kind: str, **search):
    """A list of articles; the repealed among them are counted and linked to their search."""
    kept = lifecycle.shown_by_default(articles)
    gone = len(articles) - len(kept)
    return render_template("listing.html", title=title, kind=kind, articles=browse.recent(kept, len(kept)),
                           repealed=gone, repealed_url=url_for("search.results", status="repealed", **search))


@bp.get("/type/<name>")
def by_type(name: str):
    key = normalize_type(name)
    if key is None:
        abort(404)
    cat = catalog()
    return _listing(TYPES[key], browse.filter_articles(cat.articles, type=key), "类型", type=key)


@bp.get("/tag/<path:name>")  # a tag may contain "/" (收文/发文)
def by_tag(name: str):
    articles = browse.filter_articles(catalog().articles, tag=name)
    if not articles:
        abort(404)
    return _listing(name, articles, "标签", tag=name)


@bp.get("/category/<path:name>")
def by_category(name: str):
    articles = browse.filter_articles(catalog().articles, category=name)
    if not articles:
        abort(404)
    return _listing(name, articles, "分类", category=name)


@bp.get("/paths")
def paths():
    return render_template("paths.html", paths=catalog().paths)


@bp.get("/paths/<slug>")
def reading_path(slug: str):
    cat = catalog()
    found = next((p for p in cat.paths if p.slug == slug), None)
    if found is None:
        abort(404)
    items = [(item, cat.get(item.slug)) for item in found.items]
    summary = render_markdown(found.summary, site().config.image_hosts)
    return render_template("path.html", path=found, items=items, summary_html=summary, share=path_share(found))
