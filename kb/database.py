"""The site's own database (accounts, search analytics) through SQLAlchemy: SQLite in the
instance folder by default, PostgreSQL by URL when several machines serve one site.

One engine per site, shared by the tables that live there. SQLite is opened in WAL mode, so
readers never wait for a writer and the site's worker processes can share the file; a writer
waits up to 15 s for another one instead of failing at once.
"""
from __future__ import annotations

import time

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

BUSY_SECONDS = 15


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
    cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cursor.close()


def open_database(url: str) -> Engine:
    """An engine for ``url`` (nothing is connected until first use)."""
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS} if sqlite else {}, pool_pre_ping=not sqlite)
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Tables:
    """A module's own tables in the site's database (``engine``), created at first use: the
    base of kb.people, kb.confirmations, kb.feedback and kb.follows. ``metadata`` is the
    module's DeclarativeBase metadata."""

    metadata: MetaData

    def __init__(self, engine: Engine):
        self.engine = engine
        self._ready = False

    def _session(self):
        from sqlalchemy.orm import Session

        if not self._ready:
            create_tables(self.metadata, self.engine)
            self._ready = True
        return Session(self.engine, expire_on_commit=False)


def create_tables(metadata: MetaData, engine: Engine) -> None:
    """Create ``metadata``'s tables when missing. Worker processes starting together race here:
    the loser's CREATE TABLE fails because the winner's exists, and a second look finds it."""
    for attempt in range(3):
        try:
            metadata.create_all(engine)
            return
        except SQLAlchemyError:
            if attempt == 2:
                raise
            time.sleep(0.05 * (attempt + 1))
