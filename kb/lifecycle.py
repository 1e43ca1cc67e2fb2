"""The life of a guideline: in force or not on a given day, what replaced what, when it is due
for review, and what its page must say about all that.

A rule is issued (``effective``), perhaps on trial (``status: trial``), revised (``revising``),
replaced by a newer one (``superseded_by`` / ``supersedes``) and repealed (``repealed_on``,
``status: repealed``). Staff must never follow a repealed rule: its page says so at the top and
links its replacement, search leaves it out unless asked (application.site), related articles
never lead to it (kb.browse), and ``kb check`` reports the mistakes that would hide any of this
(kb.check). The field values are the registry's (kb.fields), read by the store.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Mapping

#: Statuses of a text that applies (a draft does not yet, a repealed one no longer).
IN_FORCE = ("trial", "current", "revising")
#: Left out of searches and lists unless asked for by a status filter (状态:废止, 状态:全部).
HIDDEN_BY_DEFAULT = {"status": ("repealed",)}
#: Fields that say an article is a guideline with a life of its own (a plain guide has none).
LIFE_FIELDS = ("doc_no", "effective", "repealed_on", "review_by", "owner", "supersedes", "superseded_by")
NO_OWNER = "未指定责任部门"


def status(meta: Mapping) -> str:
    return meta.get("status") or "current"


def repealed(meta: Mapping, today: dt.date | None = None) -> bool:
    """Repealed by its status, or by a repeal date that has come (``today``; None: by status only)."""
    if status(meta) == "repealed":
        return True
    day = meta.get("repealed_on")
    return today is not None and isinstance(day, dt.date) and day <= today


def status_on(meta: Mapping, today: dt.date) -> str:
    """The status that applies on ``today``: repealed once its repeal date has come, whatever
    ``status`` still says (search and lists take a repeal announced by date on its day)."""
    return "repealed" if repealed(meta, today) else status(meta)


def dated(articles: Iterable) -> list:
    """The articles whose status a date changes (a repeal date): the index keeper takes them
    again each day, so that a repeal announced ahead takes effect in search on its day."""
    return [a for a in articles if isinstance(a.meta.get("repealed_on"), dt.date)]


def has_life(meta: Mapping) -> bool:
    """The article says something of its own life (a 制度 with a number, an owner, dates…)."""
    return status(meta) != "current" or any(meta.get(name) for name in LIFE_FIELDS)


def shown_by_default(articles: Iterable) -> list:
    """The articles lists and related links show without being asked: not the repealed."""
    today = dt.date.today()
    return [a for a in articles if status_on(a.meta, today) not in HIDDEN_BY_DEFAULT["status"]]


# --- replacement chains -------------------------------------------------------------------

def replacements(articles: Iterable) -> dict[str, str]:
    """old slug -> the slug of the article that replaces it, from either side: the old one's
    ``superseded_by``, or a newer one listing it in ``supersedes`` (the old one's own word wins)."""
    out: dict[str, str] = {}
    for a in articles:
        for old in a.meta.get("supersedes") or []:
            if old != a.slug:
                out.setdefault(old, a.slug)
    for a in articles:
        new = a.meta.get("superseded_by")
        if new and new != a.slug:
            out[a.slug] = new
    return out


def chain(slug: str, replaced_by: Mapping[str, str]) -> list[str]:
    """``slug`` and the articles that replaced it in turn, newest last; stops before a slug seen
    already (a cycle, which ``kb check`` reports)."""
    out = [slug]
    while replaced_by.get(out[-1]) and replaced_by[out[-1]] not in out:
        out.append(replaced_by[out[-1]])
    return out


def cycles(replaced_by: Mapping[str, str]) -> list[list[str]]:
    """Each replacement cycle once (a → b → a), starting at its smallest slug."""
    found: dict[tuple, list[str]] = {}
    for start in replaced_by:
        path = chain(start, replaced_by)
        following = replaced_by.get(path[-1])
        if following in path:
            loop = path[path.index(following):]
            at = loop.index(min(loop))
            loop = loop[at:] + loop[:at]
            found.setdefault(tuple(loop), loop)
    return list(found.values())


# --- what a page says ---------------------------------------------------------------------

@dataclass(frozen=True)
class Notice:
    """A sentence at the top of an article: ``before``, then links to articles (slug, title)
    joined by 、, then ``after``. ``kind``: draft, repealed, replaces, pending, trial, revising."""

    kind: str
    before: str
    links: tuple[tuple[str, str], ...] = ()
    after: str = ""

    @property
    def text(self) -> str:
        return self.before + "、".join(f"《{title}》" for _, title in self.links) + self.after


@dataclass(frozen=True)
class Mark:
    """A word beside a title in results and lists, and on the page: 试行, 已废止 …"""

    kind: str
    text: str


def marks(meta: Mapping, today: dt.date) -> list[Mark]:
    """What a title must carry so that nobody takes it for the rule in force when it is not."""
    s, out = status(meta), []
    effective = meta.get("effective")
    if s == "draft":
        out.append(Mark("draft", "草稿"))
    if repealed(meta, today):
        return out + [Mark("repealed", "已废止")]
    if s == "trial":
        out.append(Mark("trial", "试行"))
    if s == "revising":
        out.append(Mark("revising", "修订中"))
    if isinstance(effective, dt.date) and effective > today:
        out.append(Mark("pending", f"将于 {effective.isoformat()} 起施行"))
    elif s == "current" and has_life(meta):
        out.append(Mark("current", "现行"))
    return out


def notices(article, by_slug: Mapping, today: dt.date, replaced_by: Mapping[str, str] | None = None) -> list[Notice]:
    """The sentences at the top of ``article``'s page. ``by_slug``: the articles the reader may
    see (a replacement they may not see is not linked); ``replaced_by``: ``replacements`` of
    the whole collection (computed here when not given)."""
    meta = article.meta
    if replaced_by is None:
        replaced_by = replacements(by_slug.values())
    out: list[Notice] = []
    if status(meta) == "draft":
        out.append(Notice("draft", "这是草稿：只有编辑看得到，读者看不到。"))
    out += _repeal_notices(article, by_slug, today, replaced_by)
    old = [(s, by_slug[s].title) for s, new in sorted(replaced_by.items()) if new == article.slug and s in by_slug]
    if old:
        out.append(Notice("replaces", "本文取代了", tuple(old), "。"))
    effective = meta.get("effective")
    if not repealed(meta, today):
        if isinstance(effective, dt.date) and effective > today:
            out.append(Notice("pending", f"本文将于 {effective.isoformat()} 起施行" +
                              ("，在此之前仍按被取代的规定执行。" if old else "，在此之前尚未生效。")))
        if status(meta) == "trial":
            since = f"，自 {effective.isoformat()} 起试行" if isinstance(effective, dt.date) and effective <= today else ""
            out.append(Notice("trial", f"本文为试行版本{since}。"))
        if status(meta) == "revising":
            out.append(Notice("revising", "本文正在修订，修订完成前仍按本文执行。"))
    return out


def _repeal_notices(article, by_slug: Mapping, today: dt.date, replaced_by: Mapping[str, str]) -> list[Notice]:
    meta = article.meta
    day = meta.get("repealed_on")
    steps = chain(article.slug, replaced_by)
    new = steps[1] if len(steps) > 1 and steps[1] in by_slug else None
    link = ((new, by_slug[new].title),) if new else ()
    if repealed(meta, today):
        when = f"已于 {day.isoformat()} 废止" if isinstance(day, dt.date) else "已废止"
        out = [Notice("repealed", f"本文{when}，不再执行" + ("，由" if new else "。"), link, "取代。" if new else "")]
        last = next((s for s in reversed(steps[2:]) if s in by_slug and not repealed(by_slug[s].meta, today)), None)
        if new and last and last != new:
            out.append(Notice("repealed", "现行的是", ((last, by_slug[last].title),), "。"))
        return out
    if isinstance(day, dt.date):  # a repeal announced for a day to come
        return [Notice("pending", f"本文将于 {day.isoformat()} 废止" + ("，届时由" if new else "。"), link,
                       "取代。" if new else "")]
    return []


# --- what was in force on a day -----------------------------------------------------------

@dataclass(frozen=True)
class Version:
    """One saved version of an article: when it was saved and its field values."""

    saved: dt.date
    meta: Mapping
    ref: object = None  # what the caller needs to show it again (a history change)

    @property
    def applies_from(self) -> dt.date:
        """A version applies from its save, or from its effective date when that is later."""
        effective = self.meta.get("effective")
        return max(self.saved, effective) if isinstance(effective, dt.date) else self.saved


def version_on(versions: list[Version], day: dt.date) -> Version | None:
    """The version that applied on ``day``: of ``versions`` (newest first), the newest whose
    text applied by then — a revision saved before its effective date leaves the one before it
    in force until that date. None when none applied yet. Versions saved after ``day`` are not
    looked at, so a caller may read their texts lazily."""
    for version in versions:
        if version.saved <= day and version.applies_from <= day:
            return version
    return None


# --- review -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    article: object
    review_by: dt.date
    days: int  # days until the review date; negative when it has passed

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def when(self) -> str:
        if self.days < 0:
            return f"已过期 {-self.days} 天"
        return "今天到期" if self.days == 0 else f"还有 {self.days} 天"


def due_for_review(articles: Iterable, today: dt.date, window_days: int) -> list[Due]:
    """Articles in force whose review date has passed or comes within ``window_days``, the most
    overdue first."""
    out = []
    for a in articles:
        day = a.meta.get("review_by")
        if isinstance(day, dt.date) and status(a.meta) in IN_FORCE and not repealed(a.meta, today):
            days = (day - today).days
            if days <= window_days:
                out.append(Due(a, day, days))
    return sorted(out, key=lambda d: (d.review_by, d.article.title))


def by_owner(dues: list[Due]) -> dict[str, list[Due]]:
    """Dues grouped by the owner who must review them, owners in order of their most urgent."""
    groups: dict[str, list[Due]] = {}
    for due in dues:
        groups.setdefault(due.article.meta.get("owner") or NO_OWNER, []).append(due)
    return groups


def next_review(today: dt.date, months: int) -> dt.date:
    """``months`` after ``today`` (the last day of a shorter month: 31 Jan + 1 → 28/29 Feb)."""
    month = today.month - 1 + months
    year, month = today.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


@dataclass
class Reminder:
    """One e-mail of review reminders: to whom, and the articles grouped by owner."""

    to: tuple[str, ...]
    groups: dict[str, list[Due]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(d) for d in self.groups.values())


def reminders(dues: list[Due], owners: Mapping[str, tuple[str, ...]], default: tuple[str, ...]) -> list[Reminder]:
    """Who is reminded of what: each owner's articles to the addresses listed for that owner,
    else to the ``default`` addresses; one message per set of addresses."""
    out: dict[tuple[str, ...], Reminder] = {}
    for owner, items in by_owner(dues).items():
        to = tuple(owners.get(owner) or default)
        if to:
            out.setdefault(to, Reminder(to)).groups[owner] = items
    return list(out.values())
