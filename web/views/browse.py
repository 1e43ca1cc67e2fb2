from flask import Blueprint, abort, render_template

from kb import browse
from kb.article import TYPES, normalize_type
from kb.render import render_markdown

from . import catalog, site
from .paths import path_share

bp = Blueprint("browse", __name__)


@bp.get("/browse")
def overview():
    cat = catalog()
    return render_template(
        "browse.html",
        types=browse.type_counts(cat.articles),
        categories=browse.category_counts(cat.articles),
        tags=browse.frequent_tags(cat.articles),
        tag_total=len(browse.tag_counts(cat.articles)),
        articles=browse.alphabetical(cat.articles),
    )


@bp.get("/tags")
def all_tags():
    return render_template("tags.html", groups=browse.by_initial(browse.tag_counts(catalog().articles).items()))


def _listing(title: str, articles, kind: str):
    return render_template("listing.html", title=title, kind=kind, articles=browse.recent(articles, len(articles)))


@bp.get("/type/<name>")
def by_type(name: str):
    key = normalize_type(name)
    if key is None:
        abort(404)
    cat = catalog()
    return _listing(TYPES[key], browse.filter_articles(cat.articles, type=key), "类型")


@bp.get("/tag/<path:name>")  # a tag may contain "/" (收文/发文)
def by_tag(name: str):
    articles = browse.filter_articles(catalog().articles, tag=name)
    if not articles:
        abort(404)
    return _listing(name, articles, "标签")


@bp.get("/category/<path:name>")
def by_category(name: str):
    articles = browse.filter_articles(catalog().articles, category=name)
    if not articles:
        abort(404)
    return _listing(name, articles, "分类")


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
