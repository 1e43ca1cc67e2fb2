"""The synonyms list in the browser (editors only): the whole file in an editor, or one word
added to a group — from 搜索统计 (a query that found nothing) or from the list's own
suggestions. Checked by search (interface ``check_synonyms``) before anything is written,
saved under the articles' locks and recorded in the content's history; search uses the new
list at its next query, in every worker, without re-indexing."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request

from kb.analytics_report import report
from kb.article import Problem
from kb.synonyms import FILE, MAX_GROUP, add_word, candidates, parse

from ..auth import author, requires
from ..urls import Urls, local_path
from . import after_save, editing_allowed, site

bp = Blueprint("synonyms", __name__)
SUGGESTION_DAYS = 90


def _current() -> tuple[str, str | None]:
    return site().synonyms_text()


def _save(text: str, digest: str | None, message: str):
    return site().save_synonyms(text, digest, author(), message)


def _saved(result, said: str):
    if result.history_error:
        flash(f"{said}但没有记入修改历史（git 出错：{result.history_error}）。请告诉管理员。", "warning")
    else:
        flash(f"{said}搜索立即按新的同义词查找，不需要重建索引。", "saved")


def _page(text: str, digest: str | None, problems: list[Problem], status: int = 200, message: str = "", adding=None):
    s = site()
    suggestions = []
    if s.config.analytics:
        rep = report(s.analytics, SUGGESTION_DAYS)
        suggestions = candidates(rep.pairs, text, s.search.words)
    current, _ = _current()
    return render_template("synonyms.html", text=text, digest=digest or "", problems=problems, message=message,
                           groups=parse(current), suggestions=suggestions, adding=adding,
                           notes=[p for p in s.search.check_synonyms(current) if p.severity != "error"],
                           changes=s.history.log(FILE, limit=10), history_mode=s.history.mode(),
                           max_group=MAX_GROUP), status


@bp.route("/synonyms", methods=["GET", "POST"])
@requires("editor")
def editor():
    editing_allowed()
    if request.method == "GET":
        text, digest = _current()
        adding = {"word": request.args.get("add", "").strip()[:40], "line": request.args.get("line", type=int),
                  "partner": request.args.get("partner", "").strip()[:40]}
        return _page(text, digest, [], adding=adding if adding["word"] else None)
    text, message = request.form.get("text", ""), request.form.get("message", "").strip()
    result = _save(text, request.form.get("digest") or None, message or "修改同义词")
    if result.saved:
        _saved(result, "同义词已保存。")
        return redirect(Urls().synonyms(), 303)
    return _page(text, result.digest, result.problems, 409 if result.conflict else 400, message)


@bp.post("/synonyms/add")
@requires("editor")
def add():
    """Add one word to a group (``line``) or as a new group with ``partner``."""
    editing_allowed()
    form = request.form
    word, partner, group = form.get("word", "").strip(), form.get("partner", "").strip(), form.get("group", "new")
    line = int(group) if group.isdigit() else None
    text, digest = _current()
    adding = {"word": word, "line": line, "partner": partner}
    try:
        changed = add_word(text, word, line, partner)
    except ValueError as exc:
        return _page(text, digest, [Problem(FILE, str(exc))], 400, adding=adding)
    result = _save(changed, form.get("digest") or digest, form.get("message", "").strip() or f"加同义词 {word}")
    if not result.saved:
        return _page(text, result.digest, result.problems, 409 if result.conflict else 400, adding=adding)
    joined = next((g.label for g in parse(changed) if g.line == line), "") if line else f"{partner} {word}"
    _saved(result, f"已把「{word}」加为同义词：{joined}。")
    return redirect(local_path(form.get("next")) or Urls().synonyms(), 303)
