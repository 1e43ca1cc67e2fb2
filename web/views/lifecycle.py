"""A guideline's life on the site: the 「待复审」 page and its feed, 「确认仍然有效」 and 「开始修订」,
deleting an article, and an article as it was in force on a day (``?on=2025-03-01``). Each
translates HTTP into the application's use cases (application.lifecycle, Site.delete).

The review feed is for feed readers, which cannot log in through a form: besides an editor's
own session, it answers to a personal address carrying a key signed with the site's secret
(itsdangerous, which Flask already uses for sessions) that names the account. The key works
only while that account exists and is an editor; changing the site's secret key revokes every
key at once.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from kb import lifecycle

from ..auth import author, requires
from ..errors import SiteError
from ..urls import ARTICLE_CONFIRM_REVIEW, ARTICLE_DELETE, ARTICLE_START_REVISION, Urls, local_path
from . import catalog, editing_allowed, reader, render_article, site
from .feeds import xml_response

bp = Blueprint("lifecycle", __name__)
FEED_SALT = "review-feed"


@dataclass
class Life:
    """What an article's page shows of its life (web/templates/_lifecycle.html)."""

    marks: list[lifecycle.Mark] = field(default_factory=list)  # beside the title
    notices: list[lifecycle.Notice] = field(default_factory=list)  # at the top
    as_of: object = None  # application.lifecycle.AsOf: shown as in force on a day
    dated: bool = False  # offer 「查看某天施行的版本」


def page_life(article, day: dt.date | None = None, as_of=None) -> Life:
    """What ``article``'s page says of its life on ``day`` (today), linking only the articles
    the reader may see."""
    cat, day = catalog(), day or dt.date.today()
    notices = lifecycle.notices(article, cat.by_slug, day, cat.replaced_by)
    return Life(lifecycle.marks(article.meta, day), notices, as_of, lifecycle.has_life(article.meta))


# --- 待复审 ---------------------------------------------------------------------------------

def _feed_keys() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FEED_SALT)


@bp.get("/review")
@requires("editor")
def review():
    found = site().review(reader=reader())
    key = _feed_keys().dumps([current_user.id, current_user.name])
    return render_template("review.html", review=found, feed=Urls().review_feed(key),
                           may_publish=site().publishing.may_publish(reader()), digests={d.article.slug: d.article.digest for d in found.dues})


@bp.get("/review.atom")
def review_feed():
    """The 待复审 list as Atom: for an editor's session, or for a personal feed address."""
    if not current_user.can("editor"):
        try:
            number, name = _feed_keys().loads(request.args.get("key", ""))
            user = site().users.by_id(int(number))
        except (BadSignature, TypeError, ValueError):
            user = name = None
        if user is None or user.name != name or not user.can("editor"):
            raise SiteError(403, "订阅地址无效或已失效：请登录后从「待复审」页复制自己的订阅地址。")
    found = site().review(reader=reader() if current_user.can("editor") else site().reader_for(user))
    return xml_response("review.atom.xml", "application/atom+xml; charset=utf-8", review=found,
                        updated=dt.datetime.combine(found.today, dt.time()).isoformat() + "Z")


def _article(slug: str):
    found = catalog().get(slug)  # what the editor may see: 404 for a restricted article of another group
    if found is None:
        abort(404)
    return found


def _publisher_only() -> None:
    """Confirming, starting a revision and deleting change what readers are told of a published
    rule: where the site requires approval (require_approval) only an approver does them."""
    if not site().publishing.may_publish(reader()):
        raise SiteError(403, "本站的文章要经审核人发布：确认复审、开始修订和删除请审核人来做。")


def _done(saved, success: str):
    """Back to where the editor was (the review page, or the article), saying what happened."""
    if saved.done:
        for warning in saved.warnings:
            flash(f"已保存，但{warning}", "warning")
        flash(success, "saved")
    else:
        flash("没有保存：" + "；".join(p.message for p in saved.problems if p.severity != "note"), "warning")
    target = request.form.get("next", "")
    return redirect(local_path(target) or Urls().review(), 303)


@bp.post(ARTICLE_CONFIRM_REVIEW)
@requires("editor")
def confirm_review(slug: str):
    article = _article(slug)
    _publisher_only()
    saved = site().confirm_review(article, request.form.get("digest", ""), author())
    when = saved.article.meta.get("review_by") if saved.done else None
    return _done(saved, f"已确认《{article.title}》仍然有效，下次复审日期为 {when}。")


@bp.post(ARTICLE_START_REVISION)
@requires("editor")
def start_revision(slug: str):
    article = _article(slug)
    _publisher_only()
    saved = site().start_revision(article, request.form.get("digest", ""), author())
    return _done(saved, f"《{article.title}》已标为修订中：修订期间读者看到的仍是现在的文本。")


# --- deleting -------------------------------------------------------------------------------

@bp.route(ARTICLE_DELETE, methods=["GET", "POST"])
@requires("editor")
def delete(slug: str):
    editing_allowed()
    article = _article(slug)
    _publisher_only()
    form = request.form if request.method == "POST" else {
        "replaced_by": catalog().replaced_by.get(slug, ""), "digest": article.digest}
    problems = []
    if request.method == "POST":
        saved = site().delete(article, form.get("digest", ""), author(), form.get("reason", ""), form.get("replaced_by", ""))
        if saved.done:
            for warning in saved.warnings:
                flash(f"已删除，但{warning}", "warning")
            flash(f"已删除《{article.title}》：它不再出现在搜索和列表里，修改历史里仍保留它。", "saved")
            replacement = catalog().get(form.get("replaced_by", "").strip())
            return redirect(Urls().article(replacement.slug) if replacement else url_for("home.index"), 303)
        problems = saved.problems
    return render_template("delete.html", article=article, form=form, problems=problems)


# --- in force on a day ------------------------------------------------------------------------

def as_of(article, on: str):
    """``article``'s page as it was in force on the day ``on`` (YYYY-MM-DD), marked as not the
    current text."""
    try:
        day = dt.date.fromisoformat(on.strip())
    except ValueError:
        raise SiteError(400, f"日期 “{on[:20]}” 无效：请写成 YYYY-MM-DD，例如 ?on=2025-03-01") from None
    found = site().version_on(article, day)
    if found.article is None:
        shown, html, toc, life = site().store.full(article), "", [], Life(as_of=found)
    else:
        # the version under the address it has now (its links and print address are today's)
        shown = dataclasses.replace(found.article, meta={**found.article.meta, "slug": article.slug})
        rendered = render_article(shown)
        html, toc, life = rendered.html, rendered.toc, page_life(shown, day, found)
    return render_template("article.html", article=shown, html=html, toc=toc, related=[], path_positions=[],
                           life=life)
