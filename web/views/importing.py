"""Importing Word documents, saved web pages and Markdown (editors): the file becomes a draft
in the editor, checked like ``kb check``; nothing is saved until the editor saves it."""
from flask import Blueprint, render_template, request

from kb.frontmatter import with_field
from kb.importing import KINDS, ImportError_

from ..auth import author, requires
from . import after_save, editing_allowed, reader, site

bp = Blueprint("importing", __name__)


def _folder_path(slug: str) -> str:
    return f"guides/{slug or 'imported'}.md"


@bp.route("/import", methods=["GET", "POST"])
@requires("editor")
def upload():
    editing_allowed()
    error = None
    if request.method == "POST":
        upload_ = request.files.get("file")
        config = site().config
        if upload_ is None or not upload_.filename:
            error = "请选择要导入的文件。"
        else:
            data = upload_.read(config.max_upload_bytes + 1)
            if len(data) > config.max_upload_bytes:
                error = f"文件超过 {config.max_upload_bytes // 1_000_000} MB，不能导入。"
            else:
                try:
                    draft = site().import_draft(upload_.filename, data)
                except ImportError_ as exc:
                    error = str(exc)
                else:
                    path = _folder_path(draft.slug)
                    return render_template("import_draft.html", draft=draft, text=draft.text, path=path,
                                           problems=site().check_text(path, draft.text)[1], notes=draft.notes,
                                           message="")
    return render_template("import.html", kinds=KINDS, error=error), 200 if error is None else 400


@bp.post("/import/save")
@requires("editor")
def save_draft():
    editing_allowed()
    text, path = request.form.get("text", ""), request.form.get("path", "").strip().lstrip("/")
    message = request.form.get("message", "") or f"导入 {request.form.get('name', '')}".strip()
    if not path.endswith(".md"):
        path += ".md"
    if not site().publishing.may_publish(reader()):
        text = with_field(text, "status", "draft")  # published by an approver (application.publishing)
    saved = site().save(path, text, None, author(), message)
    saved.draft = not site().publishing.may_publish(reader())
    if saved.done:
        return after_save(saved, "import")
    return render_template("import_draft.html", draft=None, text=text, path=path, problems=saved.problems,
                           notes=[], message=message, name=request.form.get("name", ""))
