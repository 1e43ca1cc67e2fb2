import datetime as dt

from flask import Blueprint, render_template, request, url_for

from kb import browse, lifecycle
from kb.fields import registry
from search.interface import Query

from . import catalog, reader, site
from .analytics import pending_write

bp = Blueprint("search", __name__)
DEFAULT_LIMIT = 10


def filter_params() -> dict[str, str]:
    """URL parameter -> field, for every filter of the field registry (type, tag, category, …)."""
    return {f.filters[0]: f.name for f in registry() if f.filters}


def search_args() -> dict:
    """The search state as it lives in the URL."""
    args = request.args

    def number(name, default):
        try:
            return max(1, int(args.get(name, default)))
        except ValueError:
            return default
    sortable = {f.name for f in registry().sortable}
    return {
        "text": args.get("q", "")[:2000],
        "filters": {param: args.get(param) for param in filter_params() if args.get(param)},
        "sort": args.get("sort") if args.get("sort") in sortable else "relevance",
        "page": number("page", 1),
        "limit": min(number("limit", DEFAULT_LIMIT), 100),
        "correct": args.get("exact") != "1",  # exact=1: the query as typed, even if it finds nothing
    }


def query_of(state: dict) -> Query:
    params = filter_params()
    return Query(state["text"], {params[p]: (v,) for p, v in state["filters"].items()}, state["sort"],
                 state["page"], state["limit"], state["correct"])


def state_url(state: dict, changes: dict) -> str:
    """The URL of this search with some of its state changed (None removes a parameter)."""
    args = {"q": state["text"], **state["filters"],
            "sort": state["sort"] if state["sort"] != "relevance" else None,
            "exact": None if state["correct"] else "1",
            "limit": state["limit"] if state["limit"] != DEFAULT_LIMIT else None}
    args.update(changes)
    return url_for("search.results", **{k: v for k, v in args.items() if v})


@bp.get("/search")
def results():
    state = search_args()
    found = site().search_page(query_of(state), "page", request.remote_addr, reader=reader())
    if found.token:
        pending_write()
    cat = catalog()
    params = filter_params()
    hits = found.result.hits if found.result is not None else []
    today = dt.date.today()
    return render_template(
        "search.html",
        state=state,
        result=found.result,
        partial=found.partial,
        suggestion=found.suggestion,
        unavailable=found.unavailable,
        search_token=found.token,
        repealed=found.repealed,  # repealed articles that match too, left out
        marks={h.slug: lifecycle.marks(cat.get(h.slug).meta, today) for h in hits if cat.get(h.slug)},
        popular_tags=list(browse.tag_counts(cat.articles).items())[:16],
        facet_fields=[(f, next(p for p, name in params.items() if name == f.name)) for f in registry().facets],
        filter_fields=[(param, registry()[name]) for param, name in params.items()],
        sort_fields=registry().sortable,
        link=lambda changes: state_url(state, changes),
    )
