"""How current the search index is: what /healthz answers and the banner editors see.

Three sources, because each can be the only one that knows:

- the keeper's ``keeper.json`` (building, updating the whole folder, ready, or the error its last
  update ended with);
- the index folder itself: a read-only or full disk stops every write — the keeper's note
  included, so ``keeper.json`` may still say "ready" — and is looked at directly;
- whether this process can search an index at all.

While an index can be searched the site keeps serving it, also when the index is behind the
content (a failed update, a dictionary change that could not be rebuilt): /healthz then answers
200 with ``status: degraded`` and the reason, rather than a 503 that would take a working site
out of a load balancer for as long as the disk stays full; while the keeper goes over the whole
folder (a dictionary change rebuilds everything) ``status: updating``. 503 means nothing can be
searched.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_login import current_user

from application.keeper import keeper_status

MIN_FREE_BYTES = 5 * 1024 * 1024  # below this an update of one article may not fit


@dataclass
class Health:
    # "ok"; "updating" (searchable, a pass over the whole folder under way); "degraded" (searchable,
    # but behind: the reason in ``error``); "indexing" or "error" (nothing to search yet)
    status: str
    error: str | None = None
    since: str | None = None

    @property
    def searchable(self) -> bool:
        return self.status in ("ok", "updating", "degraded")


def storage_problem(index_path: Path) -> str | None:
    """Why nothing can be written to the index folder now, or None. (Without the folder's path:
    /healthz answers anyone; the administrator knows where the index is.)"""
    folder = Path(index_path)
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent  # not created yet: its parent decides
    if not os.access(folder, os.W_OK):
        return "索引目录是只读的，无法更新索引"
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        return f"无法读取索引目录：{exc.strerror}"
    if free < MIN_FREE_BYTES:
        return f"索引目录所在的磁盘空间不足（剩余 {free / 1024 / 1024:.1f} MB）"
    return None


def index_health(index_path: Path, searchable: bool) -> Health:
    status = keeper_status(index_path)
    error = storage_problem(index_path)
    since = None
    if error is None and status.get("state") == "error":
        error, since = f"索引更新失败：{status.get('error')}", status.get("at")
    if searchable:
        if error:
            return Health("degraded", error, since)
        return Health("updating" if status.get("state") in ("building", "updating") else "ok")
    return Health("error" if error else "indexing", error, since)


BANNERS = {
    "degraded": "搜索索引没有跟上文章的修改：{error}。网站仍按之前的索引搜索，新保存或修改的文章可能暂时搜不到；"
                "问题解决后会自动补上。请告诉管理员。",
    "error": "搜索索引无法建立：{error}。文章可以照常阅读和编辑，但暂时不能搜索。请告诉管理员。",
    "updating": "搜索索引正在更新，刚保存或修改的文章可能要等一会儿才搜得到。",
    "indexing": "搜索索引正在建立，完成之前搜索不到文章。",
}


def init_app(app: Flask) -> None:
    @app.context_processor
    def index_banner():
        """For editors (logged in) only: readers are not asked to act on it."""
        site = app.extensions["kb"]
        if not (site.config.allow_edit and current_user.can("editor")):
            return {"index_banner": None}
        health = index_health(site.config.index_path, site.search.ready())
        banner = BANNERS.get(health.status)
        return {"index_banner": banner.format(error=health.error) if banner else None}
