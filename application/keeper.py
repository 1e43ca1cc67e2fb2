"""Keeping the search index of a running site current.

At start-up the index is built or brought up to date in the background, so the site serves
articles at once and /healthz turns 200 when search is ready. Afterwards watchdog (inotify on
Linux) reports changed files in the content folder and only those are re-indexed; a change of
the domain dictionary rebuilds. A slow periodic look at the whole folder catches changes a
file-system watcher can miss (network drives); file stamps keep it cheap.

The keeper runs as a thread of the site (``kb serve --debug``, tests) or as a process of its own
(``kb index --watch``, started by ``kb serve``). Either way it tells the site's worker processes
what it did through two files in the node's instance folder (never in the index, which is the
search engine's own): ``keeper.json`` (building, ready, or the error that stopped it; /healthz
reports it) and ``content-changed``, touched after every change it saw, which tells each worker
to reload the articles it holds.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from kb import attachments, folders, lifecycle
from kb.addresses import FILE as ADDRESSES
from kb.check import relative
from kb.removed import FILE as REMOVED
from kb.reading_paths import is_path_file
from kb.saving import LOCK_DIR
from kb.store import ContentStore, is_content_file
from kb.synonyms import FILE as SYNONYMS
from search.interface import SearchEngine

log = logging.getLogger(__name__)

DEBOUNCE = 0.05  # seconds: an editor's save is often several file-system events
RETRY = 5.0  # seconds between tries after an update failed (a full disk, a read-only folder)
STATUS = "keeper.json"
CONTENT_CHANGED = "content-changed"
KEPT_FILES = (ADDRESSES, REMOVED)  # files of the content folder the site keeps that change what pages say


def _markers(instance_path: Path, content_dir: Path | None) -> list[Path]:
    # The instance folder's marker, and one in the content folder's hidden lock folder
    # (kb.saving) for when the instance folder cannot be written (a full or read-only disk).
    markers = [Path(instance_path) / CONTENT_CHANGED]
    if content_dir is not None:
        markers.append(Path(content_dir) / LOCK_DIR / CONTENT_CHANGED)
    return markers


def content_changed(instance_path: Path, content_dir: Path | None = None) -> None:
    """Tell every worker of the site to reload the articles it holds."""
    for marker in _markers(instance_path, content_dir):
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError as exc:
            log.warning("cannot touch %s: %s", marker, exc.strerror)


def content_stamp(instance_path: Path, content_dir: Path | None = None) -> int:
    stamps = [0]
    for marker in _markers(instance_path, content_dir):
        try:
            stamps.append(marker.stat().st_mtime_ns)
        except OSError:
            pass
    return max(stamps)


def keeper_status(instance_path: Path) -> dict:
    """What the keeper last said: {"state": "building" | "updating" | "ready" | "error", "error": …}."""
    try:
        return json.loads((Path(instance_path) / STATUS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


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
    def __init__(self, engine: SearchEngine, store: ContentStore, instance_path: Path, safety_interval: float = 300.0,
                 after=None):
        """``after``: called after each update (the site records new articles' addresses and
        files renamed outside it: Site.record_addresses)."""
        self.engine = engine
        self.after = after
        self.instance_path = Path(instance_path)
        self.store = store
        self.root = Path(store.root)
        self.safety_interval = safety_interval
        self.ready = threading.Event()
        self.error: str | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pending: set[str] = set()
        self._everything = True  # the first pass looks at the whole folder
        self._busy = False
        self._since: float | None = None  # when the oldest change not indexed yet was reported
        self._others = False  # a file that is not indexed changed (the workers are told in any case)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._observer: Observer | None = None
        self._sync = None  # a node of several: see ``follow``
        self._sync_wake = threading.Event()
        self._day: dt.date | None = None  # the day the dated articles were last taken again

    def follow(self, sync, seconds: float, listen=None) -> None:
        """A node of several (kb.remote): ``sync()`` takes the other nodes' saves from the shared
        content repository and pushes this node's, giving the files it changed here, which are
        then indexed like any change the watcher reports. It runs at start (a node that was down
        catches up), every ``seconds``, and whenever ``listen(heard, stop)`` hears that another
        node pushed."""
        self._sync, self._sync_seconds, self._listen = sync, seconds, listen

    def start(self, thread: bool = True) -> None:
        if self.engine.ready():
            self.ready.set()  # serve the existing index while checking for changed files
        if self.root.is_dir():
            self._observer = Observer()
            self._observer.schedule(_Changes(self), str(self.root), recursive=True)
            self._observer.daemon = True
            self._observer.start()
        if self._sync is not None:
            threading.Thread(target=self._syncing, name="kb-sync", daemon=True).start()
            if self._listen is not None:
                threading.Thread(target=self._listen, args=(self._sync_wake.set, self._stop), name="kb-listen",
                                 daemon=True).start()
        if not thread:
            self._run()
            return
        self._thread = threading.Thread(target=self._run, name="kb-index", daemon=True)
        self._thread.start()

    def changed(self, path: Path) -> None:
        """A file under the content folder changed (called by the watcher)."""
        try:
            rel = relative(path, self.root) if path.is_relative_to(self.root) else None
            indexed = path.suffix == ".md" and (is_content_file(path, self.root) or is_path_file(rel or ""))
        except ValueError:  # not under the content folder
            return
        if rel in KEPT_FILES:
            with self._lock:  # the addresses or the removed list: nothing to index, the workers reload
                self.store.reopen()
                self._others = True
            self._wake.set()
            return
        if rel is not None and folders.is_folder_file(rel):
            with self._lock:
                self._pending.add(rel)  # a folder's defaults: search re-indexes its articles
            self._wake.set()
            return
        owner = attachments.owner_of(rel) if rel is not None else None
        if owner is not None and is_content_file(self.root / owner, self.root):
            rel, indexed = owner, True  # an attachment: its article's documents change
        elif rel is None or path.suffix not in (".md", ".txt") or path.name == SYNONYMS:
            return  # the synonyms list is read by search itself, at the next query
        with self._lock:
            self._since = self._since or time.monotonic()
            if indexed:
                self._pending.add(rel)  # an article or a reading path
            elif path.suffix == ".txt":
                self._everything = True  # the dictionary: a change rebuilds
            else:
                self.store.reopen()  # some other Markdown file: nothing to index
                return
        self._wake.set()

    def _syncing(self) -> None:
        told = False
        while not self._stop.is_set():
            began = time.perf_counter()
            try:
                changed = self._sync()
            except Exception:  # noqa: BLE001 — the next look tries again; /healthz says why (kb.remote)
                log.exception("exchange with the shared content repository failed")
                changed = []
            log.info("exchange with the shared content repository (%s): %d files changed in %.2fs",
                     "told by another node" if told else "regular look", len(changed), time.perf_counter() - began)
            for rel in changed:
                self.changed(self.root / rel)
            if changed:  # files that are not indexed (the removed list …) change what pages say too
                self.store.reopen()
                content_changed(self.instance_path, self.root)
            told = self._sync_wake.wait(self._sync_seconds)
            self._sync_wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._sync_wake.set()
        if self._observer is not None:
            self._observer.stop()

    def _say(self, state: str, error: str | None = None) -> None:
        data = {"state": state, "error": error, "pid": os.getpid(), "at": dt.datetime.now().isoformat(timespec="seconds")}
        path = self.instance_path / STATUS
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{STATUS}.{os.getpid()}")
            tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            log.exception("cannot write %s", path)

    def update_now(self, paths: list[str] | None = None, only_if_changed: bool = False) -> None:
        """Re-index ``paths``, or look at the whole folder. ``only_if_changed``: when the index
        already had every file of ``paths`` (a save on this node indexed its file itself, and
        told the workers), neither the addresses nor the workers are bothered again: each time
        cost every worker a new catalog, and the keeper a look at every article's addresses."""
        try:
            if not self.engine.ready():
                self._say("building")
            elif paths is None and self.error is None:
                self._say("updating")  # the whole folder: a dictionary change rebuilds, for minutes at scale
            began = time.perf_counter()
            report = self.engine.update(paths) if paths is not None else \
                self.engine.index(catalog=None if self.engine.ready() else self.store.catalog())
            indexed = time.perf_counter()
            self.store.reopen()  # from the index, which has the folder's changes now: no look at the folder
            if report.changed_anything:
                log.info("%s", report.summary())
            unchanged = only_if_changed and paths is not None and not report.changed_anything
            if self.after is not None and not unchanged:
                try:
                    self.after()
                except Exception:  # noqa: BLE001 — the index is current; recording addresses is tried again next time
                    log.exception("after the index update")
            log.info("keeper: %s in %.2fs, then %.2fs recording addresses", "the whole folder" if paths is None else
                     f"{len(paths)} files", indexed - began, time.perf_counter() - indexed)
            if not unchanged:
                content_changed(self.instance_path, self.root)
            self.error = None
            self.ready.set()
            self._say("ready")
        except Exception as exc:  # the site keeps serving the previous index
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("index update failed")
            self._say("error", self.error)

    def run_forever(self) -> None:
        """Keep the index current in this thread until SIGTERM or SIGINT (`kb index --watch`)."""
        signal.signal(signal.SIGTERM, self._terminate)
        self.start(thread=False)

    def _terminate(self, signum, frame) -> None:
        """SIGTERM: the server stops, or died (``PR_SET_PDEATHSIG``): exit at once, in the middle
        of an update too. Finishing a full build first kept the index lock, the CPU and the
        build workers busy for seconds after the server was gone, and a graceful stop between
        updates (watcher threads, interpreter shutdown) outlived a killed server by over 10 s on
        a loaded machine. Nothing is lost: every write is safe to cut short — a build is switched
        in by one rename, an update by one replace of the manifest, the lock dies with the
        process, the build workers die with it (search.writer), the next start clears what a cut
        build left and indexes the files changed meanwhile."""
        os._exit(128 + signum)

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            # after a failure, look again soon: once space is freed the index catches up by itself
            woken = self._wake.wait(0 if first else RETRY if self.error else self.safety_interval)
            if woken and not first:
                self._stop.wait(DEBOUNCE)
            self._wake.clear()
            if self._stop.is_set():
                break
            with self._lock:
                everything = self._everything or not woken
                paths, self._pending, self._everything = sorted(self._pending), set(), False
                since, self._since = self._since, None
                others, self._others = self._others, False
                self._busy = True
            try:
                self.update_now(None if everything else paths, only_if_changed=bool(paths) and not others)
                if since is not None:
                    log.info("keeper: %.2fs from a change reported to the index updated", time.monotonic() - since)
                self.take_dates()
            finally:
                with self._lock:
                    self._busy = False
            first = False

    def take_dates(self, today: dt.date | None = None) -> None:
        """Once a day, and at the first pass: index again the articles whose status a date
        changes (kb.lifecycle.dated), so that a repeal announced ahead (``repealed_on``) leaves
        search on its day though nobody saved the file again."""
        today = today or dt.date.today()
        if today == self._day or not self.engine.ready():
            return
        self._day = today
        due = [a.rel_path for a in lifecycle.dated(self.store.catalog().articles)]
        if not due:
            return
        try:
            self.engine.update(due, force=True)
            content_changed(self.instance_path, self.root)
        except Exception:  # noqa: BLE001 — tried again at the next day's pass; saves still index
            log.exception("could not index the dated articles again")
            self._day = None

    def idle(self) -> bool:
        """Nothing reported that is not indexed yet, and no update under way."""
        with self._lock:
            return not (self._busy or self._pending or self._everything or self._wake.is_set())
