"""How many passwords may be tried, from where and for whom: the guard on guessing.

The first limit counted failures per name *and* address, read and written in two steps:
40 guesses sent at once got 17 checked instead of 5 (each read the count before any wrote),
331 guesses spread over names went through in 15 s, and after five wrong guesses the right
password was refused too — anyone could lock a colleague out by typing their name.

Now every password check must first take an *attempt* from two counters, each taken in one
``UPDATE … WHERE count < limit`` (atomic in SQLite, whose writers queue, and in PostgreSQL,
which re-checks the condition on the locked row), so no two requests can both take the last
one:

- per address, across names (``PER_ADDRESS``): one machine cannot try name after name;
- per name, across the addresses it was never used from (``PER_NAME``): many machines cannot
  share out the guessing of one password;
- but from an address the account has logged in from before (``KNOWN_DAYS``), its own
  counter per name and address: a guesser elsewhere cannot lock the real person out at their
  usual desk.

A correct password gives its attempt back and remembers the address. Counters are rows in the
site's database, so the limit holds across every worker process and machine.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, case, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .database import create_tables

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(minutes=15)
PER_ADDRESS = 20  # password checks from one address in WINDOW, whatever the names
PER_NAME = 5  # checks of one name in WINDOW from addresses it has not logged in from
PER_KNOWN = 5  # checks of one name in WINDOW from one address it has logged in from
KNOWN_DAYS = 90  # an address stays "usual" this long after a login from it
SWEEP_EVERY = dt.timedelta(minutes=5)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class _Base(DeclarativeBase):
    pass


class _Counter(_Base):
    __tablename__ = "kb_login_attempts"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    started: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class _Known(_Base):
    __tablename__ = "kb_login_known"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)


@dataclass(frozen=True)
class Attempt:
    """A password check that may go ahead (``allowed``), or why not (``refused``: "address" —
    too many from this address; "name" — too many for this name from new addresses)."""

    name: str
    address: str
    keys: tuple[str, ...] = ()
    refused: str = ""

    @property
    def allowed(self) -> bool:
        return not self.refused


def _name(name: str) -> str:
    return name.strip().lower()[:64]


class LoginLimit:
    """The counters in the site's database (``engine``, kb.database)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._ready = False
        self._swept: dt.datetime | None = None
        self._lock = threading.Lock()

    def _session(self) -> Session:
        if not self._ready:
            create_tables(_Base.metadata, self.engine)
            self._ready = True
        return Session(self.engine)

    def begin(self, name: str, address: str) -> Attempt:
        """Take an attempt for checking ``name``'s password from ``address``."""
        name, address = _name(name), (address or "?")[:64]
        self._sweep()
        by_address = f"address:{address}"
        if not self._take(by_address, PER_ADDRESS):
            return Attempt(name, address, refused="address")
        if self.is_known(name, address):
            by_name, limit = f"known:{name}|{address}", PER_KNOWN
        else:
            by_name, limit = f"name:{name}", PER_NAME
        if not self._take(by_name, limit):
            self._give_back([by_address])  # refused unchecked: not a guess from this address
            return Attempt(name, address, refused="name")
        return Attempt(name, address, (by_address, by_name))

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the attempt is given back and the address remembered."""
        self._give_back(list(attempt.keys))
        with self._session() as s:
            row = s.get(_Known, (attempt.name, attempt.address))
            if row is None:
                s.add(_Known(name=attempt.name, address=attempt.address, at=now()))
            else:
                row.at = now()
            try:
                s.commit()
            except IntegrityError:  # another worker recorded the same login at the same moment
                s.rollback()

    def is_known(self, name: str, address: str) -> bool:
        with self._session() as s:
            at = s.scalar(select(_Known.at).where(_Known.name == _name(name), _Known.address == address[:64]))
        return at is not None and at > now() - dt.timedelta(days=KNOWN_DAYS)

    def _take(self, key: str, limit: int) -> bool:
        """One attempt from the counter ``key``, atomically: False when ``limit`` are used in
        the current window. The window starts with its first attempt."""
        moment = now()
        cutoff = moment - WINDOW
        with self._session() as s:
            s.execute(_insert_missing(self.engine, key[:200], moment))
            taken = s.execute(
                update(_Counter)
                .where(_Counter.key == key[:200], (_Counter.started < cutoff) | (_Counter.count < limit))
                .values(count=_restart(cutoff, 1, _Counter.count + 1), started=_restart(cutoff, moment, _Counter.started))
                .execution_options(synchronize_session=False)).rowcount
            s.commit()
        return taken == 1

    def _give_back(self, keys: list[str]) -> None:
        with self._session() as s:
            s.execute(update(_Counter).where(_Counter.key.in_([k[:200] for k in keys]), _Counter.count > 0)
                      .values(count=_Counter.count - 1).execution_options(synchronize_session=False))
            s.commit()

    def used(self, key: str) -> int:
        """Attempts taken from ``key`` in its current window (for tests and the log)."""
        with self._session() as s:
            row = s.get(_Counter, key)
            return row.count if row is not None and row.started >= now() - WINDOW else 0

    def _sweep(self) -> None:
        """Drop counters whose window is over, every few minutes: the table stays as small as
        the number of names and addresses tried in the last quarter of an hour."""
        with self._lock:
            if self._swept is not None and now() - self._swept < SWEEP_EVERY:
                return
            self._swept = now()
        with self._session() as s:
            s.execute(delete(_Counter).where(_Counter.started < now() - WINDOW))
            s.execute(delete(_Known).where(_Known.at < now() - dt.timedelta(days=KNOWN_DAYS)))
            s.commit()


def _restart(cutoff: dt.datetime, fresh, running):
    """``fresh`` when the counter's window is over, else ``running`` (old values: SQL's SET
    reads the row as it was)."""
    return case((_Counter.started < cutoff, fresh), else_=running)


def _insert_missing(engine: Engine, key: str, moment: dt.datetime):
    """INSERT the counter unless it exists (each dialect says it its own way)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(_Counter).values(key=key, count=0, started=moment).on_conflict_do_nothing()
