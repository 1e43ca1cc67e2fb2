"""Adding and editing articles in the browser (editors only). Validation is kb's; a failed
save writes nothing; a save is a commit in the content's history, authored by the editor."""
import datetime as dt
import logging
import re

from flask import Blueprint, abort, flash, redirect, render_template, request

from kb.article import TYPES
from kb.defaults import slug_from_name
from kb.frontmatter import dump, with_field
from kb.saving import save_article
from kb.store import parse_article
from search.interface import SearchError

from ..auth import author, requires
from application.keeper import content_changed
from ..urls import ARTICLE_EDIT, Urls
from . import catalog, render_article, site

bp = Blueprint("edit", __name__)
_MEDIA = re.compile(r"\(/media/([0-9a-f]{16}\.[a-z]{3,4})\)")
log = logging.getLogger(__name__)


def _allowed() -> None:
    if not site().config.allow_edit:
        abort(404)


def _template(slug: str, title: str, kind: str, category: str, tags: str, summary: str, body: str) -> str:
    today = dt.date.today()
    meta = {
        "title": title, "slug": slug, "type": kind, "category": category,
        "tags": [t for t in tags.replace("，", ",").split(",") if t.strip()] if tags else [],
        "summary": summary, "source": "", "author": "", "published": today, "updated": today, "aliases": [],
    }
    return dump({k: (v.strip() if isinstance(v, str) else v) for k, v in meta.items()}, body)


def check_text(rel_path: str, text: str):
    """(article, problems) of ``text`` as if saved at ``rel_path`` today: what a save would
    say, without writing (the editor's preview, an imported draft)."""
    root = site().store.root
    text = with_field(text.replace("\r\n", "\n"), "updated", dt.date.today().isoformat())
    return parse_article(text.encode("utf-8"), root / rel_path, root, max_bytes=site().config.max_article_bytes)


def recorder(message: str):
    """The history's commit of a save, authored by the logged-in editor."""
    name, email = author()

    def record(article):
        # images an import put in the media folder go into the same commit as the article
        media = [f"_media/{n}" for n in _MEDIA.findall(article.body) if (site().config.media_path / n).is_file()]
        return site().history.commit([article.rel_path, *media], name, email, message)
    return record


def save(rel_path: str, text: str, base_digest: str | None, message: str):
    return save_article(site().store, rel_path, text, base_digest, record=recorder(message))


def saved(result, draft_key: str = ""):
    """A file was written: reload it, make it searchable before the redirect arrives, and say
    so (and whether the history recorded it)."""
    article = result.article
    s = site()
    s.store.invalidate()
    unindexed = None
    try:
        s.search.update([article.rel_path])
    except (SearchError, OSError) as exc:
        # The article is saved; the keeper indexes it once the index can be written again,
        # and until then /healthz and the editors' banner say why (web.health).
        log.exception("saved %s, but could not index it", article.rel_path)
        unindexed = exc
    content_changed(s.config.index_path, s.config.content_dir)  # the site's other workers reload it too
    if result.history_error:
        flash(f"已保存，但没有记入修改历史（git 出错：{result.history_error}）。请告诉管理员。", "warning")
    if unindexed is not None:
        flash(f"已保存，但搜索索引暂时无法更新（{unindexed}），这篇文章暂时搜不到；索引恢复后会自动补上。", "warning")
    if not (result.history_error or unindexed):
        flash("已保存。", "saved")
    if draft_key:
        flash(draft_key, "draft-saved")
    return redirect(Urls().article(article.slug), 303)


@bp.route("/new", methods=["GET", "POST"])
@requires("editor")
def new():
    _allowed()
    # a GET may bring the title (搜索统计's 「新建文章」 for a query that found nothing)
    form = request.form if request.method == "POST" else {"title": request.args.get("title", "")[:200]}
    problems = []
    if request.method == "POST":
        # Without a slug the title gives one, as a file name does (会议纪要 -> hui-yi-ji-yao).
        slug = form.get("slug", "").strip() or slug_from_name(form.get("title", "").replace("/", " ") + ".md")
        kind = form.get("type", "guide")
        text = _template(slug, form.get("title", ""), kind, form.get("category", ""), form.get("tags", ""),
                         form.get("summary", ""), form.get("body", ""))
        folder = "checklists" if kind == "checklist" else "guides"
        result = save(f"{folder}/{slug or 'untitled'}.md", text, None, form.get("message", "") or f"新建 {form.get('title', '')}")
        if result.article is not None:
            return saved(result, "new")
        problems = result.problems
    return render_template("edit_new.html", form=form, problems=problems, types=TYPES)


@bp.route(ARTICLE_EDIT, methods=["GET", "POST"])
@requires("editor")
def edit(slug: str):
    _allowed()
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
    result = save(article.rel_path, text, request.form.get("digest") or "", message or f"修改 {article.title}")
    if result.article is not None:
        return saved(result, f"edit:{slug}")
    return render_template("edit.html", article=article, text=text, problems=result.problems,
                           digest=result.digest or "", message=message)


@bp.post("/preview")
@requires("editor")
def preview():
    """The editor's preview: the text rendered by the same code as the article page, with the
    problems a save would report."""
    rel_path = request.form.get("path", "") or "guides/preview.md"
    article, problems = check_text(rel_path, request.form.get("text", ""))
    html = render_article(article).html if article is not None else ""
    return {
        "html": html,
        "title": article.title if article is not None else "",
        "problems": [{"line": p.line, "message": p.message, "severity": p.severity} for p in problems],
    }
