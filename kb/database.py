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


def location(engine: Engine) -> str:
    """Where the database is, for people: SQLite's file, else the URL without its password."""
    if engine.url.get_backend_name() == "sqlite":
        return engine.url.database or "（内存）"
    return engine.url.render_as_string(hide_password=True)


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


# --- what several machines serving one site share through PostgreSQL ------------------------

CONTENT_CHANNEL = "kb_content"  # a node pushed to the shared content repository (kb.remote)
_site_table = None


def shared(engine: Engine) -> bool:
    """The database is a server several machines can share (PostgreSQL), not a file of one."""
    return engine.dialect.name == "postgresql"


def notify(engine: Engine, channel: str, payload: str = "") -> None:
    """Tell every node listening on ``channel`` (PostgreSQL NOTIFY); nothing on SQLite."""
    if not shared(engine):
        return
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload})


def listen(engine: Engine, channel: str, heard, stop, retry: float = 5.0) -> None:
    """Call ``heard()`` for every NOTIFY on ``channel`` until ``stop`` (a threading.Event) is set;
    a lost connection is opened again after ``retry`` seconds. Runs in a thread of its own."""
    import logging

    import psycopg

    log = logging.getLogger(__name__)
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while not stop.is_set():
        try:
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(f'LISTEN "{channel}"')
                heard()  # anything missed while not listening
                while not stop.is_set():
                    for _ in connection.notifies(timeout=1.0, stop_after=1):
                        heard()
        except psycopg.Error as exc:
            log.warning("not listening on %s: %s", channel, exc)
            stop.wait(retry)


def site_secret(engine: Engine, make) -> str:
    """The site's secret key kept in the database, made by ``make()`` by the first process of
    the first machine that asks: every machine behind one site signs sessions and form tokens
    alike (each node's instance folder would hold a key of its own)."""
    global _site_table
    from sqlalchemy import Column, String, Table, insert, select
    from sqlalchemy.exc import IntegrityError

    if _site_table is None:
        metadata = MetaData()
        _site_table = Table("kb_site", metadata, Column("name", String(64), primary_key=True),
                            Column("value", String(256), nullable=False))
    create_tables(_site_table.metadata, engine)
    query = select(_site_table.c.value).where(_site_table.c.name == "secret_key")
    with engine.begin() as connection:
        found = connection.execute(query).scalar()
    if found:
        return found
    try:
        with engine.begin() as connection:
            connection.execute(insert(_site_table).values(name="secret_key", value=make()))
    except IntegrityError:
        pass  # another process made it first: theirs is kept
    with engine.begin() as connection:
        return connection.execute(query).scalar()
