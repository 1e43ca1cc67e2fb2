"""Drafts and approval (editors; publishing and sending back as application.publishing allows):
the list of drafts, a draft against the published text word by word, and its publication,
return with a comment or discarding — each a commit by the person who did it."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from kb.approval import files_path
from kb.diffing import compare
from kb.store import parse_article

from ..auth import author, requires
from ..urls import ARTICLE_DRAFT, ARTICLE_DRAFT_DISCARD, ARTICLE_DRAFT_FILE, ARTICLE_DRAFT_PUBLISH, ARTICLE_DRAFT_RETURN
from . import after_save, catalog, editing_allowed, reader, render_article, site
from .articles import send_attachment

bp = Blueprint("drafts", __name__)


def _article_and_draft(slug: str):
    article = catalog().get(slug)
    if article is None:
        abort(404)
    return article, site().publishing.draft_of(article)


@bp.get("/drafts")
@requires("editor")
def listing():
    return render_template("drafts.html", drafts=site().publishing.drafts(catalog()),
                           may_publish=site().publishing.may_publish(reader()),
                           require_approval=site().config.require_approval)


@bp.get(ARTICLE_DRAFT)
@requires("editor")
def review(slug: str):
    article, draft = _article_and_draft(slug)
    if draft is None:
        flash("这篇文章没有待发布的草稿。", "saved")
        return redirect(url_for("articles.article", slug=slug), 303)
    comparison, html, problems = None, "", []
    if draft.new:
        text = article.path.read_text(encoding="utf-8")
        html = render_article(site().store.full(article)).html
    else:
        published = article.path.read_text(encoding="utf-8")
        comparison = compare(published, draft.text)  # bounded in time and size (kb.diffing)
        shown, problems = parse_article(draft.text.encode("utf-8"), article.path, site().store.root)
        html = render_article(shown).html if shown is not None else ""
        text = draft.text
    publishing = site().publishing
    return render_template("draft.html", article=article, draft=draft, comparison=comparison, html=html, problems=problems, text=text, files=publishing.attachments_of(article),
                           may_publish=publishing.may_publish(reader()), may_return=reader().at_least("approver"),
                           base_moved=not draft.new and draft.review and draft.review.base
                           and draft.review.base != article.digest)


def _done(saved, slug: str, said: str):
    if saved.done:
        flash(said, "saved")
        return redirect(url_for("drafts.listing"), 303)
    flash("没有完成：" + "；".join(p.message for p in saved.problems if p.severity != "note"), "warning")
    return redirect(url_for("drafts.review", slug=slug), 303)


@bp.post(ARTICLE_DRAFT_PUBLISH)
@requires("editor")
def publish(slug: str):
    editing_allowed()
    article, _ = _article_and_draft(slug)
    saved = site().publishing.publish(article, request.form.get("digest", ""), author(), reader(),
                                      request.form.get("message", "").strip())
    if saved.done:
        return after_save(saved)
    return _done(saved, slug, "")


@bp.post(ARTICLE_DRAFT_RETURN)
@requires("approver")
def send_back(slug: str):
    editing_allowed()
    article, _ = _article_and_draft(slug)
    saved = site().publishing.send_back(article, request.form.get("digest", ""), author(), reader(),
                                        request.form.get("comment", ""))
    return _done(saved, slug, f"已退回「{article.title}」的草稿，作者会在草稿里看到您的意见。")


@bp.post(ARTICLE_DRAFT_DISCARD)
@requires("editor")
def discard(slug: str):
    editing_allowed()
    article, _ = _article_and_draft(slug)
    saved = site().publishing.discard(article, request.form.get("digest", ""), author())
    return _done(saved, slug, f"已丢弃「{article.title}」的草稿（修改历史里仍有）。")


@bp.get(ARTICLE_DRAFT_FILE)
@requires("editor")
def staged_file(slug: str, name: str):
    """An attachment a draft adds, before it is published."""
    article, draft = _article_and_draft(slug)
    found = next((a for a in (draft.files if draft and not draft.new else []) if a.name == name), None)
    if found is None:
        abort(404)
    return send_attachment(site().store.root / files_path(article.rel_path) / found.name, found)
