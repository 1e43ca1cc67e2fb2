"""Search analytics, private by design: what staff searched for, how many results it found and
which result they opened — never who.

A search is a row with the query as typed (spaces tidied, at most 200 characters), the number
of results shown, the correction shown instead when the query found nothing, where it was typed
(the search page, or the search box's list), and the minute it happened. No account, session or
cookie is stored, and no address unless the site sets ``analytics_record_ip``. A random token
ties a search to the results opened from its page; a result opened after a search that found
nothing in the same browser tab names that search too (``after``), which is how the query log
suggests synonyms (kb.analytics_report). Rows older than ``analytics_retention_days`` are
deleted.

Bounded (issue 16: 40,000 anonymous beacons at ≈445 a second grew the database from 0.75 to
82 MB): each worker records at most ``PER_ADDRESS`` events per address and ``TOTAL`` in all
(kb.throttle), at most ``MAX_PER_DAY`` searches and as many opened results are kept per day
across every worker and machine, and days that are over are summed up by query
(kb.analytics_rollup) and their raw rows deleted — what is kept grows with the distinct queries
of a day, not with the traffic.

Recording never slows or breaks a search: the web layer hands events to ``search`` and
``opened``, which only queue them; ``flush`` writes the queue in one short transaction after
the response has been sent. When the database cannot be written (another process holds
SQLite's lock beyond the busy timeout, PostgreSQL is down) the failure is logged and the
events stay queued for the next flush, up to ``MAX_PENDING``; beyond that the oldest are
dropped.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .database import create_tables
from .throttle import Throttle

log = logging.getLogger(__name__)

SOURCES = {"page": "搜索页", "box": "搜索框"}
MAX_QUERY = 200
MAX_URL = 300
MAX_PENDING = 1000
PURGE_EVERY = dt.timedelta(hours=1)
DEFAULT_RETENTION_DAYS = 180
PER_ADDRESS = (1.0, 60)  # events a second on average, and at once, from one address (per worker)
TOTAL = (20.0, 200)  # from every address together (per worker)
MAX_PER_DAY = 20_000  # searches kept per day (and as many opened results), across all workers


class _Base(DeclarativeBase):
    pass


class Search(_Base):
    __tablename__ = "kb_search_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    query: Mapped[str] = mapped_column(String(MAX_QUERY), index=True)
    results: Mapped[int | None] = mapped_column(Integer, nullable=True)
    corrected: Mapped[str | None] = mapped_column(String(MAX_QUERY), nullable=True)
    source: Mapped[str] = mapped_column(String(8))
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Opened(_Base):
    __tablename__ = "kb_search_opened"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32), index=True)  # the search it was opened from
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    url: Mapped[str] = mapped_column(String(MAX_URL))
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    after: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)  # an earlier search that found nothing


def now() -> dt.datetime:
    """The server's local time to the minute: weeks start on the office's Monday, and a search
    is not timed closer than it needs to be."""
    return dt.datetime.now().replace(second=0, microsecond=0)


def tidy(query: str) -> str:
    """The query as it is counted: spaces collapsed, Latin letters in lower case (BaoMi and
    baomi are one query)."""
    return " ".join(query.split()).lower()[:MAX_QUERY]


def new_token() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class _Pending:
    row: type
    values: dict


class Analytics:
    """The query log in the site's database (``engine``, kb.database)."""

    def __init__(self, engine: Engine, retention_days: int = DEFAULT_RETENTION_DAYS, record_ip: bool = False,
                 enabled: bool = True):
        self.engine = engine
        self.retention = dt.timedelta(days=max(1, int(retention_days)))
        self.record_ip = record_ip
        self.enabled = enabled
        self._pending: list[_Pending] = []
        self._lock = threading.Lock()
        self._ready = False
        self._purged: dt.datetime | None = None
        self._throttle = Throttle(PER_ADDRESS, TOTAL)
        self._full: dt.date | None = None  # the day MAX_PER_DAY was reached

    def session(self) -> Session:
        if not self._ready:
            from . import analytics_rollup  # noqa: F401  (its tables are this metadata's too)

            create_tables(_Base.metadata, self.engine)
            self._ready = True
        return Session(self.engine, expire_on_commit=False)

    def allow(self, ip: str | None) -> bool:
        """This address may have one more event recorded now (kb.throttle)."""
        return self._throttle.allow(ip or "")

    # --- recording ---------------------------------------------------------------------------
    def search(self, query: str, results: int | None, corrected: str | None = None, source: str = "page",
               ip: str | None = None) -> str | None:
        """Queue a search; its token (for the page's links), or None when nothing is recorded."""
        query = tidy(query)
        if not self.enabled or not query or not self.allow(ip):
            return None
        token = new_token()
        self._queue(Search, token=token, at=now(), query=query, results=results,
                    corrected=tidy(corrected) if corrected else None, source=source if source in SOURCES else "page",
                    ip=(ip or None) and ip[:64] if self.record_ip else None)
        return token

    def opened(self, token: str, url: str, rank: int | None = None, after: str | None = None,
               ip: str | None = None, counted: bool = False) -> bool:
        """Queue a result opened from the search ``token`` (``after``: the token of a search
        that found nothing, made just before in the same tab); False when not recorded (off,
        or over the limits; ``counted``: the address's event was taken already)."""
        if not self.enabled or not token or not (counted or self.allow(ip)):
            return False
        self._queue(Opened, token=token[:32], at=now(), url=url[:MAX_URL], rank=rank,
                    after=after[:32] if after else None)
        return True

    def _queue(self, row: type, **values) -> None:
        with self._lock:
            self._pending.append(_Pending(row, values))
            if len(self._pending) > MAX_PENDING:
                dropped = len(self._pending) - MAX_PENDING
                del self._pending[:dropped]
                log.warning("search analytics: dropped %d unwritten events", dropped)

    def flush(self) -> bool:
        """Write what is queued; False (and logged) when the database refused. Never raises."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return True
        try:
            with self.session() as s:
                for event in self._within_day(s, batch):
                    s.add(event.row(**event.values))
                s.commit()
        except SQLAlchemyError as exc:
            log.warning("search analytics: could not write %d events, kept for later: %s", len(batch), exc)
            with self._lock:
                self._pending[:0] = batch[-MAX_PENDING:]
                del self._pending[MAX_PENDING:]
            return False
        if self._purged is None or now() - self._purged >= PURGE_EVERY:
            self.purge()
            from .analytics_rollup import roll_up

            try:
                roll_up(self)
            except SQLAlchemyError as exc:
                log.warning("search analytics: could not sum up past days: %s", exc)
        return True

    def _within_day(self, s: Session, batch: list[_Pending]) -> list[_Pending]:
        """The events of ``batch`` that today's ``MAX_PER_DAY`` leaves room for."""
        today = now().date()
        if self._full == today:
            return []
        start = dt.datetime.combine(today, dt.time())
        room = {row: MAX_PER_DAY - (s.scalar(select(func.count()).select_from(row).where(row.at >= start)) or 0)
                for row in (Search, Opened)}
        kept = []
        for event in batch:
            if room[event.row] > 0:
                room[event.row] -= 1
                kept.append(event)
        if len(kept) < len(batch):
            self._full = today
            log.warning("search analytics: %d events a day kept already; %d more dropped today", MAX_PER_DAY,
                        len(batch) - len(kept))
        return kept

    def purge(self) -> int:
        """Delete what is older than the retention period; the number of searches deleted."""
        cutoff = now() - self.retention
        self._purged = now()
        try:
            from .analytics_rollup import purge as purge_sums

            with self.session() as s:
                s.execute(delete(Opened).where(Opened.at < cutoff))
                deleted = s.execute(delete(Search).where(Search.at < cutoff)).rowcount
                purge_sums(s, cutoff)
                s.commit()
        except SQLAlchemyError as exc:
            log.warning("search analytics: could not delete old rows: %s", exc)
            return 0
        if deleted:
            log.info("search analytics: deleted %d searches older than %s", deleted, cutoff.date())
        return deleted or 0

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def rows(self) -> list[dict]:
        """Every search recorded, oldest first (for tests and checks of what is kept)."""
        with self.session() as s:
            return [{c.name: getattr(r, c.name) for c in Search.__table__.columns}
                    for r in s.scalars(select(Search).order_by(Search.id))]
