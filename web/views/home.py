from flask import Blueprint, render_template

from kb import browse

from . import catalog, reader, site
from .browse import shown

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    cat, articles = catalog(), shown()
    return render_template(
        "home.html",
        types=browse.type_counts(articles),
        categories=browse.category_counts(articles),
        tags=browse.frequent_tags(articles, 10),
        recent=browse.recent(articles, 6),
        paths=cat.paths,
        total=len(articles),
        to_read=site().reading.to_read(reader()),
        followed=site().following.updates_for(reader(), 8),
    )
