"""Blueprints: each translates HTTP to calls on kb (articles) and search (queries), nothing more."""
from flask import abort, current_app, redirect, request, url_for

from kb.render import render


def site():
    """The running app's Site: config, store, search, keeper, users, history (application.site)."""
    return current_app.extensions["kb"]


def catalog():
    return site().store.catalog()


def render_article(article):
    """An article's HTML and table of contents as the site shows them: its links resolved in
    the current catalog, images only from the site or the configured ``image_hosts``."""
    return render(article, catalog().resolve, site().config.image_hosts)


def find_article(slug: str):
    """The article a link names: by its slug, an old slug in ``aliases``, or either typed in
    other letter case (slugs are lower case; people retype links from paper)."""
    cat = catalog()
    lowered = slug.lower()
    return cat.get(slug) or cat.by_alias.get(slug) or cat.get(lowered) or cat.by_alias.get(lowered)


def moved_permanently(endpoint: str, slug: str):
    """301 to ``endpoint`` under ``slug``, keeping the query (?hl=…); browsers keep the #section."""
    return redirect(url_for(endpoint, slug=slug, **request.args.to_dict(flat=False)), 301)


def article_or_redirect(slug: str, endpoint: str):
    """(article, None) for a current slug; (None, 301 response) to the same endpoint under the
    current slug for any other way of naming the article (see ``find_article``); 404 otherwise."""
    found = find_article(slug)
    if found is None:
        abort(404)
    if found.slug == slug:
        return found, None
    return None, moved_permanently(endpoint, found.slug)
