"""The JSON API: stable, it is how onboarding tools and the benchmarks talk to the site."""
from flask import Blueprint, jsonify, request

from kb.fields import registry
from kb.render import plain_text

from ..urls import API_ARTICLE
from . import article_or_redirect, catalog, reader, render_article, site
from .analytics import pending_write
from .search import query_of, search_args

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    """200 while search answers — ``status`` "ok", "updating" (a pass over the whole folder), or
    "degraded" with the reason when the index is behind the content (application.health); 503
    while there is nothing to search yet ("indexing") or it cannot be built ("error", with the
    reason). ``history`` says why saves are not being recorded in the content's history, and
    ``remote``, on a node of several, why it is out of step with the shared content repository
    (the status is then "degraded" too), else null."""
    health = site().health()
    body = {"status": health.status, "error": health.error, "since": health.since, "history": health.history,
            "remote": health.remote}
    if not health.searchable:
        return body, 503
    return {**body, "articles": len(catalog().articles)}


@bp.get("/api/search")
def api_search():
    """The search page's search as JSON: the results, and for a search that found nothing its
    correction (``suggestion``) and partial matches (``partial``)."""
    # not recorded: the search box asks this while staff type (analytics counts searches shown)
    found = site().search_page(query_of(search_args()), "api", request.remote_addr, record=False, reader=reader())
    if found.unavailable:
        return {"error": "index_not_ready", "message": "索引正在建立，请稍后再试"}, 503
    if found.token:
        pending_write()
    return jsonify(found.to_json())


@bp.get("/api/suggest")
def api_suggest():
    """Titles, section headings and tags for what is being typed, also by pinyin (baomi, bmgz)."""
    return jsonify([s.to_json() for s in site().suggest(request.args.get("q", ""), reader())])


def _fields(article) -> dict:
    """Every field of the registry (kb.fields) as JSON values."""
    return {f.name: f.json(article.meta.get(f.name, f.empty)) for f in registry()}


@bp.get("/api/articles")
def api_articles():
    return jsonify([
        {"slug": a.slug, "title": a.title, "type": a.type, "category": a.category, "tags": a.tags,
         "url": a.url, "updated": a.updated.isoformat() if a.updated else None, "status": a.meta.get("status", "current")}
        for a in catalog().articles
    ])


@bp.get(API_ARTICLE)
def api_article(slug: str):
    article, moved = article_or_redirect(slug, "api.api_article")
    if moved:
        return moved
    article = site().store.full(article)  # the catalog holds articles without their text
    return jsonify({
        **_fields(article),
        "url": article.url,
        "markdown": article.body,
        "html": render_article(article).html,
        "sections": [
            {"heading": s.heading, "anchor": s.anchor, "level": s.level, "text": plain_text(s.text)}
            for s in article.sections if s.anchor
        ],
    })
