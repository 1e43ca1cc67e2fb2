"""Importing Word documents, saved web pages and Markdown (editors): the file becomes a draft
in the editor, checked like ``kb check``; nothing is saved until the editor saves it."""
from flask import Blueprint, render_template, request

from kb.importing import IMPORT_FOLDER, KINDS, ImportError_, import_folder, import_path

from ..auth import author, requires
from . import after_save, catalog, editing_allowed, site

bp = Blueprint("importing", __name__)


def _folders() -> list[str]:
    """The folders articles are in now, offered for an import."""
    return sorted({a.rel_path.rsplit("/", 1)[0] for a in catalog().articles if "/" in a.rel_path} | {IMPORT_FOLDER})


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
                    folder = import_folder(request.form.get("folder", IMPORT_FOLDER))
                    draft = site().import_draft(upload_.filename, data, folder)
                except ImportError_ as exc:
                    error = str(exc)
                else:
                    path = import_path(folder, draft.slug)
                    return render_template("import_draft.html", draft=draft, text=draft.text, path=path,
                                           problems=site().check_text(path, draft.text)[1], notes=draft.notes,
                                           message="")
    folder = request.form.get("folder", IMPORT_FOLDER) if request.method == "POST" else IMPORT_FOLDER
    return render_template("import.html", kinds=KINDS, error=error, folder=folder, folders=_folders(),
                           default_folder=IMPORT_FOLDER), \
        200 if error is None else 400


@bp.post("/import/save")
@requires("editor")
def save_draft():
    editing_allowed()
    text, path = request.form.get("text", ""), request.form.get("path", "").strip().lstrip("/")
    message = request.form.get("message", "") or f"导入 {request.form.get('name', '')}".strip()
    if not path.endswith(".md"):
        path += ".md"
    saved = site().save(path, text, None, author(), message)
    if saved.done:
        return after_save(saved, "import")
    return render_template("import_draft.html", draft=None, text=text, path=path, problems=saved.problems,
                           notes=[], message=message, name=request.form.get("name", ""))
