"""The JSON API: stable, it is how onboarding tools and the benchmarks talk to the site."""
from flask import Blueprint, jsonify, request

from kb.render import plain_text
from search.interface import IndexUnavailable

from ..health import site_health
from ..urls import API_ARTICLE
from . import article_or_redirect, catalog, render_article, site
from .search import search_args

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    """200 while search answers — ``status`` "ok", "updating" (a pass over the whole folder), or
    "degraded" with the reason when the index is behind the content (web.health); 503 while there is nothing to search yet ("indexing")
    or it cannot be built ("error", with the reason). ``history`` says why saves are not being
    recorded in the content's history (the status is then "degraded" too), else null."""
    health, trouble = site_health(site(), site().search.ready())
    body = {"status": health.status, "error": health.error, "since": health.since, "history": trouble}
    if not health.searchable:
        return body, 503
    return {**body, "articles": len(catalog().articles)}


@bp.get("/api/search")
def api_search():
    try:
        result = site().search.search(**search_args())
    except IndexUnavailable:
        return {"error": "index_not_ready", "message": "索引正在建立，请稍后再试"}, 503
    return jsonify(result.to_json())


@bp.get("/api/suggest")
def api_suggest():
    """Titles, section headings and tags for what is being typed, also by pinyin (baomi, bmgz)."""
    return jsonify([s.to_json() for s in site().search.suggest(request.args.get("q", ""))])


@bp.get("/api/articles")
def api_articles():
    return jsonify([
        {"slug": a.slug, "title": a.title, "type": a.type, "category": a.category, "tags": a.tags,
         "url": a.url, "updated": a.updated.isoformat() if a.updated else None}
        for a in catalog().articles
    ])


@bp.get(API_ARTICLE)
def api_article(slug: str):
    article, moved = article_or_redirect(slug, "api.api_article")
    if moved:
        return moved
    article = site().store.full(article)  # the catalog holds articles without their text
    return jsonify({
        "slug": article.slug,
        "title": article.title,
        "type": article.type,
        "tags": article.tags,
        "category": article.category,
        "url": article.url,
        "updated": article.updated.isoformat() if article.updated else None,
        "summary": article.summary,
        "source": article.source,
        "author": article.author,
        "markdown": article.body,
        "html": render_article(article).html,
        "sections": [
            {"heading": s.heading, "anchor": s.anchor, "level": s.level, "text": plain_text(s.text)}
            for s in article.sections if s.anchor
        ],
    })
