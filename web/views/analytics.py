"""Search analytics on the web: searches and opened results recorded without slowing a search
(written after the response has been sent), and the editors' 搜索统计 page with its CSV.

Which result was opened comes from the site's own script (static/analytics.js), which sends a
beacon to ``/api/opened`` when a result link is followed: the links stay the articles' real
addresses. Any reader may send one (no editor account, no form token: a beacon cannot carry
a header, and a forged "opened" changes nothing but a count); the Origin check of web.auth
still refuses one from another site.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import unquote, urlsplit

from flask import Blueprint, Response, g, render_template, request

from kb.analytics_report import csv_rows, report
from kb.synonyms import candidates

from ..auth import csrf, requires
from . import reader, site

bp = Blueprint("analytics", __name__)
TOKEN = re.compile(r"^[0-9a-f]{16}$")
PERIODS = {7: "最近 7 天", 30: "最近 30 天", 90: "最近 90 天", 180: "最近 180 天", 365: "最近一年"}
DEFAULT_DAYS = 30


def pending_write() -> None:
    """This request added to the query log: write it once the response has gone out."""
    g.analytics_pending = True


@bp.after_app_request
def write_after_sending(response):
    """The query log is written once the response has gone out (WSGI's close)."""
    if g.get("analytics_pending"):
        response.call_on_close(site().analytics.flush)
    return response


def _number(value) -> int | None:
    try:
        return max(0, min(int(value), 1_000_000))
    except (TypeError, ValueError):
        return None


def _local_path(url: str) -> str | None:
    """A path of this site as people read it (/a/保密#会前), or None for anything else."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return unquote(parts.path) + (f"#{unquote(parts.fragment)}" if parts.fragment else "")


@bp.post("/api/opened")
@csrf.exempt
def opened():
    """A result was opened: from a search page (``search``: its token, ``rank``), or from the
    search box's list (``q``, ``results``), maybe just after a search that found nothing in
    the same tab (``after``)."""
    form = request.form
    url = _local_path(form.get("url", ""))
    if url is None:
        return {"error": "bad_url", "message": "只记录本站的地址"}, 400
    log = site().analytics
    if not log.enabled:
        return "", 204
    token, counted = form.get("search", ""), False
    if not TOKEN.match(token):
        query = form.get("q", "")[:2000]
        if not query.strip():
            return {"error": "no_search", "message": "缺少搜索"}, 400
        token = log.search(query, _number(form.get("results")), source="box", ip=request.remote_addr)
        counted = True
    after = form.get("after", "")
    if not token or not log.opened(token, url, _number(form.get("rank")),
                                   after if TOKEN.match(after) and after != token else None,
                                   ip=request.remote_addr, counted=counted):
        return {"error": "too_many", "message": "记录得太频繁，这次没有记录"}, 429
    g.analytics_pending = True
    return "", 204


def _days() -> int:
    days = _number(request.args.get("days")) or DEFAULT_DAYS
    return days if days in PERIODS else DEFAULT_DAYS


@bp.get("/analytics")
@requires("editor")
def overview():
    days = _days()
    rep = report(site().analytics, days)
    suggested = {c.word: c for c in candidates(rep.pairs, site().synonyms_text()[0], site().search.words)}
    # how many articles each finds today: an article or synonym added since may have answered it
    nothing = [(q, site().found_now(q.query, reader()), suggested.get(q.query)) for q in rep.found_nothing()]
    busiest = max((w.searches for w in rep.weeks), default=0)
    return render_template("analytics.html", rep=rep, days=days, periods=PERIODS, nothing=nothing,
                           busiest=busiest, enabled=site().config.analytics,
                           retention=site().config.analytics_retention_days,
                           feedback=site().feedback.counts_for(reader(), days))


@bp.get("/analytics.csv")
@requires("editor")
def export():
    """Every query of the period as a spreadsheet (UTF-8 with a BOM, so that Excel reads the
    Chinese)."""
    days = _days()
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(report(site().analytics, days)))
    name = f"search-queries-{dt.date.today().isoformat()}-{days}d.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
