"""Adding and editing articles in the browser (editors only): the forms, translated into the
application's saves (application.site, application.publishing); a failed save writes nothing
and the editor keeps the text.

The editor is a form made from the field registry (kb.form) with the Markdown body below it;
the raw source (front matter and Markdown in one box) is one link away (``?mode=source``). A
post with ``text`` is the raw source (as before the form), one with ``body`` the form; its
``action`` is to publish or to keep a draft (application.publishing decides what the person may do).
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from application.folder_defaults import SHOWN
from application.publishing import DRAFT, PUBLISH
from application.site import NewArticle, Saved
from kb import form as article_form
from kb.article import TYPES, Problem
from kb.attachments import Upload
from kb.defaults import slug_from_name

from ..auth import author, requires
from ..urls import ARTICLE_EDIT
from . import after_save, catalog, editing_allowed, reader, render_article, site, untraced
from .folders import group_names

bp = Blueprint("edit", __name__)


def _tags(text: str) -> tuple[str, ...]:
    return tuple(t for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip())


def _form_page(template: str, **context):
    """The editor's page with what every editor page needs: the fields, the categories in use,
    whether the person may publish."""
    publishing = site().publishing
    if context.get("problems"):
        context["problems"] = untraced(context["problems"])
    context.setdefault("groups", group_names())  # offered in 阅读范围 and 须阅读
    return render_template(template, inputs=article_form.inputs(), types=TYPES, skeletons=article_form.SKELETONS,
                           categories=sorted({a.category for a in catalog().articles if a.category}),
                           may_publish=publishing.may_publish(reader()), **context)


def _uploads() -> list[Upload]:
    limit = site().config.max_attachment_bytes
    return [Upload(f.filename or "", f.read(limit + 1)) for f in request.files.getlist("files") if f and f.filename]


@bp.route("/new", methods=["GET", "POST"])
@requires("editor")
def new():
    editing_allowed()
    folders = [f.folder for f in site().folder_settings.listing(reader()) if f.folder]
    if request.method == "GET":
        # a GET may bring the title (搜索统计's 「新建文章」 for a query that found nothing), the
        # type and the folder (文件夹设置's 「在这个文件夹里新建文章」)
        kind = request.args.get("type", "guide") if request.args.get("type") in TYPES else "guide"
        folder = request.args.get("folder", "") if request.args.get("folder") in folders else ""
        values = {"title": request.args.get("title", "")[:200], "type": kind, "folder": folder}
        return _new_page(folders, values, article_form.skeleton(kind), [], "")
    values = request.form
    action = request.form.get("action", PUBLISH)
    extra = article_form.values_for(values)
    as_draft = action == DRAFT or not site().publishing.may_publish(reader()) or extra.get("status") == "draft"
    folder = values.get("folder", "")
    article = NewArticle(title=values.get("title", ""), slug=values.get("slug", ""), type=values.get("type", "guide"),
                         category=values.get("category", ""), tags=_tags(values.get("tags", "")),
                         summary=values.get("summary", ""), body=values.get("body", ""), extra=extra, folder=folder)
    if folder and folder not in folders:
        saved = Saved(None, [Problem(f"{folder}/", f"没有文件夹 “{folder[:80]}”：请从列表里选一个")])
    else:
        saved = site().create(article, author(), values.get("message", ""), draft=as_draft)
    if saved.done:
        return after_save(saved, "new")
    return _new_page(folders, values, values.get("body", ""), saved.problems, values.get("message", ""))


def _new_page(folders: list[str], values, body: str, problems, message: str):
    """The 「新建」 form; who may read and who must read show what the folder gives when left
    empty (its ``_folder.yaml``: application.folder_defaults), for each folder it may go into."""
    settings = site().folder_settings
    kind = values.get("type", "guide")
    chosen = values.get("folder", "") if values.get("folder", "") in folders else ""  # never one they may not see
    home = NewArticle(title="", type=kind if kind in TYPES else "guide", folder=chosen).home
    hints = {}
    for folder in dict.fromkeys([*folders, "guides", "checklists", home]):
        given = settings.defaults_for_new(folder)
        hints[folder] = {name: _hint(given, name) for name in SHOWN}
    return _form_page("edit_new.html", values=values, body=body, problems=problems, message=message,
                      folders=folders, folder_hints=hints,
                      defaults={name: hint["value"] for name, hint in hints[home].items() if hint["value"]},
                      default_from={name: hint["from"] for name, hint in hints[home].items()})


def _hint(given, name: str) -> dict:
    value, source = given.given(name)
    folder = source.rpartition("/")[0]
    return {"value": ", ".join(value) if isinstance(value, list) else (value or ""),
            "from": f"文件夹 {folder}/ 的默认" if folder else "内容目录的默认"}


@bp.route(ARTICLE_EDIT, methods=["GET", "POST"])
@requires("editor")
def edit(slug: str):
    editing_allowed()
    article = catalog().get(slug)
    if article is None:
        abort(404)
    publishing = site().publishing
    draft = publishing.draft_of(article)
    opened_text = draft.text if draft is not None and not draft.new else article.path.read_text(encoding="utf-8")
    if request.method == "GET":
        mode = "source" if request.args.get("mode") == "source" else "form"
        if draft is not None and not draft.new:
            text, digest = opened_text, draft.digest
        else:  # the digest of the very bytes shown (application.Site.opened)
            text, digest = site().opened(article)
        values, body = article_form.values_of(text)
        return _page(article, draft, mode, text, values, body, [], digest, "")
    # The check against a change made meanwhile happens inside the save's lock; on a conflict
    # the page carries the digest of the file as it is now, so that the next save, made after
    # reading the other change, is a deliberate one.
    f = request.form
    mode = "source" if "text" in f else "form"  # the raw source's box is "text", the form's body "body"
    text = f.get("text", "") if mode == "source" else article_form.compose(opened_text, f, f.get("body", ""))
    message = f.get("message", "")
    reconfirm = f.get("reconfirm") == "1"  # a material change: confirm again (application.reading)
    saved = publishing.edit(article, text, f.get("digest") or "", f.get("action", PUBLISH), author(), reader(),
                            message, _uploads(), tuple(f.getlist("remove")), reconfirm=reconfirm)
    if saved.done:
        if saved.draft:
            for p in saved.problems:
                if p.severity == "warning":
                    flash(p.message, "warning")
            flash("已保存为草稿。", "saved")
            flash(f"edit:{slug}", "draft-saved")
            return redirect(url_for("drafts.review", slug=slug), 303)
        return after_save(saved, f"edit:{slug}")
    values, body = (article_form.values_of(text) if mode == "source" else (f, f.get("body", "")))
    return _page(article, draft, mode, text, values, body, saved.problems, saved.digest or "", message, reconfirm)


def _page(article, draft, mode, text, values, body, problems, digest, message, reconfirm=False):
    return _form_page("edit.html", article=article, draft=draft, mode=mode, text=text, values=values, body=body,
                      problems=problems, digest=digest, message=message, reconfirm=reconfirm,
                      files=site().publishing.attachments_of(article),
                      max_attachment_mb=site().config.max_attachment_bytes / 1e6)


@bp.get("/new/slug")
@requires("editor")
def slug_for():
    """The slug the title would get (its pinyin): the form fills the slug in while the title
    is typed, and the editor may change it."""
    title = request.args.get("title", "")[:200].replace("/", " ").strip()
    return {"slug": slug_from_name(title + ".md") if title else ""}


@bp.post("/preview")
@requires("editor")
def preview():
    """The editor's preview: the text rendered by the same code as the article page, with the
    problems a save would report. The form's fields and body, or the raw source."""
    f = request.form
    rel_path = f.get("path", "") or "guides/preview.md"
    text = f["text"] if "text" in f else article_form.compose("", f, f.get("body", ""))
    article, problems = site().check_text(rel_path, text)
    html = render_article(article).html if article is not None else ""
    return {
        "html": html,
        "title": article.title if article is not None else "",
        "problems": [{"line": p.line, "message": p.message, "severity": p.severity} for p in problems],
    }
