"""Keeping the search index of a running site current.

At start-up the index is built or brought up to date in a background thread, so the site
serves articles at once and /healthz turns 200 when search is ready. Afterwards watchdog
(inotify on Linux) reports changed files in the content folder and only those are re-indexed;
a change of the domain dictionary rebuilds. A slow periodic look at the whole folder catches
changes a file-system watcher can miss (network drives); file stamps keep it cheap.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from kb.check import relative
from kb.store import ContentStore, is_content_file
from search.interface import SearchEngine

log = logging.getLogger(__name__)

DEBOUNCE = 0.05  # seconds: an editor's save is often several file-system events


class _Changes(FileSystemEventHandler):
    # Not "opened" or "closed_no_write": reading the dictionary or a reading path while
    # re-indexing would otherwise wake the keeper again, for ever.
    CHANGES = {"created", "deleted", "modified", "moved", "closed"}

    def __init__(self, keeper: "IndexKeeper"):
        self.keeper = keeper

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in self.CHANGES:
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self.keeper.changed(Path(str(path)))


class IndexKeeper:
    def __init__(self, engine: SearchEngine, store: ContentStore, safety_interval: float = 300.0):
        self.engine = engine
        self.store = store
        self.root = Path(store.root)
        self.safety_interval = safety_interval
        self.ready = threading.Event()
        self.error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pending: set[str] = set()
        self._everything = True  # the first pass looks at the whole folder
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._observer: Observer | None = None

    def start(self) -> None:
        if self.engine.ready():
            self.ready.set()  # serve the existing index while checking for changed files
        if self.root.is_dir():
            self._observer = Observer()
            self._observer.schedule(_Changes(self), str(self.root), recursive=True)
            self._observer.daemon = True
            self._observer.start()
        self._thread = threading.Thread(target=self._run, name="kb-index", daemon=True)
        self._thread.start()

    def changed(self, path: Path) -> None:
        """A file under the content folder changed (called by the watcher)."""
        try:
            article = path.suffix == ".md" and is_content_file(path, self.root)
        except ValueError:  # not under the content folder
            return
        if path.suffix not in (".md", ".txt"):
            return
        with self._lock:
            if article:
                self._pending.add(relative(path, self.root))
            elif path.suffix == ".txt":
                self._everything = True  # the dictionary: a change rebuilds
            else:
                self.store.invalidate()  # a reading path: nothing to index
                return
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()

    def update_now(self, paths: list[str] | None = None) -> None:
        """Re-index ``paths``, or look at the whole folder."""
        try:
            self.store.invalidate()
            report = self.engine.update(paths) if paths is not None else \
                self.engine.index(catalog=None if self.engine.ready() else self.store.catalog())
            if report.changed_anything:
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
            if self._stop.is_set():
                break
            with self._lock:
                everything = self._everything or not woken
                paths, self._pending, self._everything = sorted(self._pending), set(), False
            self.update_now(None if everything else paths)
            first = False
