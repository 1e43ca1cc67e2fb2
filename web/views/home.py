from flask import Blueprint, render_template

from kb import browse

from . import catalog, reader, site

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    cat = catalog()
    return render_template(
        "home.html",
        types=browse.type_counts(cat.articles),
        categories=browse.category_counts(cat.articles),
        tags=browse.frequent_tags(cat.articles, 10),
        recent=browse.recent(cat.articles, 6),
        paths=cat.paths,
        total=len(cat.articles),
        to_read=site().reading.to_read(reader()),
        followed=site().following.updates_for(reader(), 8),
    )
