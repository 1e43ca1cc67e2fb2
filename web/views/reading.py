"""Read and confirm (阅读确认) on the web: the box at the end of a required article, the home page's
list (application.reading), and the managers' pages — per article, per group, CSV, reminders.

The managers' pages are for editors (everyone's confirmations) and for a group's 负责人 (kb.people:
their groups' people only, articles they may read); anyone else is refused as the rest of the site
refuses (login first, then 403), and a group or article outside their view is not found (404)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from functools import wraps

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kb.mail import MailError

from ..errors import SiteError
from ..urls import ARTICLE
from . import article_or_redirect, reader, site

bp = Blueprint("reading", __name__)


def confirm_box(article):
    """What the end of ``article``'s page says of the person's duty to read it (or None)."""
    duty = site().reading.duty(reader(), article)
    return (duty, site().reading.version(article)) if duty is not None else None


@bp.post(ARTICLE + "/confirm")
def confirm(slug: str):
    """「已阅读并理解」: recorded with the version the page showed."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("articles.article", slug=slug)))
    article, moved = article_or_redirect(slug, "articles.article")
    if moved:
        return moved
    done = site().reading.confirm(reader(), article, request.form.get("version", ""))
    if done is None:
        flash("这篇文章在您打开之后有了修改，请读一遍新版本再确认。" if site().reading.duty(reader(), article)
              else "这篇文章不需要您确认。", "warning")
    else:
        flash(f"已记录：您在 {done.at:%Y-%m-%d %H:%M} 确认读过这一版（{done.short}）。", "saved")
    return redirect(url_for("articles.article", slug=article.slug) + "#confirm", 303)


@bp.app_context_processor
def reading_globals():
    def manages_groups() -> bool:
        """The person logged in may see the managers' pages (an editor, or a group's 负责人)."""
        return bool(current_user.is_authenticated and site().reading.may_report(reader()))
    return {"manages_groups": manages_groups}


def managers(view):
    """View decorator: editors and groups' 负责人 (application.reading.may_report)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if not site().reading.may_report(reader()):
            raise SiteError(403, f"这需要编辑权限，或是某个组的负责人；您的账号是{current_user.role_label}。")
        return view(*args, **kwargs)
    return wrapped


def _filters(source=None) -> tuple[str | None, str | None]:
    """The article and group asked for; a group outside the person's view is not found."""
    source = request.args if source is None else source
    slug, group = source.get("slug") or None, source.get("group") or None
    managed = site().reading.managed(reader())
    if group is not None and managed is not None and group not in managed:
        abort(404)
    return slug, group


def _visible_groups() -> list:
    managed = site().reading.managed(reader())
    return [g for g in site().people.groups() if managed is None or g.name in managed]


@bp.get("/confirmations")
@managers
def overview():
    slug, group = _filters()
    reading, manager = site().reading, reader()
    article = _article(slug)
    staff = reading.staff()
    duties = reading.report(manager, slug, group, staff) if slug or group else []
    summary = reading.summary(manager, staff) if not (slug or group) else []
    shown = [a.slug for a, _ in summary] or ([article.slug] if article else [])
    return render_template("confirmations.html", summary=summary, duties=duties, article=article, group=group,
                           groups=_visible_groups(), mail=bool(site().config.smtp_host), note=staff.note,
                           last=reading.reminders.last_per_article(shown),
                           reminded=reading.reminders.last_per_person(article.slug) if article else {},
                           recent=_recent_sendings() if not (slug or group) else [],
                           interval=site().config.remind_interval_hours, managed_only=reading.managed(manager) is not None)


def _article(slug: str | None):
    """The article asked for, if the person may read it (else not found)."""
    article = site().catalog_for(reader()).get(slug) if slug else None
    if slug and article is None:
        abort(404)
    return article


def _recent_sendings() -> list:
    """The latest sendings of reminders, for editors, each with its article if they may read it
    (a sending about an article they may not read is left out)."""
    if site().reading.managed(reader()) is not None:
        return []
    catalog = site().catalog_for(reader())
    return [(s, catalog.get(s.slug) if s.slug else None) for s in site().reading.reminders.recent()
            if not s.slug or catalog.get(s.slug) is not None]


@bp.get("/confirmations.csv")
@managers
def export():
    """Every person's confirmation of every required article (or one article, one group), for
    Excel (UTF-8 with a BOM)."""
    slug, group = _filters()
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(["文章", "地址", "人", "所在的组", "状态", "确认的版本", "确认时间", "重新确认的要求", "账号"])
    for d in site().reading.report(reader(), slug, group):
        c, r = d.confirmation, d.request
        rows.writerow([d.article.title, d.article.url, d.account, "、".join(d.groups), d.state_label,
                       c.version if c else "", f"{c.at:%Y-%m-%d %H:%M}" if c else "",
                       f"{r.at:%Y-%m-%d %H:%M} {r.by}" if r else "", "已登录过" if d.signed_in else "目录里有，从未登录"])
    name = f"read-confirmations-{dt.date.today().isoformat()}.csv"
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.post("/confirmations/remind")
@managers
def remind():
    """Remind those who have not confirmed: of one article and/or one group (the form's ``slug``
    and ``group``), else of everything the person sees; each sending is recorded."""
    slug, group = _filters(request.form)
    _article(slug)
    try:
        done = site().reading.remind(reader(), site().config.site_url, slug, group)
    except MailError as exc:
        flash(str(exc), "warning")
    else:
        clean = not (done.skipped or done.missing or done.error)
        flash(done.summary(site().config.remind_interval_hours), "saved" if clean else "warning")
    return redirect(url_for("reading.overview", slug=slug, group=group), 303)
