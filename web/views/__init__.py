"""Blueprints: each translates HTTP to calls on kb (articles) and search (queries), nothing more."""
import dataclasses
import re

from flask import abort, current_app, flash, redirect, request, url_for

from application import Reader
from kb.render import render


def site():
    """The running app's Site: config, store, search, keeper, users, history (application.site)."""
    return current_app.extensions["kb"]


def reader() -> Reader:
    """Who is asking, as the application's access rules see them: an account with its role and
    groups (kb.people, looked up once per request)."""
    from flask import g
    from flask_login import current_user

    if not current_user.is_authenticated:
        return Reader()
    if "kb_reader" not in g:
        g.kb_reader = site().reader_for(current_user)
    return g.kb_reader


def catalog():
    """The articles the person asking may see (application.access)."""
    return site().catalog_for(reader())


def untraced(problems: list) -> list:
    """``problems`` of a save as the person asking may read them: a file they may not see
    (application.access) is named 「另一篇文章」 — a slug taken by a restricted article says it
    is taken, not where."""
    hidden = {a.rel_path for a in site().catalog().articles} - set(catalog().by_path)
    if not hidden:
        return problems
    pattern = re.compile("|".join(re.escape(p) for p in sorted(hidden, key=len, reverse=True)))
    return [dataclasses.replace(p, message=pattern.sub("另一篇文章", p.message)) for p in problems]


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
        from .addresses import gone  # a removed article's address says so (410, or 301 to its replacement)

        abort(gone(slug, endpoint=endpoint) or 404)
    if found.slug == slug:
        return found, None
    return None, moved_permanently(endpoint, found.slug)


def editing_allowed() -> None:
    """404 for every editing page when the site does not allow editing in the browser."""
    if not site().config.allow_edit:
        abort(404)


def after_save(saved, draft_key: str = ""):
    """A change that stands: say so (and what did not follow it), then show the article."""
    for warning in saved.warnings:
        flash(f"已保存，但{warning}", "warning")
    if not saved.warnings:
        flash("已保存为草稿：读者看不到，发布后才公开。" if saved.draft else "已保存。", "saved")
    for note in saved.notes:
        flash(note, "saved")
    if draft_key:
        flash(draft_key, "draft-saved")
    return redirect(url_for("articles.article", slug=saved.article.slug), 303)
