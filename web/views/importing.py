"""Importing Word documents, saved web pages and Markdown (editors): the file becomes a draft
in the editor, checked like ``kb check``; nothing is saved until the editor saves it."""
from flask import Blueprint, render_template, request

from kb.drafts import DraftMedia
from kb.importing import KINDS, ImportError_, import_document

from ..auth import requires
from . import site
from .edit import _allowed, check_text, save, saved

bp = Blueprint("importing", __name__)


def _problems(rel_path: str, text: str):
    return check_text(rel_path, text)[1]


def _folder_path(slug: str) -> str:
    return f"guides/{slug or 'imported'}.md"


@bp.route("/import", methods=["GET", "POST"])
@requires("editor")
def upload():
    _allowed()
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
                drafts = DraftMedia(config.draft_media_path)
                drafts.sweep()  # images of imports abandoned long enough ago
                try:
                    draft = import_document(upload_.filename, data, config.media_path, config.max_image_bytes,
                                            drafts=drafts, max_text_bytes=config.max_article_bytes)
                except ImportError_ as exc:
                    error = str(exc)
                else:
                    path = _folder_path(draft.slug)
                    return render_template("import_draft.html", draft=draft, text=draft.text, path=path,
                                           problems=_problems(path, draft.text), notes=draft.notes, message="")
    return render_template("import.html", kinds=KINDS, error=error), 200 if error is None else 400


@bp.post("/import/save")
@requires("editor")
def save_draft():
    _allowed()
    text, path = request.form.get("text", ""), request.form.get("path", "").strip().lstrip("/")
    message = request.form.get("message", "") or f"导入 {request.form.get('name', '')}".strip()
    if not path.endswith(".md"):
        path += ".md"
    result = save(path, text, None, message)
    if result.article is not None:
        return saved(result, "import")
    return render_template("import_draft.html", draft=None, text=text, path=path, problems=result.problems,
                           notes=[], message=message, name=request.form.get("name", ""))
