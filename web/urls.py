"""Every address of the site, built in one place (datasette's ``Urls``).

The article address ``/a/<slug>`` is the one promise made to onboarding documents; its pattern
comes from the domain (``kb.article.ARTICLE_URL``, also used for search hits) and every route
under it is written here, not in the blueprints.
"""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import url_for

from kb.addresses import SHORT_URL
from kb.article import ARTICLE_URL
from kb.reading_paths import PATH_URL

#: Flask rules under the article's address.
ARTICLE = ARTICLE_URL.replace("{slug}", "<slug>")
ARTICLE_SLASH = ARTICLE + "/"
ARTICLE_SOURCE = ARTICLE + ".md"
ARTICLE_EDIT = ARTICLE + "/edit"
ARTICLE_HISTORY = ARTICLE + "/history"
ARTICLE_VERSION = ARTICLE + "/history/<rev>"
ARTICLE_DIFF = ARTICLE + "/diff"
ARTICLE_REVERT = ARTICLE + "/revert"
ARTICLE_DELETE = ARTICLE + "/delete"
ARTICLE_CONFIRM_REVIEW = ARTICLE + "/review/confirm"
ARTICLE_START_REVISION = ARTICLE + "/review/revise"
ARTICLE_FILE = ARTICLE + "/files/<name>"
ARTICLE_DRAFT = ARTICLE + "/draft"
ARTICLE_DRAFT_PUBLISH = ARTICLE_DRAFT + "/publish"
ARTICLE_DRAFT_RETURN = ARTICLE_DRAFT + "/return"
ARTICLE_DRAFT_DISCARD = ARTICLE_DRAFT + "/discard"
ARTICLE_DRAFT_FILE = ARTICLE_DRAFT + "/files/<name>"
ARTICLE_RELINK = ARTICLE + "/relink"
ARTICLE_SECTION = ARTICLE + "/<anchor>"  # a section by path, so that a chat tool's preview can name it
API_ARTICLE = "/api/articles/<slug>"
SHORT = SHORT_URL.replace("{number}", "<int:number>")
PATH = PATH_URL.replace("{slug}", "<slug>")
PATH_NEW = "/paths/new"
PATH_EDIT = PATH + "/edit"
PATH_PRINT = PATH + "/print"
PATH_PROGRESS = "/api" + PATH + "/progress"
PATHS_PROGRESS = "/paths/progress"
SHORT_SECTION = SHORT + "/<anchor>"


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

    def section(self, slug: str, anchor: str) -> str:
        """A section's own address (``/a/<slug>/<anchor>``): the server sees the section, so it
        can follow a renamed heading with a 301 and give a chat tool the section's preview."""
        return url_for("articles.section", slug=slug, anchor=anchor)

    def short(self, number: int) -> str:
        return url_for("addresses.short", number=number)

    def links(self) -> str:
        return url_for("links.check")

    def path(self, slug: str) -> str:
        return url_for("browse.reading_path", slug=slug)

    def path_new(self) -> str:
        return url_for("paths.new")

    def path_edit(self, slug: str) -> str:
        return url_for("paths.edit", slug=slug)

    def path_print(self, slug: str) -> str:
        return url_for("paths.handout", slug=slug)

    def path_progress(self, slug: str) -> str:
        return url_for("paths.progress", slug=slug)

    def paths_progress(self) -> str:
        return url_for("paths.managers")

    def relink(self, slug: str) -> str:
        return url_for("addresses.relink", slug=slug)

    def edit(self, slug: str) -> str:
        return url_for("edit.edit", slug=slug)

    def new(self, **args) -> str:
        return url_for("edit.new", **args)

    def folders(self) -> str:
        return url_for("folders.listing")

    def folder(self, folder: str) -> str:
        """A folder's default readers and required reading (``folder``: "" for the content folder)."""
        return url_for("folders.edit", path=folder)

    def attachment(self, slug: str, name: str) -> str:
        return url_for("articles.attachment", slug=slug, name=name)

    def drafts(self) -> str:
        return url_for("drafts.listing")

    def draft(self, slug: str) -> str:
        return url_for("drafts.review", slug=slug)

    def staged_attachment(self, slug: str, name: str) -> str:
        return url_for("drafts.staged_file", slug=slug, name=name)

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

    def delete(self, slug: str) -> str:
        return url_for("lifecycle.delete", slug=slug)

    def review(self) -> str:
        return url_for("lifecycle.review")

    def review_feed(self, key: str | None = None) -> str:
        return url_for("lifecycle.review_feed", key=key) if key else url_for("lifecycle.review_feed")

    def confirm_review(self, slug: str) -> str:
        return url_for("lifecycle.confirm_review", slug=slug)

    def start_revision(self, slug: str) -> str:
        return url_for("lifecycle.start_revision", slug=slug)

    def pins(self, **args) -> str:
        return url_for("pins.editor", **args)

    def pins_add(self) -> str:
        return url_for("pins.add")

    def new_titled(self, title: str) -> str:
        """The new-article form with its title filled in (from a query that found nothing)."""
        return url_for("edit.new", title=title)
