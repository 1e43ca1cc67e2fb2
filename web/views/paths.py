"""The onboarding kit: reading paths edited in the browser, a printable A4 handout of a path
with a QR code per item, progress kept on the server for staff with an account, and the
managers' page of who finished which path and when. Every list goes through the reader's
catalog (application.access)."""
from __future__ import annotations

import hashlib
from urllib.parse import quote, unquote

import segno
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from application.paths import PathForm
from kb.addresses import short_url
from kb.article import article_url

from ..auth import author, requires
from ..errors import respond
from ..urls import PATH_EDIT, PATH_NEW, PATH_PRINT, PATH_PROGRESS, PATHS_PROGRESS
from . import catalog, editing_allowed, reader, site

bp = Blueprint("paths", __name__)
BLANK_ROWS = 2  # empty rows at the end of the editor, for new items


def _path(slug: str):
    found = next((p for p in catalog().paths if p.slug == slug), None)
    if found is None:
        abort(404)
    return found


# --- the editor ---------------------------------------------------------------------------------


def _form_from_request() -> tuple[PathForm, str]:
    """The form as posted, with a move/remove/add action applied; (form, action)."""
    form = request.form
    rows = [(form.get(f"target-{i}", ""), form.get(f"title-{i}", ""), form.get(f"note-{i}", ""))
            for i in range(min(int(form.get("rows", "0") or 0), 200))]
    action = form.get("action", "save")
    kind, _, at = action.partition(":")
    if at.isdigit() and int(at) < len(rows):
        i = int(at)
        if kind == "up" and i > 0:
            rows[i - 1], rows[i] = rows[i], rows[i - 1]
        elif kind == "down" and i + 1 < len(rows):
            rows[i + 1], rows[i] = rows[i], rows[i + 1]
        elif kind == "remove":
            rows.pop(i)
    rows = [r for r in rows if any(x.strip() for x in r)]
    return PathForm(form.get("slug", "").strip(), form.get("title", ""), form.get("summary", ""), rows), kind


def _editor(form: PathForm, digest: str, new: bool, problems=(), message: str = "", status: int = 200):
    rows = form.items + [("", "", "")] * BLANK_ROWS
    articles = sorted(catalog().articles, key=lambda a: a.title)[:3000]
    return render_template("path_edit.html", form=form, rows=rows, digest=digest, new=new, problems=problems,
                           message=message, articles=articles), status


def _save(form: PathForm, digest: str | None, new: bool):
    message = request.form.get("message", "")
    result = site().save_reading_path(form, digest, author(), message, reader())
    if result.saved:
        for warning in ([f"没有记入修改历史（git 出错：{result.history_error}）。"] if result.history_error else []):
            flash(f"已保存，但{warning}", "warning")
        flash("阅读路径已保存。", "saved")
        return redirect(url_for("browse.reading_path", slug=form.slug), 303)
    return _editor(form, result.digest or "", new, result.problems, message, 400 if not result.conflict else 409)


@bp.route(PATH_NEW, methods=["GET", "POST"])
@requires("editor")
def new():
    editing_allowed()
    if request.method == "GET":
        return _editor(PathForm("", ""), "", True)
    form, action = _form_from_request()
    if action != "save":
        return _editor(form, "", True, message=request.form.get("message", ""))
    return _save(form, None, True)


@bp.route(PATH_EDIT, methods=["GET", "POST"])
@requires("editor")
def edit(slug: str):
    editing_allowed()
    found = _path(slug)
    path = site().store.root / found.rel_path
    digest = hashlib.sha1(path.read_bytes()).hexdigest() if path.exists() else ""
    if request.method == "GET":
        rows = [(item.href, item.title, item.note) for item in found.items]
        return _editor(PathForm(found.slug, found.title, found.summary, rows), digest, False)
    form, action = _form_from_request()
    form.slug = found.slug  # a path's address does not change in the editor
    if action != "save":
        return _editor(form, request.form.get("digest", ""), False, message=request.form.get("message", ""))
    return _save(form, request.form.get("digest") or None, False)


# --- the handout ----------------------------------------------------------------------------------


def _qr(url: str) -> Markup:
    """A QR code as inline SVG (segno): drawn with attributes only, no style, so that the site's
    CSP holds; error correction M survives a crease or a smudge on paper, and the quiet zone is the four modules
    the standard asks for (phone cameras find the code by it)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=3, border=4, dark="#000", light="#fff",
                                                           svgclass="handout-qr-code", lineclass=None,
                                                           title=None, omitsize=True))


def _address(item) -> str:
    """The lasting address of an item: its short address (and section), else its article's."""
    cat = catalog()
    article = cat.get(item.slug)
    entry = cat.address(article) if article is not None else None
    if entry is not None:
        return short_url(entry.number) + (f"/{quote(item.anchor)}" if item.anchor else "")
    return article_url(item.slug) + (f"/{quote(item.anchor)}" if item.anchor else "")


@bp.get(PATH_PRINT)
def handout(slug: str):
    found = _path(slug)
    base = site().config.site_url
    cat = catalog()
    items = []
    for item in found.items:
        if cat.get(item.slug) is None:
            continue
        address = base + _address(item)
        # printed as people read and type it (…/k/8/讲规矩); the QR code carries the encoded form
        items.append((item, address, _qr(address), unquote(address)))
    return render_template("path_print.html", path=found, items=items, path_url=base + url_for("browse.reading_path", slug=slug),
                           path_qr=_qr(base + url_for("browse.reading_path", slug=slug)))


# --- progress on the server ----------------------------------------------------------------------


@bp.route(PATH_PROGRESS, methods=["GET", "POST"])
def progress(slug: str):
    """GET: {items: {href: when}} of the logged-in reader; POST {item, read} or {reset: true}.
    Anonymous readers keep their progress in the browser: 401."""
    if not current_user.is_authenticated:
        return respond(401, "登录后阅读进度才保存在服务器上。", "login_required")
    found = _path(slug)
    store = site().progress
    if request.method == "POST":
        data = request.get_json(silent=True) or {}
        keys = {item.href for item in found.items}
        if data.get("reset"):
            store.reset(current_user.name, slug)
        elif data.get("item") in keys:
            store.mark(current_user.name, slug, data["item"], bool(data.get("read", True)))
        else:
            return respond(400, "阅读路径里没有这一项。")
    read = store.of(current_user.name, slug)
    return jsonify({"items": {k: v.isoformat() for k, v in read.items()}})


@bp.get(PATHS_PROGRESS)
@requires("editor")
def managers():
    """Who has finished which path and when (staff with an account; anonymous reading is not
    recorded)."""
    store = site().progress
    rows = [(p, store.standings(p.slug, [i.href for i in p.items])) for p in catalog().paths]
    return render_template("path_progress.html", rows=rows)


def path_share(found) -> dict:
    """What the path page offers a manager sending it to a newcomer: its address and an e-mail."""
    url = site().config.site_url + url_for("browse.reading_path", slug=found.slug)
    body = f"欢迎加入！请按这个顺序阅读《{found.title}》（登录后会记录你的阅读进度）：\n{url}\n"
    return {"url": url, "mailto": f"mailto:?subject={quote('入职阅读：' + found.title)}&body={quote(body)}"}
