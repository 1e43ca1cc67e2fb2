"""Who is asking, and may they: accounts, login, roles, and the guards on every write.

Auth enters at one hook (``guard``, run before every request, as flaskr's
``before_app_request``):

- a write (POST, PUT, PATCH, DELETE) from another site is refused: its ``Origin`` (or, when a
  browser sends none, its ``Referer``) must be this site. Clients that send neither (scripts,
  curl) are not browsers and cannot be made to post by another site; the form token still
  applies to them.
- every write but logging in and out needs an editor, except telling the query log which
  search result was opened (``READER_WRITES``, any reader); views that manage accounts need
  an admin.
- with ``require_login`` every page but the login page needs an account.

The form token is Flask-WTF's CSRFProtect: signed with the site's key, bound to the session,
expiring after a working day, and renewed when someone logs in or out (so a token taken
before login is worth nothing after it). Cookies are HttpOnly and SameSite=Lax, and Secure
when the request came over HTTPS (or ``secure_cookies`` says the site is behind one).

A session lasts ``session_hours`` and names the account's session version (kb.users): logging
out, a new password or role, and an admin's 「下线」 end every session of the account at once.
Password checks are limited per address and per name (kb.login_limit).
"""
from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect, generate_csrf

from kb.directory import DirectoryError
from kb.people import LOCAL
from kb.history import Author
from kb.users import ROLES, AccountError

from .errors import SiteError, respond
from .urls import local_path

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# reachable without an account under require_login (the review feed and a private feed check
# their own key: web.views.lifecycle, web.views.following)
OPEN_ENDPOINTS = {"auth.login", "static", "icons.icon", "api.healthz", "lifecycle.review_feed", "following.private_feed"}
# posts any reader may make: which search result was opened, their reading progress,
# 「已阅读并理解」 (an account's own, checked by the view), a note to an article's owner
# (rate-limited) and its owner marking it handled (checked by the view), following and one's
# private feed address (an account's own), and reminders sent by a group's 负责人 (checked by the view)
READER_WRITES = {"analytics.opened", "paths.progress", "reading.confirm", "feedback.give", "feedback.handle",
                 "following.follow", "following.mine", "reading.remind"}
MAX_SESSION_HOURS = 2160  # 90 days
REFUSED = {
    "address": "从您这里登录失败的次数过多，请 15 分钟后再试。",
    "name": "这个账号最近在别的地方登录失败的次数过多，暂时只能从您以前登录过的电脑登录；也可以 15 分钟后再试，或请管理员重设密码。",
}


class Anonymous(AnonymousUserMixin):
    name = ""
    role = ""
    role_label = "访客"

    def can(self, role: str) -> bool:
        return role == "reader" and not current_app.config["KB"].require_login


class _Sessions(SecureCookieSessionInterface):
    """Secure cookies whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def init_app(app: Flask, site) -> None:
    config = site.config
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=config.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=max(1, min(config.session_hours, MAX_SESSION_HOURS)) * 3600,
        WTF_CSRF_TIME_LIMIT=12 * 3600,  # an article may take a morning to write
        WTF_CSRF_FIELD_NAME="csrf", WTF_CSRF_SSL_STRICT=True,
    )
    app.session_interface = _Sessions()
    app.before_request(guard)  # before the token check: another site's post is told so, token or not
    csrf.init_app(app)
    manager = LoginManager(app)
    manager.anonymous_user = Anonymous
    manager.login_view = "auth.login"
    manager.login_message = None

    @manager.user_loader
    def load_user(session_id: str):
        return site.users.by_session(session_id)  # None once the account's sessions were ended

    if config.trusted_user_header:
        header = config.trusted_user_header

        @manager.request_loader
        def from_proxy(req):
            """Single sign-on: the reverse proxy authenticated the user and names them."""
            name = (req.environ.get(header) or req.headers.get(header.replace("_", "-")) or "").strip()
            return site.users.ensure(name) if name else None

    app.register_blueprint(bp)

    @app.context_processor
    def auth_globals():
        return {"user": current_user, "can_edit": _may_edit(), "csrf_token": generate_csrf, "ROLES": ROLES}


def _may_edit() -> bool:
    return current_app.config["KB"].allow_edit and current_user.can("editor")


def _same_origin(url: str) -> bool:
    parts = urlsplit(url)
    here = urlsplit(request.host_url)
    return (parts.scheme, parts.netloc) == (here.scheme, here.netloc)


def guard():
    """The one hook every request passes (see the module's docstring)."""
    if request.method in UNSAFE:
        origin = request.headers.get("Origin")
        referer = request.headers.get("Referer")
        if origin is not None and not _same_origin(origin):
            log.warning("refused cross-site %s %s from Origin %s", request.method, request.path, origin)
            raise SiteError(403, "拒绝了来自其他网站的提交。请在本站的页面上操作。")
        if origin is None and referer and not _same_origin(referer):
            log.warning("refused cross-site %s %s from Referer %s", request.method, request.path, referer)
            raise SiteError(403, "拒绝了来自其他网站的提交。请在本站的页面上操作。")
        if request.endpoint in READER_WRITES:
            if not current_user.can("reader"):
                return _refuse("reader")
        elif request.endpoint not in ("auth.login", "auth.logout") and not current_user.can("editor"):
            return _refuse("editor")
    elif current_app.config["KB"].require_login and request.endpoint not in OPEN_ENDPOINTS \
            and not current_user.is_authenticated:
        return _refuse("reader")
    return None


def _refuse(role: str):
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            return respond(401, "请先登录。", "login_required")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    raise SiteError(403, f"这需要{ROLES[role]}权限；您的账号是{current_user.role_label}。")


def requires(role: str):
    """View decorator: at least ``role``; anonymous visitors are sent to the login page."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.can(role):
                return _refuse(role)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def _site():
    return current_app.extensions["kb"]


def _safe_next(target: str | None) -> str:
    """Only a path on this site (web.urls.local_path), else the home page."""
    return local_path(target) or url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    users = _site().users
    error = None
    name = request.form.get("name", "")
    if request.method == "POST":
        attempt = users.limit.begin(name, request.remote_addr or "")
        if not attempt.allowed:
            log.warning("login refused for %r from %s: too many failures (%s)", name, request.remote_addr,
                        attempt.refused)
            return respond(429, REFUSED[attempt.refused])
        try:
            user = _site().authenticate(name, request.form.get("password", ""))
        except DirectoryError as exc:
            return render_template("login.html", error=str(exc), name=name, next=request.args.get("next", "")), 503
        if user is None:
            log.warning("failed login for %r from %s", name, request.remote_addr)
            error = "用户名或密码不对。"
        else:
            users.limit.succeeded(attempt)
            session.clear()  # a new session (and a new form token) for the new identity
            session.permanent = True
            login_user(user)
            log.info("%s logged in from %s", user.name, request.remote_addr)
            return redirect(_safe_next(request.args.get("next")), 303)
    return render_template("login.html", error=error, name=name, next=request.args.get("next", "")), \
        (200 if error is None else 401)


@bp.post("/logout")
def logout():
    """Logging out ends every session of the account, not only this browser's: a cookie
    copied from it is worth nothing after this."""
    if current_user.is_authenticated:
        _site().users.end_sessions(current_user.name)
    logout_user()
    session.clear()
    return redirect(url_for("home.index"), 303)


@bp.route("/users", methods=["GET", "POST"])
@requires("admin")
def users():
    users_ = _site().users
    message = error = None
    if request.method == "POST":
        action, name = request.form.get("action", ""), request.form.get("name", "").strip()
        try:
            message = _manage(users_, action, name)
        except AccountError as exc:
            error = str(exc)
    people = _site().people
    groups = people.groups()
    return render_template("users.html", users=users_.all(), roles=ROLES, message=message, error=error,
                           memberships=people.memberships(), emails=people.emails(), groups=groups,
                           local_managers={g.name: people.managers(g.name, LOCAL) for g in groups if g.managers}), \
        (200 if error is None else 400)


def _manage(users_, action: str, name: str) -> str:
    from kb.people import check_email, check_group_name, split_names

    form, people = request.form, _site().people
    if action in ("groups", "email") and users_.get(name) is None:
        raise AccountError(f"没有用户 “{name}”")
    if action == "add":
        check_email(form.get("email", ""))  # before the account is made: a mistake adds nothing
        for group in split_names(form.get("groups", "")):
            check_group_name(group)
        user = users_.add(name, form.get("password", ""), form.get("role", "editor"))
        people.set_email(user.name, form.get("email", ""))
        people.set_groups(user.name, split_names(form.get("groups", "")))
        return f"已添加用户 {name}。"
    if action == "groups":
        people.set_groups(name, split_names(form.get("groups", "")))
        return f"已更新 {name} 所在的组。"
    if action == "email":
        people.set_email(name, form.get("email", ""))
        return f"已更新 {name} 的邮件地址。"
    if action == "add_group":
        names = [people.add_group(n) for n in split_names(name)]
        if not names:
            raise AccountError("请填写组名")
        return f"已添加组 {'、'.join(names)}。"
    if action == "managers":
        names = split_names(form.get("managers", ""))
        missing = [n for n in names if users_.get(n) is None]
        if missing:
            raise AccountError("没有这些用户：" + "、".join(missing))
        people.set_managers(name, names)
        return f"已把 {name} 的负责人改为 {'、'.join(names)}。" if names else f"{name} 现在没有（本站指定的）负责人。"
    if action == "remove_group":
        people.remove_group(name)
        return f"已删除组 {name}。"
    if action == "role":
        users_.set_role(name, form.get("role", ""))
        return f"已把 {name} 的角色改为{ROLES.get(form.get('role', ''), '')}。"
    if action == "password":
        users_.set_password(name, form.get("password", ""))
        return f"已重设 {name} 的密码。"
    if action == "signout":
        users_.end_sessions(name)
        return f"已让 {name} 在所有电脑和浏览器上退出登录。"
    if action == "remove":
        if name == current_user.name:
            raise AccountError("不能删除自己的账号")
        users_.remove(name)
        people.forget(name)
        _site().following.store.forget(name)
        return f"已删除用户 {name}。"
    raise AccountError("未知的操作")


def author() -> Author:
    """Who a change made by the logged-in user is recorded as."""
    return Author.named(current_user.name)

