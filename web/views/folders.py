"""A folder's defaults in the browser (editors): who may read its articles and who must read
them (``_folder.yaml``: application.folder_defaults), with the same group pickers as the
article form. A folder the person may not change answers 404, as one that does not exist."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request

from application.folder_defaults import SHOWN
from kb import form as article_form
from kb.fields import EVERYONE

from ..auth import author, requires
from ..urls import Urls
from . import editing_allowed, reader, site

bp = Blueprint("folders", __name__)


def group_names() -> list[str]:
    """The groups the pickers offer: the site's own and 全体 (application.access)."""
    return [EVERYONE, *sorted(g.name for g in site().people.groups())]


@bp.get("/folders")
@requires("editor")
def listing():
    editing_allowed()
    return render_template("folders.html", folders=site().folder_settings.listing(reader()), shown=_inputs())


def _inputs():
    return [i for i in article_form.inputs() if i.name in SHOWN]


@bp.route("/folders/edit", methods=["GET", "POST"])
@requires("editor")
def edit():
    editing_allowed()
    settings = site().folder_settings
    current = settings.of(request.args.get("path", ""), reader())
    if current is None:
        abort(404)
    if request.method == "GET":
        values = {i.name: article_form.values_of("---\n" + current.text + "\n---\n")[0].get(i.name, "") for i in _inputs()}
        return _page(current, values, current.digest, [], "")
    f = request.form
    saved = settings.save(current, f, f.get("digest") or None, author(), f.get("message", ""), reader())
    result = saved.result
    if result.saved:
        if result.history_error:
            flash(f"已保存，但没有记入修改历史（git 出错：{result.history_error}）。请告诉管理员。", "warning")
        else:
            flash(f"已保存文件夹 {current.label} 的默认设置。", "saved")
        for note in saved.notes:  # as an article's save says them (web.views.after_save)
            flash(note, "saved")
        return redirect(Urls().folders() if saved.shut_out else Urls().folder(current.folder), 303)
    return _page(current, {i.name: f.get(i.name, "") for i in _inputs()}, result.digest, result.problems,
                 f.get("message", ""), 409 if result.conflict else 400)


def _page(current, values, digest, problems, message, status=200):
    inherited = {name: ", ".join(v) if isinstance(v, list) else str(v)
                 for name, (v, _) in current.inherited.items() if name in SHOWN and v}
    sources = {name: f"上级文件夹 {src.rpartition('/')[0] or '内容目录'}{'/' if '/' in src else ''} 的设置"
               for name, (_, src) in current.inherited.items() if name in inherited}
    return render_template("folder.html", folder=current, inputs=_inputs(), values=values, digest=digest or "",
                           problems=problems, message=message, inherited=inherited, default_from=sources, groups=group_names(),
                           changes=site().folder_settings.history(current, reader()),
                           history_mode=site().history.mode()), status
