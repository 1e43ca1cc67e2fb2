"""Following on the web: the 「关注」 buttons (an article, a category, a reading path), the page of
one's follows and private feed address, and the private feed itself (application.following)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kb.follows import KINDS

from ..auth import _safe_next
from . import reader, site
from .feeds import xml_response

bp = Blueprint("following", __name__)


@bp.app_context_processor
def following_globals():
    def is_following(kind: str, target: str) -> bool:
        return bool(current_user.is_authenticated and site().following.follows(reader(), kind, target))
    return {"is_following": is_following, "FOLLOW_KINDS": KINDS}


def _logged_in():
    if not current_user.is_authenticated:
        abort(redirect(url_for("auth.login", next=request.referrer and _safe_next(request.referrer) or None)))


@bp.post("/follow")
def follow():
    """Follow or stop following (``on`` 1 or 0) an article, a category or a reading path."""
    _logged_in()
    kind, target, on = request.form.get("kind", ""), request.form.get("target", ""), request.form.get("on") == "1"
    if not site().following.set(reader(), kind, target, on):
        abort(404)
    flash(f"已关注这个{KINDS[kind]}：它有更新时会出现在首页的「我关注的更新」里。" if on else f"已取消关注这个{KINDS[kind]}。",
          "saved")
    return redirect(_safe_next(request.form.get("next")), 303)


@bp.route("/me/follows", methods=["GET", "POST"])
def mine():
    """What I follow, and my private feed's address (made anew, or revoked)."""
    _logged_in()
    store, name, token = site().following.store, current_user.name, None
    if request.method == "POST":  # an account's own: web.auth lets readers make it
        if request.form.get("action") == "revoke":
            store.revoke(name)
            flash("已停用私人订阅地址。", "saved")
        else:
            token = store.new_token(name)
    return render_template("follows.html", follows=site().following.of(reader()), token=token, since=store.has_token(name),
                           updates=site().following.updates_for(reader(), 20))


@bp.get("/feeds/<token>.atom")
def private_feed(token: str):
    """The updates of what the token's account follows, as that account may read them."""
    account = site().following.store.account_of(token)
    user = site().users.get(account) if account else None
    if user is None:
        abort(404)
    updates = site().following.updates_for(site().reader_for(user), 50)
    return xml_response("follows.atom.xml", "application/atom+xml; charset=utf-8", updates=updates, account=user.name)
