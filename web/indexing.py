"""Keeping the search index of a running site current.

At start-up the index is built or brought up to date in a background thread, so the site
serves articles at once and /healthz turns 200 when search is ready. Afterwards the content
folder is watched (a stat of every file, every ``interval`` seconds) and changed files are
re-indexed incrementally; a save from the browser asks for an update straight away.
"""
from __future__ import annotations

import logging
import threading

from kb.config import Config
from kb.store import ContentStore
from search.indexer import index_ready, update_index

log = logging.getLogger(__name__)


class IndexKeeper:
    def __init__(self, config: Config, store: ContentStore, interval: float = 1.0):
        self.config = config
        self.store = store
        self.interval = interval
        self.ready = threading.Event()
        self.error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stamp = None
        self._waiters: list[threading.Event] = []
        self._waiters_lock = threading.Lock()

    def start(self) -> None:
        if index_ready(self.config.index_path):
            self.ready.set()  # serve the previous index while checking for changes
        self._thread = threading.Thread(target=self._run, name="kb-index", daemon=True)
        self._thread.start()

    def request_update(self, wait: bool = True, timeout: float = 30.0) -> None:
        """Re-index now (after a save). With ``wait``, return once the update is committed."""
        if self._thread is None:
            self.update_now()
            return
        done = threading.Event()
        with self._waiters_lock:
            self._waiters.append(done)
        self._wake.set()
        if wait:
            done.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def update_now(self) -> None:
        try:
            self.store.invalidate()
            catalog = self.store.catalog()
            report = update_index(self.config, catalog=catalog)
            if report.added or report.changed or report.removed or report.rebuilt:
                log.info("%s", report.summary())
            self.error = None
            self.ready.set()
        except Exception as exc:  # the site keeps serving the previous index
            self.error = str(exc)
            log.exception("index update failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            with self._waiters_lock:
                waiters, self._waiters = self._waiters, []
            stamp = self.store.stamp()
            if stamp != self._stamp or waiters:
                self._stamp = stamp
                self.update_now()
            for done in waiters:
                done.set()
            self._wake.wait(self.interval)
