"""Reading-path progress of staff with an account, kept in the site's database (SQLite or
PostgreSQL, kb.database), so that a manager can see who has finished which path and when.

A row is one item of one path read by one account, and when (the item is its ``href`` as the
path file writes it, ``slug`` or ``slug#anchor`` — the key the browser uses too). Anonymous
readers keep their progress in their own browser only; nothing about them is stored.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .database import create_tables

MAX_KEY = 300  # an item's href: a slug and a Chinese anchor
MAX_ITEMS = 500  # items one account may mark on one path (a path has tens)


class _Base(DeclarativeBase):
    pass


class _Read(_Base):
    __tablename__ = "kb_path_reads"
    __table_args__ = (UniqueConstraint("account", "path", "item"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(100), index=True)
    item: Mapped[str] = mapped_column(String(MAX_KEY))
    at: Mapped[dt.datetime] = mapped_column(DateTime)


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


@dataclass(frozen=True)
class Standing:
    """One account on one path, as the managers' page shows it."""

    account: str
    read: int  # items of the path (as it is now) read
    total: int
    started: dt.datetime
    last: dt.datetime
    finished: dt.datetime | None  # when the last item was read, once every item is


class Progress:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._ready = False

    def _session(self) -> Session:
        if not self._ready:
            create_tables(_Base.metadata, self.engine)
            self._ready = True
        return Session(self.engine, expire_on_commit=False)

    def of(self, account: str, path: str) -> dict[str, dt.datetime]:
        """item -> when ``account`` read it."""
        with self._session() as s:
            rows = s.execute(select(_Read.item, _Read.at).where(_Read.account == account, _Read.path == path))
            return {item: at for item, at in rows}

    def mark(self, account: str, path: str, item: str, read: bool = True) -> None:
        """Record (or, with ``read`` False, forget) that ``account`` read ``item`` of ``path``;
        marking an item read again keeps the first time."""
        item = item[:MAX_KEY]
        with self._session() as s:
            if not read:
                s.execute(delete(_Read).where(_Read.account == account, _Read.path == path, _Read.item == item))
                s.commit()
                return
            count = len(s.scalars(select(_Read.id).where(_Read.account == account, _Read.path == path)).all())
            if count >= MAX_ITEMS:
                return
            s.add(_Read(account=account, path=path, item=item, at=now()))
            try:
                s.commit()
            except IntegrityError:  # read already (another tab, another worker)
                s.rollback()

    def reset(self, account: str, path: str) -> None:
        with self._session() as s:
            s.execute(delete(_Read).where(_Read.account == account, _Read.path == path))
            s.commit()

    def standings(self, path: str, items: list[str]) -> list[Standing]:
        """Everyone who has read something of ``path``, against its ``items`` now: those who
        finished first (earliest first), then the others by how far they are."""
        wanted = set(items)
        by_account: dict[str, dict[str, dt.datetime]] = {}
        with self._session() as s:
            for account, item, at in s.execute(select(_Read.account, _Read.item, _Read.at).where(_Read.path == path)):
                by_account.setdefault(account, {})[item] = at
        out = []
        for account, reads in by_account.items():
            counted = {k: v for k, v in reads.items() if k in wanted}
            times = list(reads.values())
            done = bool(wanted) and len(counted) == len(wanted)
            out.append(Standing(account, len(counted), len(wanted), min(times), max(times),
                                max(counted.values()) if done else None))
        return sorted(out, key=lambda x: (x.finished is None, x.finished or dt.datetime.max, -x.read, x.account))
