"""How current the search index is: what /healthz answers and the banner editors see.

Two sources, because each can be the only one that knows:

- the keeper's ``keeper.json`` in the instance folder (building, updating the whole folder,
  ready, or the error its last update ended with);
- the search engine's own health (search.interface ``health``): whether this process can search
  an index at all, and whether its storage can take updates — a read-only or full disk stops
  every write, the keeper's note included, so ``keeper.json`` may still say "ready";

While an index can be searched the site keeps serving it, also when the index is behind the
content (a failed update, a dictionary change that could not be rebuilt): /healthz then answers
200 with ``status: degraded`` and the reason, rather than a 503 that would take a working site
out of a load balancer for as long as the disk stays full; while the keeper goes over the whole
folder (a dictionary change rebuilds everything) ``status: updating``. 503 means nothing can be
searched.
"""
from __future__ import annotations

from dataclasses import dataclass

from search.interface import Health as EngineHealth


@dataclass
class Health:
    # "ok"; "updating" (searchable, a pass over the whole folder under way); "degraded" (searchable,
    # but behind: the reason in ``error``); "indexing" or "error" (nothing to search yet)
    status: str
    error: str | None = None
    since: str | None = None
    articles: int = 0  # searchable now
    history: str | None = None  # why saves are not being recorded in the history (kb.history.History.trouble)
    remote: str | None = None  # why this node is not in step with the shared content repository (kb.remote)

    @property
    def searchable(self) -> bool:
        return self.status in ("ok", "updating", "degraded")


def site_health(engine: EngineHealth, keeper: dict, history: str | None = None, remote: str | None = None) -> Health:
    """The engine's own view (can it search, can its storage take updates) with what the index
    keeper last said (``keeper.json``: building, updating, or the error its last update ended
    with), and the history's trouble: a site whose saves are not being recorded is ``degraded``
    too (issue 16: a stale git lock failed every commit while /healthz said ok); so is, on a node
    of several, one out of step with the shared content repository (``remote``): it still
    answers, so it stays in the balancer."""
    error, since = engine.error, None
    if error is None and keeper.get("state") == "error":
        error, since = f"索引更新失败：{keeper.get('error')}", keeper.get("at")
    if engine.searchable:
        trouble = history or remote
        if error or trouble:
            return Health("degraded", error or trouble, since, engine.articles, history, remote)
        busy = keeper.get("state") in ("building", "updating")
        return Health("updating" if busy else "ok", articles=engine.articles)
    return Health("error" if error else "indexing", error, since, history=history, remote=remote)


#: Saves that git did not record: the site heals it itself at the next save or start, but
#: someone should know (a git process that never ends, a full disk).
HISTORY_BANNER = "修改历史出了问题：{error}。文章照常保存，网站会在下次保存或重启时补记进修改历史；问题一直存在时请告诉管理员。"
#: A node of several that is out of step with the shared content repository (kb.remote).
REMOTE_BANNER = "这台服务器与其他服务器的内容没有同步：{error}。文章照常阅读和保存；问题一直存在时请告诉管理员。"

BANNERS = {
    "degraded": "搜索索引没有跟上文章的修改：{error}。网站仍按之前的索引搜索，新保存或修改的文章可能暂时搜不到；"
                "问题解决后会自动补上。请告诉管理员。",
    "error": "搜索索引无法建立：{error}。文章可以照常阅读和编辑，但暂时不能搜索。请告诉管理员。",
    "updating": "搜索索引正在更新，刚保存或修改的文章可能要等一会儿才搜得到。",
    "indexing": "搜索索引正在建立，完成之前搜索不到文章。",
}
