"""Every address of the site, built in one place (datasette's ``Urls``).

The article address ``/a/<slug>`` is the one promise made to onboarding documents; its pattern
comes from the domain (``kb.article.ARTICLE_URL``, also used for search hits) and every route
under it is written here, not in the blueprints.
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import url_for

from kb.article import ARTICLE_URL

#: Flask rules under the article's address.
ARTICLE = ARTICLE_URL.replace("{slug}", "<slug>")
ARTICLE_SLASH = ARTICLE + "/"
ARTICLE_SOURCE = ARTICLE + ".md"
ARTICLE_EDIT = ARTICLE + "/edit"
ARTICLE_HISTORY = ARTICLE + "/history"
ARTICLE_VERSION = ARTICLE + "/history/<rev>"
ARTICLE_DIFF = ARTICLE + "/diff"
ARTICLE_REVERT = ARTICLE + "/revert"
API_ARTICLE = "/api/articles/<slug>"


_NOT_IN_A_PATH = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")  # controls (a browser drops tab and newline) and backslash


def local_path(target: str | None) -> str | None:
    r"""``target`` when it is a path of this site, else None: where to send someone back to
    (``?next=`` after login, a form's ``next``).

    Browsers drop tabs and line breaks from a Location and read a backslash as a slash, so
    ``/\t/evil.example`` and ``/\evil.example`` lead to another site as ``//evil.example``
    does; a line break in a header is a 500. The value is checked as given and as decoded
    (up to three rounds of percent-decoding): no control character or backslash, a path that
    starts with one slash, no scheme and no host."""
    if not target or len(target) > 2000:
        return None
    value = target
    for _ in range(4):
        if _NOT_IN_A_PATH.search(value) or not value.startswith("/") or value.startswith("//"):
            return None
        parts = urlsplit(value)
        if parts.scheme or parts.netloc:
            return None
        decoded = unquote(value)
        if decoded == value:
            return target
        value = decoded
    return None


class Urls:
    """Paths of the site's pages for views and templates (``urls.article(slug)``)."""

    def article(self, slug: str, anchor: str | None = None, **args) -> str:
        url = url_for("articles.article", slug=slug, **args)
        return f"{url}#{anchor}" if anchor else url

    def edit(self, slug: str) -> str:
        return url_for("edit.edit", slug=slug)

    def new(self) -> str:
        return url_for("edit.new")

    def history(self, slug: str) -> str:
        return url_for("history.article_history", slug=slug)

    def version(self, slug: str, rev: str) -> str:
        return url_for("history.version", slug=slug, rev=rev)

    def diff(self, slug: str, old: str, new: str) -> str:
        return url_for("history.diff", slug=slug, old=old, new=new)

    def revert(self, slug: str) -> str:
        return url_for("history.revert", slug=slug)

    def recent(self) -> str:
        return url_for("history.recent")

    def changes_feed(self) -> str:
        return url_for("history.changes_feed")

    def login(self, next: str | None = None) -> str:
        return url_for("auth.login", next=next) if next else url_for("auth.login")

    def logout(self) -> str:
        return url_for("auth.logout")

    def users(self) -> str:
        return url_for("auth.users")

    def import_(self) -> str:
        return url_for("importing.upload")

    def markdown_help(self) -> str:
        return url_for("help.markdown")

    def preview(self) -> str:
        return url_for("edit.preview")

    def media(self, name: str) -> str:
        return url_for("articles.media", name=name)

    def analytics(self, **args) -> str:
        return url_for("analytics.overview", **args)

    def analytics_csv(self, **args) -> str:
        return url_for("analytics.export", **args)

    def opened(self) -> str:
        return url_for("analytics.opened")

    def synonyms(self, **args) -> str:
        return url_for("synonyms.editor", **args)

    def synonyms_add(self) -> str:
        return url_for("synonyms.add")

    def new_titled(self, title: str) -> str:
        """The new-article form with its title filled in (from a query that found nothing)."""
        return url_for("edit.new", title=title)
