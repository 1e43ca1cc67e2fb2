"""What changed, who changed it, and undoing it: an article's history, an old version, the
difference between two versions (word by word), revert (a new commit), and the site's
recent changes as a page and an Atom feed."""
from flask import Blueprint, abort, flash, redirect, render_template, request

from kb.diffing import compare
from kb.store import parse_article

from ..auth import author, requires
from ..urls import ARTICLE_DIFF, ARTICLE_HISTORY, ARTICLE_REVERT, ARTICLE_VERSION, Urls
from . import after_save, article_or_redirect, catalog, reader, render_article, site
from .feeds import xml_response

bp = Blueprint("history", __name__)
CURRENT = "current"
PAGE = 50


def _article(slug: str, endpoint: str):
    article, moved = article_or_redirect(slug, endpoint)
    if moved:
        abort(moved)
    return article


@bp.get(ARTICLE_HISTORY)
def article_history(slug: str):
    article = _article(slug, "history.article_history")
    history = site().history
    changes = site().history_for(article, reader(), limit=200)
    return render_template("history.html", article=article, changes=changes, mode=history.mode(),
                           commits=history.commits)


def _text(article, rev: str):
    """(change or None for the file as it is now, text) of one version; 404 when unknown."""
    if rev == CURRENT:
        return None, article.path.read_text(encoding="utf-8")
    found = site().version_for(article, rev, reader())
    if found is None:
        abort(404)
    return found


@bp.get(ARTICLE_VERSION)
def version(slug: str, rev: str):
    article = _article(slug, "history.article_history")
    change, text = _text(article, rev)
    root = site().store.root
    old, problems = parse_article(text.encode("utf-8"), article.path, root)
    html = render_article(old).html if old is not None else ""
    return render_template("version.html", article=article, change=change, text=text, html=html,
                           problems=problems, digest=site().opened(article)[1])


@bp.get(ARTICLE_DIFF)
def diff(slug: str):
    article = _article(slug, "history.article_history")
    old_rev, new_rev = request.args.get("old", ""), request.args.get("new", CURRENT)
    if not old_rev:
        abort(404)
    old_change, old_text = _text(article, old_rev)
    new_change, new_text = _text(article, new_rev)
    same = old_text == new_text
    comparison = compare(old_text, new_text) if not same else None
    return render_template("diff.html", article=article, comparison=comparison, old=old_change, new=new_change,
                           same=same, old_rev=old_rev, new_rev=new_rev)


@bp.post(ARTICLE_REVERT)
@requires("editor")
def revert(slug: str):
    article = _article(slug, "history.article_history")
    rev = request.form.get("rev", "")
    if rev == CURRENT or site().history.version(rev, article.rel_path) is None:
        abort(404)
    saved = site().publishing.revert(article, rev, request.form.get("digest", ""), author(), reader(),
                                     request.form.get("message", ""),
                                     reconfirm=request.form.get("reconfirm") == "1")  # as the editor's form asks
    if saved.done and saved.draft:
        flash("本站的文章要经审核人发布：旧版本已保存为草稿，审核人发布后才生效。", "saved")
        return redirect(Urls().draft(slug), 303)
    if saved.done:
        return after_save(saved)
    flash("没有恢复：" + "；".join(p.message for p in saved.problems if p.severity != "note"), "warning")
    return redirect(Urls().history(slug), 303)


def _recent(limit: int):
    """Changes of the whole content folder the reader may know of, each with the articles it
    touched that they may see (application.site ``changes_for``)."""
    return site().changes_for(reader(), limit)


@bp.get("/changes")
def recent():
    history = site().history
    return render_template("recent.html", entries=_recent(PAGE), mode=history.mode())


@bp.get("/changes.atom")
def changes_feed():
    return xml_response("changes.atom.xml", "application/atom+xml; charset=utf-8", entries=_recent(PAGE))
