import time

from flask import Blueprint, render_template, request, url_for

from kb import browse
from search.interface import IndexUnavailable

from . import catalog, site
from .analytics import record_search

bp = Blueprint("search", __name__)
DEFAULT_LIMIT = 10


def search_args() -> dict:
    """The search state as it lives in the URL."""
    args = request.args
    def number(name, default):
        try:
            return max(1, int(args.get(name, default)))
        except ValueError:
            return default
    return {
        "text": args.get("q", "")[:2000],
        "type": args.get("type") or None,
        "tag": args.get("tag") or None,
        "category": args.get("category") or None,
        "sort": "updated" if args.get("sort") == "updated" else "relevance",
        "page": number("page", 1),
        "limit": min(number("limit", DEFAULT_LIMIT), 100),
        "correct": args.get("exact") != "1",  # exact=1: the query as typed, even if it finds nothing
    }


def state_url(state: dict, changes: dict) -> str:
    """The URL of this search with some of its state changed (None removes a parameter)."""
    args = {"q": state["text"], "type": state["type"], "tag": state["tag"], "category": state["category"],
            "sort": state["sort"] if state["sort"] != "relevance" else None,
            "exact": None if state["correct"] else "1",
            "limit": state["limit"] if state["limit"] != DEFAULT_LIMIT else None}
    args.update(changes)
    return url_for("search.results", **{k: v for k, v in args.items() if v})


def deadline() -> float | None:
    """When this request's searches must answer (Config.search_budget_ms from now): the page's
    search and its fallbacks share one budget."""
    budget = site().config.search_budget_ms
    return time.monotonic() + budget / 1000 if budget > 0 else None


@bp.get("/search")
def results():
    state = search_args()
    service = site().search
    result, unavailable = None, not service.ready()
    partial = suggestion = None
    until = deadline()
    try:
        if not unavailable and (state["text"].strip() or state["type"] or state["tag"] or state["category"]):
            result = service.search(**state, deadline=until)
        if result is not None and result.total == 0 and state["text"].strip() and not result.incomplete:
            suggestion = result.suggestion or service.suggest_words(state["text"])
            partial = service.partial_matches(state["text"], deadline=until)
    except IndexUnavailable:
        result, unavailable = None, True
    # a search is counted once, when its first page is shown (not again for page 2 or a re-sort)
    token = record_search(state["text"], result) if result is not None and state["text"].strip() \
        and state["page"] == 1 else None
    cat = catalog()
    return render_template(
        "search.html",
        state=state,
        result=result,
        partial=partial,
        suggestion=suggestion,
        unavailable=unavailable,
        search_token=token,
        popular_tags=list(browse.tag_counts(cat.articles).items())[:16],
        link=lambda changes: state_url(state, changes),
    )
