"""Adding and editing articles in the browser (editors only): the forms, translated into the
application's save (application.site); a failed save writes nothing and the editor keeps the
text."""
from flask import Blueprint, abort, render_template, request

from application.site import NewArticle
from kb.article import TYPES

from ..auth import author, requires
from ..urls import ARTICLE_EDIT
from . import after_save, catalog, editing_allowed, render_article, site

bp = Blueprint("edit", __name__)


def _tags(text: str) -> tuple[str, ...]:
    return tuple(t for t in text.replace("，", ",").split(",") if t.strip())


@bp.route("/new", methods=["GET", "POST"])
@requires("editor")
def new():
    editing_allowed()
    # a GET may bring the title (搜索统计's 「新建文章」 for a query that found nothing)
    form = request.form if request.method == "POST" else {"title": request.args.get("title", "")[:200]}
    problems = []
    if request.method == "POST":
        article = NewArticle(title=form.get("title", ""), slug=form.get("slug", ""), type=form.get("type", "guide"),
                             category=form.get("category", ""), tags=_tags(form.get("tags", "")),
                             summary=form.get("summary", ""), body=form.get("body", ""))
        saved = site().create(article, author(), form.get("message", ""))
        if saved.done:
            return after_save(saved, "new")
        problems = saved.problems
    return render_template("edit_new.html", form=form, problems=problems, types=TYPES)


@bp.route(ARTICLE_EDIT, methods=["GET", "POST"])
@requires("editor")
def edit(slug: str):
    editing_allowed()
    article = catalog().get(slug)
    if article is None:
        abort(404)
    if request.method == "GET":
        return render_template("edit.html", article=article, text=article.path.read_text(encoding="utf-8"),
                               problems=[], digest=article.digest, message="")
    # The check against a change made meanwhile happens inside the save's lock; on a conflict
    # the page carries the digest of the file as it is now, so that the next save, made after
    # reading the other change, is a deliberate one.
    text, message = request.form.get("text", ""), request.form.get("message", "")
    reconfirm = request.form.get("reconfirm") == "1"  # a material change: confirm again (application.reading)
    saved = site().save(article.rel_path, text, request.form.get("digest") or "", author(),
                        message or f"修改 {article.title}", reconfirm=reconfirm)
    if saved.done:
        return after_save(saved, f"edit:{slug}")
    return render_template("edit.html", article=article, text=text, problems=saved.problems,
                           digest=saved.digest or "", message=message, reconfirm=reconfirm)


@bp.post("/preview")
@requires("editor")
def preview():
    """The editor's preview: the text rendered by the same code as the article page, with the
    problems a save would report."""
    rel_path = request.form.get("path", "") or "guides/preview.md"
    article, problems = site().check_text(rel_path, request.form.get("text", ""))
    html = render_article(article).html if article is not None else ""
    return {
        "html": html,
        "title": article.title if article is not None else "",
        "problems": [{"line": p.line, "message": p.message, "severity": p.severity} for p in problems],
    }
