"""The one application object: a site's config, content store, search engine, index keeper,
accounts, query log and history, built once and used by the web app, the CLI and the tests alike
(datasette's ``Datasette`` object).

It lives in ``web/`` because it is the layer that may compose all the others: the domain
(``kb``) knows nothing of search or the keeper, and ``search`` nothing of accounts. The CLI
builds it inside the commands that need it, as it imported ``web`` before.

Building a Site opens nothing and starts nothing: the search index is opened at first use,
the accounts database at first query, and the keeper only when someone calls
``start_keeper`` (``kb serve --debug``, tests; ``kb serve`` runs it as a process of its own).
``prepare`` does the first-start work (instance folder, secret key, git repository) once,
before a server starts its workers.
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
from pathlib import Path

from kb.analytics import Analytics
from kb.config import Config, load_config
from kb.database import open_database
from kb.history import History
from kb.store import ContentStore
from kb.users import Users

log = logging.getLogger(__name__)

SECRET_FILE = "secret_key"


class Site:
    def __init__(self, config: Config | dict | None = None):
        if not isinstance(config, Config):
            config = load_config(**(config or {}))
        self.config = config
        self.store = ContentStore(Path(config.content_dir), max_article_bytes=config.max_article_bytes, light=True)
        self.history = History(Path(config.content_dir), commit_in_parent=config.history_in_parent_repo)
        self._search = None
        self._database = None
        self._users: Users | None = None
        self._analytics: Analytics | None = None
        self.keeper = None
        self._lock = threading.Lock()

    @property
    def search(self):
        """The search engine over the site's index (search.interface.SearchEngine)."""
        with self._lock:
            if self._search is None:
                from search.interface import open_engine

                self._search = open_engine(self.config)
            return self._search

    def _engine(self):
        """The site's database (kb.database), shared by accounts and the query log; call with
        the lock held."""
        if self._database is None:
            self.config.instance_path.mkdir(parents=True, exist_ok=True)
            self._database = open_database(self.config.database)
        return self._database

    @property
    def users(self) -> Users:
        with self._lock:
            if self._users is None:
                self._users = Users(self._engine())
            return self._users

    @property
    def analytics(self) -> Analytics:
        """The query log (kb.analytics); records nothing when ``analytics`` is off."""
        with self._lock:
            if self._analytics is None:
                c = self.config
                self._analytics = Analytics(self._engine(), c.analytics_retention_days, c.analytics_record_ip,
                                            enabled=c.analytics)
            return self._analytics

    def prepare(self) -> None:
        """First-start work, done once before serving: the instance folder, the secret key
        and the content folder's git repository."""
        self.config.instance_path.mkdir(parents=True, exist_ok=True)
        self.secret_key()
        self.history.prepare()

    def secret_key(self) -> str:
        """The configured key, else the one kept in the instance folder (created on first
        start): sessions and open forms survive restarts, and every worker signs alike."""
        if self.config.secret_key:
            return self.config.secret_key
        path = self.config.instance_path / SECRET_FILE
        try:
            return path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{SECRET_FILE}.{os.getpid()}.{threading.get_ident()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # fails if another process made one first: theirs is kept
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        return path.read_text(encoding="ascii").strip()

    def start_keeper(self, thread: bool = True):
        """Keep the index current from this process (a thread by default)."""
        from .keeper import IndexKeeper

        if self.keeper is None:
            self.keeper = IndexKeeper(self.search, self.store)
            self.keeper.start(thread=thread)
        return self.keeper

    def close(self) -> None:
        if self.keeper is not None:
            self.keeper.stop()
        if self._search is not None:
            self._search.close()
        if self._analytics is not None:
            self._analytics.flush()
        if self._database is not None:
            self._database.dispose()
