"""Adding and editing articles in the browser. Validation is kb's; a failed save writes nothing."""
import datetime as dt
import secrets

from flask import Blueprint, abort, redirect, render_template, request, session, url_for

from kb.article import TYPES
from kb.defaults import slug_from_name
from kb.frontmatter import dump
from kb.saving import save_article

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


@bp.route("/new", methods=["GET", "POST"])
def new():
    _guard()
    form = request.form
    problems = []
    if request.method == "POST":
        # Without a slug the title gives one, as a file name does (会议纪要 -> hui-yi-ji-yao).
        slug = form.get("slug", "").strip() or slug_from_name(form.get("title", "").replace("/", " ") + ".md")
        kind = form.get("type", "guide")
        text = _template(slug, form.get("title", ""), kind, form.get("category", ""), form.get("tags", ""),
                         form.get("summary", ""), form.get("body", ""))
        folder = "checklists" if kind == "checklist" else "guides"
        result = save_article(kb()["store"], f"{folder}/{slug or 'untitled'}.md", text, base_digest=None)
        if result.article is not None:
            return _saved(result.article)
        problems = result.problems
    return render_template("edit_new.html", form=form, problems=problems, types=TYPES, csrf=_csrf_token())


def _saved(article):
    """A file was written: reload it, and make it searchable before the redirect arrives."""
    kb()["store"].invalidate()
    kb()["search"].update([article.rel_path])
    content_changed(kb()["config"].index_path)  # the site's other workers reload it too
    return redirect(url_for("articles.article", slug=article.slug), 303)


@bp.route("/a/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    _guard()
    article = catalog().get(slug)
    if article is None:
        abort(404)
    if request.method == "GET":
        return render_template("edit.html", article=article, text=article.path.read_text(encoding="utf-8"),
                               problems=[], csrf=_csrf_token(), digest=article.digest)
    # The check against a change made meanwhile happens inside the save's lock; on a conflict
    # the page carries the digest of the file as it is now, so that the next save, made after
    # reading the other change, is a deliberate one.
    text = request.form.get("text", "")
    result = save_article(kb()["store"], article.rel_path, text, base_digest=request.form.get("digest") or "")
    if result.article is not None:
        return _saved(result.article)
    return render_template("edit.html", article=article, text=text, problems=result.problems, csrf=_csrf_token(),
                           digest=result.digest or "")
