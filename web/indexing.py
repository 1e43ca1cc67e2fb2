"""Keeping the search index of a running site current.

At start-up the index is built or brought up to date in a background thread, so the site
serves articles at once and /healthz turns 200 when search is ready. Afterwards watchdog
(inotify on Linux) reports changed files in the content folder and they are re-indexed
incrementally; a save from the browser asks for an update and waits for it. A slow periodic
look at the folder catches changes a file-system watcher can miss (network drives).
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from kb.config import Config
from kb.store import ContentStore
from search.indexer import index_current, update_index

log = logging.getLogger(__name__)

DEBOUNCE = 0.1  # seconds: an editor's save is often several file-system events


class _Changes(FileSystemEventHandler):
    def __init__(self, wake: threading.Event):
        self.wake = wake

    # Not "opened" or "closed_no_write": reading the dictionary or a reading path while
    # re-indexing would otherwise wake the keeper again, for ever.
    CHANGES = {"created", "deleted", "modified", "moved", "closed"}

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in self.CHANGES:
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if any(str(p).endswith((".md", ".txt")) for p in paths):
            self.wake.set()


class IndexKeeper:
    def __init__(self, config: Config, store: ContentStore, safety_interval: float = 30.0):
        self.config = config
        self.store = store
        self.safety_interval = safety_interval
        self.ready = threading.Event()
        self.error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observer: Observer | None = None
        self._waiters: list[threading.Event] = []
        self._waiters_lock = threading.Lock()

    def start(self) -> None:
        if index_current(self.config):
            self.ready.set()  # serve the existing index while checking for changed files
        content = Path(self.config.content_dir)
        if content.is_dir():
            self._observer = Observer()
            self._observer.schedule(_Changes(self._wake), str(content), recursive=True)
            self._observer.daemon = True
            self._observer.start()
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
        if self._observer is not None:
            self._observer.stop()

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
        first = True
        while not self._stop.is_set():
            woken = self._wake.wait(0 if first else self.safety_interval)
            if woken and not first:
                self._stop.wait(DEBOUNCE)
            self._wake.clear()
            with self._waiters_lock:
                waiters, self._waiters = self._waiters, []
            if self._stop.is_set():
                break
            self.update_now()
            for done in waiters:
                done.set()
            first = False
