"""Blueprints: each translates HTTP to calls on kb (articles) and search (queries), nothing more."""
from flask import abort, current_app, redirect, url_for


def kb():
    """The store, search service, index keeper and config of the running app."""
    return current_app.extensions["kb"]


def catalog():
    return kb()["store"].catalog()


def article_or_redirect(slug: str, endpoint: str):
    """(article, None) for a current slug; (None, 301 response) for an old slug in some
    article's ``aliases``, to the same endpoint under the current slug; 404 otherwise."""
    cat = catalog()
    found = cat.get(slug)
    if found is not None:
        return found, None
    moved = cat.by_alias.get(slug)
    if moved is None:
        abort(404)
    return None, redirect(url_for(endpoint, slug=moved.slug), 301)
