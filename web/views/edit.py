"""Adding and editing articles in the browser. Validation is kb's; a failed save writes nothing."""
import datetime as dt
import secrets

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from kb.article import TYPES, Problem
from kb.frontmatter import dump
from kb.store import save_article

from ..indexing import content_changed
from . import catalog, kb

bp = Blueprint("edit", __name__)


def _csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(16)
    return session["csrf"]


def _guard() -> None:
    if not kb()["config"].allow_edit:
        abort(404)
    if request.method == "POST":
        expected = session.get("csrf")
        if not expected or not secrets.compare_digest(request.form.get("csrf", ""), expected):
            abort(400)


def _template(slug: str, title: str, kind: str, category: str, tags: str, summary: str, body: str) -> str:
    today = dt.date.today()
    meta = {
        "title": title, "slug": slug, "type": kind, "category": category,
        "tags": [t for t in tags.replace("，", ",").split(",") if t.strip()] if tags else [],
        "summary": summary, "source": "", "author": "", "published": today, "updated": today, "aliases": [],
    }
    return dump({k: (v.strip() if isinstance(v, str) else v) for k, v in meta.items()}, body)


def _saved(rel_path: str) -> None:
    """A file was written: reload it, and make it searchable before the redirect arrives."""
    kb()["store"].invalidate()
    kb()["search"].update([rel_path])
    content_changed(kb()["config"].index_path)  # the site's other workers reload it too


@bp.route("/new", methods=["GET", "POST"])
def new():
    _guard()
    form = request.form
    problems = []
    if request.method == "POST":
        slug = form.get("slug", "").strip()
        kind = form.get("type", "guide")
        text = _template(slug, form.get("title", ""), kind, form.get("category", ""), form.get("tags", ""),
                         form.get("summary", ""), form.get("body", ""))
        folder = "checklists" if kind == "checklist" else "guides"
        article, problems = save_article(catalog(), f"{folder}/{slug or 'untitled'}.md", text)
        if article is not None:
            _saved(article.rel_path)
            return redirect(url_for("articles.article", slug=article.slug), 303)
    return render_template("edit_new.html", form=form, problems=problems, types=TYPES, csrf=_csrf_token())


@bp.route("/a/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    _guard()
    cat = catalog()
    article = cat.get(slug)
    if article is None:
        abort(404)
    problems = []
    if request.method == "POST":
        text = request.form.get("text", "")
        if request.form.get("digest") != article.digest:
            # Someone saved this file after the form was opened: never overwrite their change.
            problems = [Problem(article.rel_path, "这篇文章在您编辑期间已被别人修改并保存。您的内容仍在下面，"
                                                  "请先在新窗口打开文章查看最新版本，把您的修改合并进去后再保存。")]
            return render_template("edit.html", article=article, text=text, problems=problems, csrf=_csrf_token(),
                                   digest=article.digest)
        saved, problems = save_article(cat, article.rel_path, text, previous=article)
        if saved is not None:
            _saved(saved.rel_path)
            return redirect(url_for("articles.article", slug=saved.slug), 303)
    else:
        text = article.path.read_text(encoding="utf-8")
    current_app.logger.debug("edit %s", slug)
    return render_template("edit.html", article=article, text=text, problems=problems, csrf=_csrf_token(),
                           digest=request.form.get("digest", article.digest))
