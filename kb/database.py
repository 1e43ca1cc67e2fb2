"""The site's own database (accounts, search analytics) through SQLAlchemy: SQLite in the
instance folder by default, PostgreSQL by URL when several machines serve one site.

One engine per site, shared by the tables that live there. SQLite is opened in WAL mode, so
readers never wait for a writer and the site's worker processes can share the file; a writer
waits up to 15 s for another one instead of failing at once.
"""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

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
