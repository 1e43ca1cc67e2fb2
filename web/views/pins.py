"""Best bets (推荐答案) in the browser, for editors: the list of pins with what is wrong with each
(target deleted, renamed, gone, repealed), the whole file in an editor, and one pin added — from
a results page (「设为推荐答案」 on a result) or from the 搜索统计 page's rows. Saved by the
application (application.best_bets) like the synonyms list: checked, locked, in the history."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request

from kb.article import Problem
from kb.pins import FILE

from ..auth import author, requires
from ..urls import Urls, local_path
from . import editing_allowed, site

bp = Blueprint("pins", __name__)


def _saved(result, said: str) -> None:
    if result.history_error:
        flash(f"{said}但没有记入修改历史（git 出错：{result.history_error}）。请告诉管理员。", "warning")
    else:
        flash(f"{said}搜索立即使用，不需要重建索引。", "saved")


def _back(default: str):
    back = request.form.get("next", "")
    return redirect(local_path(back) or default, 303)


def _page(text: str, digest: str | None, problems: list[Problem], status: int = 200, message: str = "", adding=None):
    bets = site().best_bets
    return render_template("pins.html", text=text, digest=digest or "", problems=problems, message=message,
                           pins=bets.listed(), adding=adding, changes=site().history.log(FILE, limit=10),
                           history_mode=site().history.mode()), status


@bp.route("/pins", methods=["GET", "POST"])
@requires("editor")
def editor():
    editing_allowed()
    bets = site().best_bets
    if request.method == "GET":
        text, digest = bets.text()
        adding = {"query": request.args.get("add", "").strip()[:200], "target": request.args.get("target", "")[:300]}
        return _page(text, digest, [], adding=adding if adding["query"] or adding["target"] else None)
    text, message = request.form.get("text", ""), request.form.get("message", "").strip()
    result = bets.save(text, request.form.get("digest") or None, author(), message or "修改推荐答案")
    if result.saved:
        _saved(result, "推荐答案已保存。")
        return redirect(Urls().pins(), 303)
    return _page(text, result.digest, result.problems, 409 if result.conflict else 400, message)


@bp.post("/pins/add")
@requires("editor")
def add():
    """Pin ``target`` as the answer to ``query``."""
    editing_allowed()
    query, target = request.form.get("query", "").strip()[:200], request.form.get("target", "").strip()[:300]
    text, digest = site().best_bets.text()
    try:
        result = site().best_bets.pin(query, target, author(), request.form.get("message", "").strip())
    except ValueError as exc:
        return _page(text, digest, [Problem(FILE, str(exc))], 400, adding={"query": query, "target": target})
    if not result.saved:
        return _page(text, result.digest, result.problems, 409 if result.conflict else 400,
                     adding={"query": query, "target": target})
    _saved(result, f"已把 {target} 设为“{query}”的推荐答案。")
    return _back(Urls().pins())
