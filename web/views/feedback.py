"""Feedback on the web: the form at the end of every article (application.feedback), the notes
page of owners and editors, and marking a note handled.

The form works without script and without an account where the site lets anonymous visitors
read; it carries the form token like every write (the session cookie a visitor gets with the
page holds it), and the Origin check of web.auth refuses one posted from another site."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from application.feedback import ACCEPTED, EMPTY, TOO_MANY
from kb.feedback import MAX_NOTE, REASONS

from ..errors import respond
from ..urls import ARTICLE
from . import article_or_redirect, reader, site

bp = Blueprint("feedback", __name__)
STATES = {"open": ("未处理", False), "handled": ("已处理", True), "all": ("全部", None)}


@bp.app_context_processor
def feedback_globals():
    def owns_articles() -> bool:
        """The person logged in owns an article (its 责任部门 is one of their groups)."""
        return bool(current_user.is_authenticated and site().feedback.articles_for(reader()))
    return {"owns_articles": owns_articles, "feedback_reasons": REASONS, "max_note": MAX_NOTE}


@bp.post(ARTICLE + "/feedback")
def give(slug: str):
    article, moved = article_or_redirect(slug, "articles.article")
    if moved:
        return moved
    form = request.form
    helpful = {"yes": True, "no": False}.get(form.get("helpful", ""))
    outcome = site().feedback.give(article, helpful, form.get("reason") or None, form.get("note", ""),
                                   request.remote_addr)
    if outcome == TOO_MANY:
        return respond(429, "提交得太频繁了，请过一会儿再提交。")
    if outcome == EMPTY:
        flash("请先选「有帮助」或「没帮助」，或写几句话。", "warning")
    elif outcome == ACCEPTED:
        flash("谢谢！您的反馈已转给这篇文章的负责人。", "saved")
    else:
        flash("今天收到的反馈太多了，暂时不能再收，请明天再提交。", "warning")
    return redirect(url_for("articles.article", slug=article.slug) + "#feedback", 303)


def _may_read_notes() -> None:
    if not current_user.is_authenticated:
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?"))))


@bp.get("/feedback")
def notes():
    """Owners and editors: the notes on their articles, open ones first."""
    _may_read_notes()
    state = request.args.get("state", "open")
    label, handled = STATES.get(state, STATES["open"])
    owner = request.args.get("owner") or None
    desk, me = site().feedback, reader()
    articles = desk.articles_for(me)
    owners = sorted({a.meta.get("owner") for a in articles if a.meta.get("owner")})
    return render_template("feedback.html", notes=desk.notes_for(me, owner, handled), state=state, states=STATES,
                           owner=owner, owners=owners, has_articles=bool(articles))


@bp.post("/feedback/<int:note_id>/handled")
def handle(note_id: int):
    _may_read_notes()
    done = site().feedback.handle(reader(), note_id, request.form.get("handled", "1") == "1")
    if done is None:
        abort(404)
    flash("已标为已处理。" if request.form.get("handled", "1") == "1" else "已改回未处理。", "saved")
    return redirect(url_for("feedback.notes", state=request.form.get("state", "open"),
                            owner=request.form.get("owner") or None), 303)
