"""What the query log tells editors (the 搜索统计 page and its CSV): the most frequent queries,
those that found nothing, those whose results nobody opened, searches per week, and pairs of
a query that found nothing followed by one whose result was opened (synonym candidates).

Each list is made from one grouped query per table, in SQL that SQLite and PostgreSQL both
run; weeks are put together here from days, so that no dialect's week function is needed.
Days that are over are read from their daily sums (kb.analytics_rollup), the last days from
the raw log: the page costs the same with a long log as with a short one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import aliased

from .analytics import Analytics, Opened, Search, now
from .analytics_rollup import Daily, DailyPair, roll_up

TOP = 20
WEEKS = 12


@dataclass
class QueryStats:
    query: str
    searches: int
    zero: int  # searches that found nothing
    opened: int  # searches from which a result was opened
    average: float  # results per search
    last: dt.datetime

    @property
    def with_results(self) -> int:
        return self.searches - self.zero


@dataclass
class Week:
    start: dt.date  # Monday
    searches: int = 0
    zero: int = 0
    opened: int = 0


@dataclass
class Pair:
    """A query that found nothing, then, in the same browser tab, a query whose result was
    opened: staff said the first and meant the second."""

    typed: str
    then: str
    times: int


@dataclass
class Report:
    since: dt.datetime
    queries: list[QueryStats] = field(default_factory=list)  # every query of the period
    weeks: list[Week] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)

    @property
    def searches(self) -> int:
        return sum(q.searches for q in self.queries)

    @property
    def zero(self) -> int:
        return sum(q.zero for q in self.queries)

    @property
    def opened(self) -> int:
        return sum(q.opened for q in self.queries)

    def top(self, n: int = TOP) -> list[QueryStats]:
        return sorted(self.queries, key=lambda q: (-q.searches, -q.last.timestamp()))[:n]

    def found_nothing(self, n: int = TOP) -> list[QueryStats]:
        hits = [q for q in self.queries if q.zero]
        return sorted(hits, key=lambda q: (-q.zero, -q.last.timestamp()))[:n]

    def not_opened(self, n: int = TOP) -> list[QueryStats]:
        """Queries that found something, where no result was ever opened."""
        hits = [q for q in self.queries if q.with_results and not q.opened]
        return sorted(hits, key=lambda q: (-q.with_results, -q.last.timestamp()))[:n]


def report(analytics: Analytics, days: int, weeks: int = WEEKS) -> Report:
    """The log of the last ``days`` days, and the ``weeks`` weeks up to this one."""
    analytics.flush()
    roll_up(analytics)
    since = now() - dt.timedelta(days=days)
    with analytics.session() as s:
        return Report(since=since, queries=_queries(s, since), weeks=_weeks(s, weeks), pairs=_pairs(s, since))


def _queries(s, since: dt.datetime) -> list[QueryStats]:
    opened = exists().where(Opened.token == Search.token)
    raw = s.execute(
        select(Search.query, func.count(), func.sum(case((Search.results == 0, 1), else_=0)),
               func.sum(case((opened, 1), else_=0)), func.coalesce(func.sum(Search.results), 0),
               func.count(Search.results), func.max(Search.at))
        .where(Search.at >= since).group_by(Search.query))
    summed = s.execute(
        select(Daily.query, func.sum(Daily.searches), func.sum(Daily.zero), func.sum(Daily.opened),
               func.sum(Daily.results_sum), func.sum(Daily.results_n), func.max(Daily.last))
        .where(Daily.day >= since.date()).group_by(Daily.query))
    totals: dict[str, list] = {}
    for q, n, zero, op, results, counted, last in [*summed, *raw]:
        t = totals.setdefault(q, [0, 0, 0, 0, 0, last])
        for i, value in enumerate((n, zero, op, results, counted)):
            t[i] += int(value or 0)
        t[5] = max(t[5], last)
    return [QueryStats(q, n, zero, op, results / counted if counted else 0.0, last)
            for q, (n, zero, op, results, counted, last) in totals.items()]


def _weeks(s, count: int) -> list[Week]:
    today = now().date()
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=count - 1)
    weeks = {first + dt.timedelta(weeks=i): Week(first + dt.timedelta(weeks=i)) for i in range(count)}
    opened = exists().where(Opened.token == Search.token)
    day = func.date(Search.at)
    rows = s.execute(
        select(day, func.count(), func.sum(case((Search.results == 0, 1), else_=0)), func.sum(case((opened, 1), else_=0)))
        .where(Search.at >= dt.datetime.combine(first, dt.time())).group_by(day))
    summed = s.execute(
        select(Daily.day, func.sum(Daily.searches), func.sum(Daily.zero), func.sum(Daily.opened))
        .where(Daily.day >= first).group_by(Daily.day))
    for when, n, zero, op in [*summed, *rows]:
        date = when if isinstance(when, dt.date) else dt.date.fromisoformat(str(when))
        week = weeks.get(date - dt.timedelta(days=date.weekday()))
        if week is not None:
            week.searches += int(n or 0)
            week.zero += int(zero or 0)
            week.opened += int(op or 0)
    return list(weeks.values())


def _pairs(s, since: dt.datetime) -> list[Pair]:
    typed, then = aliased(Search), aliased(Search)
    rows = s.execute(
        select(typed.query, then.query, func.count())
        .select_from(Opened).join(typed, typed.token == Opened.after).join(then, then.token == Opened.token)
        .where(Opened.at >= since, typed.results == 0, typed.query != then.query)
        .group_by(typed.query, then.query))
    summed = s.execute(select(DailyPair.typed, DailyPair.then, func.sum(DailyPair.times))
                       .where(DailyPair.day >= since.date()).group_by(DailyPair.typed, DailyPair.then))
    times: dict[tuple[str, str], int] = {}
    for a, b, n in [*summed, *rows]:
        times[(a, b)] = times.get((a, b), 0) + int(n)
    return sorted((Pair(a, b, n) for (a, b), n in times.items()), key=lambda p: -p.times)


CSV_HEADER = ["查询", "搜索次数", "没有结果的次数", "打开了结果的次数", "平均结果数", "最近一次"]


def csv_rows(rep: Report) -> list[list[str]]:
    """Every query of the period, most searched first; cells a spreadsheet would run as a
    formula (=, +, -, @ at the start) are written as text."""
    out = [CSV_HEADER]
    for q in rep.top(len(rep.queries)):
        out.append([_cell(q.query), str(q.searches), str(q.zero), str(q.opened), f"{q.average:.1f}",
                    q.last.strftime("%Y-%m-%d %H:%M")])
    return out


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
