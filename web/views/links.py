"""The link checker for editors: onboarding material (or a list of URLs) in, every link into
this site out with what it leads to today (application.site ``check_links``)."""
from flask import Blueprint, render_template, request

from kb.doclinks import KINDS
from kb.linkcheck import STATUSES

from ..auth import requires
from . import reader, site

bp = Blueprint("links", __name__)
MAX_FILES = 20


@bp.route("/links", methods=["GET", "POST"])
@requires("editor")
def check():
    reports, error = [], None
    if request.method == "POST":
        limit = site().config.max_upload_bytes
        files = [f for f in request.files.getlist("file") if f and f.filename][:MAX_FILES]
        urls = request.form.get("urls", "").strip()
        if not files and not urls:
            error = "请选择文件，或把网址贴进下面的框里。"
        for upload in files:
            data = upload.read(limit + 1)
            if len(data) > limit:
                error = f"{upload.filename} 超过 {limit // 1_000_000} MB，没有检查。"
                continue
            reports.append(site().check_links(upload.filename, data, reader()))
        if urls:
            reports.append(site().check_links("贴入的网址.txt", urls.encode("utf-8"), reader()))
    return render_template("links.html", reports=reports, error=error, statuses=STATUSES,
                           accept=",".join(sorted(KINDS)), pasted=request.form.get("urls", "")), 200 if error is None else 400
