"""The query log summed up by day, so that the 搜索统计 page stays fast however long the log.

The report grouped every raw row of its period on each view: 9 ms with a small log, 614 ms
after 40,000 beacons (issue 16), and it would grow with every day kept. Days that are over
(``SETTLE_DAYS`` ago, so that results opened a day after their search still count) are summed
once into one row per query and day, and one per pair of queries and day; their raw rows are
then deleted. The report reads the sums for those days and the raw rows only for the last few.

Several worker processes may roll up at once: a day is claimed by inserting it into
``kb_search_rolled`` in the same transaction as its sums, so only one of them commits it.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Date, DateTime, Integer, String, case, delete, exists, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, aliased, mapped_column

from .analytics import MAX_QUERY, Opened, Search, _Base, now

log = logging.getLogger(__name__)

SETTLE_DAYS = 2  # days after which a day's searches are summed up


class Daily(_Base):
    __tablename__ = "kb_search_daily"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    query: Mapped[str] = mapped_column(String(MAX_QUERY), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer)
    zero: Mapped[int] = mapped_column(Integer)
    opened: Mapped[int] = mapped_column(Integer)
    results_sum: Mapped[int] = mapped_column(Integer)  # for the average over searches with a count
    results_n: Mapped[int] = mapped_column(Integer)
    last: Mapped[dt.datetime] = mapped_column(DateTime)


class DailyPair(_Base):
    __tablename__ = "kb_search_pairs_daily"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    typed: Mapped[str] = mapped_column(String(MAX_QUERY), primary_key=True)
    then: Mapped[str] = mapped_column(String(MAX_QUERY), primary_key=True)
    times: Mapped[int] = mapped_column(Integer)


class Rolled(_Base):
    __tablename__ = "kb_search_rolled"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)


def settled() -> dt.date:
    """The first day whose raw rows are still kept (the days before it are summed up)."""
    return now().date() - dt.timedelta(days=SETTLE_DAYS - 1)


def roll_up(analytics) -> int:
    """Sum up every day before ``settled()`` that still has raw rows; the days summed."""
    limit = dt.datetime.combine(settled(), dt.time())
    with analytics.session() as s:
        first = s.scalar(select(func.min(Search.at)).where(Search.at < limit))
    if first is None:
        return 0
    done, day = 0, first.date()
    while day < settled():
        done += _roll_day(analytics, day)
        day += dt.timedelta(days=1)
    return done


def _roll_day(analytics, day: dt.date) -> int:
    start = dt.datetime.combine(day, dt.time())
    end = start + dt.timedelta(days=1)
    in_day = (Search.at >= start) & (Search.at < end)
    opened = exists().where(Opened.token == Search.token)
    with analytics.session() as s:
        try:
            if s.get(Rolled, day) is None:
                s.add(Rolled(day=day))
                s.flush()
            s.execute(insert(Daily).from_select(
                ["day", "query", "searches", "zero", "opened", "results_sum", "results_n", "last"],
                select(literal(day, Date), Search.query, func.count(),
                       func.sum(case((Search.results == 0, 1), else_=0)), func.sum(case((opened, 1), else_=0)),
                       func.coalesce(func.sum(Search.results), 0), func.count(Search.results), func.max(Search.at))
                .where(in_day, ~exists().where(Daily.day == day, Daily.query == Search.query))
                .group_by(Search.query)))
            _roll_pairs(s, day, start, end)
            s.execute(delete(Opened).where(Opened.at >= start, Opened.at < end))
            s.execute(delete(Search).where(in_day))
            s.commit()
        except IntegrityError:  # another worker summed this day up at the same moment
            s.rollback()
            return 0
    log.info("search analytics: summed up %s", day)
    return 1


def _roll_pairs(s, day: dt.date, start: dt.datetime, end: dt.datetime) -> None:
    typed, then = aliased(Search), aliased(Search)
    rows = s.execute(
        select(typed.query, then.query, func.count())
        .select_from(Opened).join(typed, typed.token == Opened.after).join(then, then.token == Opened.token)
        .where(Opened.at >= start, Opened.at < end, typed.results == 0, typed.query != then.query)
        .group_by(typed.query, then.query)).all()
    for a, b, n in rows:
        existing = s.get(DailyPair, (day, a, b))
        if existing is None:
            s.add(DailyPair(day=day, typed=a, then=b, times=n))
        else:
            existing.times += n


def purge(session, cutoff: dt.datetime) -> None:
    """Forget the sums of days older than the retention period (kb.analytics.purge)."""
    session.execute(delete(Daily).where(Daily.day < cutoff.date()))
    session.execute(delete(DailyPair).where(DailyPair.day < cutoff.date()))
    session.execute(delete(Rolled).where(Rolled.day < cutoff.date()))
