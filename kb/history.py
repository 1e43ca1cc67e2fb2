"""The history of the content folder, kept in git: every save from the browser is a commit.

We run the ``git`` command rather than use dulwich: git is already how file dates are read
(kb.filedates), every office that keeps files in git has it, it handles its own index lock
and repository formats (packs, worktrees, sparse checkouts) that a pure-Python reimplementation
follows late, and ``git log --follow`` over a long history is fast in C.

Which folder is committed to:

- the content folder is the root of a repository: commits go there;
- it is in no repository: one is created on first start (``prepare``), with the files that
  are there as the first commit;
- it is inside *another* repository (the bundled ``content/`` lives in the project's own
  repository): nothing is created and, unless ``history_in_parent_repo`` is set, the site does
  not commit into that repository behind its owners' backs. Its history is still shown.

A save is the truth, git the record: a commit runs after the file is written, inside the
save's own locks (so the committed bytes are the saved ones) and under one lock for the whole
repository (several worker processes commit); when git fails the save stands and the error
is reported to the editor and logged.

History heals (issue 16): a process killed during a commit (kill -9, the OOM killer, a power
cut) leaves git's ``index.lock`` behind, and git then refuses every later commit with
「index.lock: File exists」 while the files stay uncommitted and nothing else tells. So:

- each commit is first written down in a journal (``.kb-locks/history-pending/``) and struck
  off once git has made it; what a crash or an error leaves there is committed — with its own
  author and change note — at the next start (``prepare``) and before the next commit;
- git's lock files are removed when they are stale: only under our own commit lock (so no
  commit of ours is running), only when no live git process works in this repository
  (``/proc``: its working folder), and only when older than ``STALE_SECONDS``;
- ``trouble`` says, cheaply enough for every page an editor opens, whether saves are waiting
  to be recorded and why: ``/healthz`` and the editors' banner show it.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

GIT_TIMEOUT = 30
REV = re.compile(r"^[0-9a-f]{7,64}$")
SITE_IDENTITY = ("办公室知识库", "kb@localhost")
FIELD, RECORD = "\x1f", "\x1e"
LOCK_DIR = ".kb-locks"  # shared with kb.saving; ignored by git
PENDING = "history-pending"  # the journal of commits not made yet
#: git's lock files a killed git can leave (and refs/**/*.lock). A lock made less than this
#: before we looked for git processes may belong to one that started just after the look.
LOCK_FILES = ("index.lock", "HEAD.lock", "ORIG_HEAD.lock", "packed-refs.lock", "config.lock")
STALE_SECONDS = 0.5
#: Without /proc (not Linux) no process can be seen: a lock is stale only after this long.
STALE_SECONDS_BLIND = 600.0
#: A journal entry this old is not a commit under way but one that failed.
PENDING_GRACE = 30.0
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Author:
    """Who makes a change: the name and address its commit carries."""

    name: str
    email: str

    @classmethod
    def named(cls, name: str) -> "Author":
        name = name or "访客"
        return cls(name, f"{name}@users.office-kb.invalid")


class HistoryError(RuntimeError):
    """git failed; the message says what happened (for the editor and the log)."""


class RemoteConflict(HistoryError):
    """Another node saved the same file first (kb.remote): this save was taken back and the file
    is the other node's version again; the editor gets the conflict page with their text.
    ``changed``: the files the other node's commits brought (the article among them), to index."""

    def __init__(self, message: str, changed: list[str] | None = None):
        super().__init__(message)
        self.changed = list(changed or [])


@dataclass(frozen=True)
class Change:
    rev: str
    author: str
    email: str
    when: dt.datetime
    message: str
    paths: list[str] = field(default_factory=list)  # relative to the content folder

    @property
    def short(self) -> str:
        return self.rev[:8]


def _git(cwd: Path, *args: str, env: dict | None = None, check: bool = True,
         timeout: float | None = GIT_TIMEOUT) -> subprocess.CompletedProcess:
    command = ["git", "-c", "core.quotepath=off", "-c", "safe.directory=*", *args]
    try:
        run = subprocess.run(command, cwd=cwd, capture_output=True, timeout=timeout,
                             env={**os.environ, "LC_ALL": "C.UTF-8", **(env or {})}, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:  # ValueError: a NUL in an argument
        raise HistoryError(f"无法运行 git：{exc}") from exc
    if check and run.returncode != 0:
        raise HistoryError(run.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} 失败")
    return run


class History:
    """The git history of the content folder at ``root``."""

    def __init__(self, root: Path, commit_in_parent: bool = False):
        self.root = Path(root)
        self.commit_in_parent = commit_in_parent
        self._held = threading.local()  # how deep this thread is inside ``locked``
        self._git_dir: Path | None = None

    # --- where we are -------------------------------------------------------------------
    def toplevel(self) -> Path | None:
        try:
            run = _git(self.root, "rev-parse", "--show-toplevel", check=False)
        except HistoryError:
            return None
        if run.returncode != 0:
            return None
        return Path(run.stdout.decode().strip()).resolve()

    def mode(self) -> str:
        """"own" (the folder is a repository's root), "parent" (inside another repository),
        "none" (no repository, or no git)."""
        top = self.toplevel()
        if top is None:
            return "none"
        return "own" if top == self.root.resolve() else "parent"

    @property
    def commits(self) -> bool:
        """Saves from the browser become commits."""
        mode = self.mode()
        return mode == "own" or (mode == "parent" and self.commit_in_parent)

    def prepare(self) -> None:
        """First-start work: make the content folder a repository if it is in none, with every
        file already there in its first commit; then ``recover`` what a crash left. That first
        commit has no time limit: 50,000 articles (400 MB) take git over a minute, once. If it
        fails, the half-made repository is removed, so the next start tries again instead of
        keeping a repository without the files (and a stale index.lock that would fail every
        later save's commit)."""
        if not self.root.is_dir():
            return
        if self.mode() == "none":
            self._create()
        self.recover()

    def _create(self) -> None:
        git_dir = self.root / ".git"
        ours = not git_dir.exists()  # never remove a .git that was there before
        try:
            _git(self.root, "init", "-q")
            ignore = self.root / ".gitignore"
            if not ignore.exists():
                ignore.write_text(f"{LOCK_DIR}/\n*.saving\n", encoding="utf-8")
            log.info("recording the files of %s in a new git repository (first start only) …", self.root)
            with self._lock():
                _git(self.root, "add", "-A", ".", timeout=None)
                _git(self.root, "commit", "-q", "--no-verify", "--allow-empty", "-m", "开始记录历史：已有的文件",
                     env=_identity(*SITE_IDENTITY), timeout=None)
            log.info("content folder %s is now a git repository", self.root)
        except HistoryError:
            log.exception("cannot create a git repository in %s; the next start tries again", self.root)
            if ours:
                shutil.rmtree(git_dir, ignore_errors=True)

    def recover(self) -> int:
        """Remove stale git locks and commit the saves a crash or a git error left out of the
        history; the number of those committed. Never raises: what still fails stays in the
        journal, and ``trouble`` says so."""
        if not self.commits:
            return 0
        try:
            with self._lock():
                self._heal()
                return self._commit_pending()
        except (HistoryError, OSError) as exc:
            log.error("history of %s: could not recover: %s", self.root, exc)
            return 0

    # --- writing ------------------------------------------------------------------------
    def _locks_folder(self) -> Path:
        folder = self.root / LOCK_DIR
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        return folder

    @contextlib.contextmanager
    def locked(self):
        """One change of the repository at a time across threads and processes (git's own
        index.lock makes a second committer fail instead of wait). Re-entrant within a thread:
        a save holds it from comparing the file to pushing its commit (kb.remote), and the commit
        inside takes it again."""
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth = depth
            return
        with open(self._locks_folder() / "git.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0

    _lock = locked

    def commit(self, paths: list[str], author: str, email: str, message: str) -> str | None:
        """Commit ``paths`` (relative to the content folder) as they are on disk now; the new
        revision, or None when nothing changed. Raises HistoryError; the commit then stays in
        the journal and is made before the next one, or at the next start."""
        if not self.commits:
            return None
        message = _CONTROL.sub("", message).strip() or "修改 " + "、".join(paths)
        with self._lock():
            entry = self._write_pending(paths, author, email, message)
            try:
                self._heal()
                self._commit_pending(skip=entry)
                revision = self._commit(paths, author, email, message)
            except HistoryError as exc:
                self._note_failure(entry, exc)
                raise
            entry.unlink(missing_ok=True)
            return revision

    def _commit(self, paths: list[str], author: str, email: str, message: str) -> str | None:
        paths = self._known(paths)
        if not paths:
            return None
        _git(self.root, "add", "-A", "--", *paths)
        staged = _git(self.root, "diff", "--cached", "--quiet", "--", *paths, check=False)
        if staged.returncode == 0:
            return None
        env = {**_identity(author, email), "GIT_COMMITTER_NAME": SITE_IDENTITY[0],
               "GIT_COMMITTER_EMAIL": SITE_IDENTITY[1]}
        _git(self.root, "commit", "-q", "--no-verify", "-m", message, "--", *paths, env=env)
        return _git(self.root, "rev-parse", "HEAD").stdout.decode().strip()

    def _known(self, paths: list[str]) -> list[str]:
        """The paths git can take: on disk, or tracked (a deletion). A path neither — an entry
        of the journal whose file was removed since, never committed — would fail the commit."""
        on_disk = [p for p in paths if (self.root / p).exists()]
        rest = [p for p in paths if p not in on_disk]
        if rest:
            run = _git(self.root, "ls-files", "-z", "--", *rest, check=False)
            tracked = set(run.stdout.decode("utf-8", "replace").split("\0"))
            on_disk += [p for p in rest if p in tracked]
        return on_disk

    # --- the journal of commits to make -------------------------------------------------------
    def _pending_folder(self) -> Path:
        folder = self._locks_folder() / PENDING
        folder.mkdir(exist_ok=True)
        return folder

    def _write_pending(self, paths: list[str], author: str, email: str, message: str) -> Path:
        entry = self._pending_folder() / f"{time.time_ns():020d}-{secrets.token_hex(4)}.json"
        record = {"paths": paths, "author": author, "email": email, "message": message, "error": None}
        tmp = entry.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, entry)
        return entry

    @staticmethod
    def _note_failure(entry: Path, exc: Exception) -> None:
        with contextlib.suppress(OSError, ValueError):
            record = json.loads(entry.read_text(encoding="utf-8"))
            record["error"] = str(exc)[:500]
            entry.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")

    def _pending(self) -> list[Path]:
        folder = self.root / LOCK_DIR / PENDING
        try:
            return sorted(folder.glob("*.json"))
        except OSError:
            return []

    def _commit_pending(self, skip: Path | None = None) -> int:
        """Commit the journal's entries, oldest first, each as its author saved it; call with
        the lock held. One that fails again stays (and the others are still tried)."""
        done = 0
        for entry in self._pending():
            if entry == skip:
                continue
            try:
                record = json.loads(entry.read_text(encoding="utf-8"))
                paths = [str(p) for p in record["paths"]]
            except (OSError, ValueError, KeyError, TypeError):
                log.error("history: unreadable journal entry %s removed", entry.name)
                entry.unlink(missing_ok=True)
                continue
            try:
                revision = self._commit(paths, record.get("author") or SITE_IDENTITY[0],
                                        record.get("email") or SITE_IDENTITY[1],
                                        record.get("message") or "补记：" + "、".join(paths))
            except HistoryError as exc:
                log.error("history: a save of %s is still not recorded: %s", "、".join(paths), exc)
                self._note_failure(entry, exc)
                continue
            entry.unlink(missing_ok=True)
            done += 1
            log.warning("history: recorded a save of %s left out earlier (%s)", "、".join(paths), revision or "no change")
        return done

    # --- git's own locks ------------------------------------------------------------------------
    def git_dir(self) -> Path | None:
        """The repository's git folder (``.git``, or the parent repository's), found once."""
        if self._git_dir is None:
            try:
                run = _git(self.root, "rev-parse", "--absolute-git-dir", check=False)
            except HistoryError:
                return None
            if run.returncode != 0:
                return None
            self._git_dir = Path(run.stdout.decode().strip())
        return self._git_dir

    def _lock_files(self) -> list[Path]:
        folder = self.git_dir()
        if folder is None:
            return []
        found = [folder / name for name in LOCK_FILES if (folder / name).exists()]
        with contextlib.suppress(OSError):
            found += list((folder / "refs").rglob("*.lock"))
        return found

    def _heal(self) -> list[str]:
        """Remove git's lock files that no live process holds (see the module's docstring);
        call with our commit lock held. The names of those removed.

        The processes are looked at first, then the locks: a lock made before that look by a
        git that was not running at it was left by a dead one; a lock younger than the look
        (less ``STALE_SECONDS`` for coarse file times) may be a git that has just started."""
        locks = self._lock_files()
        if not locks:
            return []
        blind = not Path("/proc/self").exists()
        looked = time.time()
        if not blind and git_running([self.root, self.git_dir()]):
            log.warning("history: %s present, but a git process is working in %s: left alone",
                        ", ".join(p.name for p in locks), self.root)
            return []
        removed = []
        for path in locks:
            try:
                made = path.stat().st_mtime
            except FileNotFoundError:
                continue
            if made > looked - (STALE_SECONDS_BLIND if blind else STALE_SECONDS):
                continue
            path.unlink(missing_ok=True)
            removed.append(path.name)
            log.warning("history: removed git's stale %s (%.1f s old, left by a git process that died)",
                        path, looked - made)
        return removed

    def trouble(self) -> str | None:
        """Why saves are not being recorded, for /healthz and the editors' banner; None when all
        is well. Reads a folder and stats a file (no git): cheap enough for every page."""
        entries = [e for e in self._pending() if _age(e) > PENDING_GRACE]
        if entries:
            error = None
            for entry in reversed(entries):
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    error = error or json.loads(entry.read_text(encoding="utf-8")).get("error")
            return f"有 {len(entries)} 次保存没有记入修改历史" + (f"（git 出错：{error}）" if error else "")
        folder = self._git_dir or self.root / ".git"
        lock = folder / "index.lock" if folder.is_dir() else None
        if lock is not None and _age(lock) > PENDING_GRACE:
            return f"git 的锁文件 {lock.name} 已存在 {_age(lock):.0f} 秒，保存可能无法记入修改历史"
        return None

    # --- reading ------------------------------------------------------------------------
    def log(self, rel_path: str | None = None, limit: int = 50, offset: int = 0) -> list[Change]:
        """Newest first; one file's changes (following renames), or the whole folder's."""
        if self.mode() == "none":
            return []
        args = ["log", f"--max-count={limit}", f"--skip={offset}", "--no-renames" if rel_path is None else "--follow",
                "--relative", "--name-only", "-z",
                f"--format={RECORD}%H{FIELD}%an{FIELD}%ae{FIELD}%aI{FIELD}%s"]
        run = _git(self.root, *args, "--", rel_path or ".", check=False)
        if run.returncode != 0:  # no commits yet
            return []
        return _parse_log(run.stdout.decode("utf-8", "replace"))

    def paths_of(self, revs: list[str]) -> dict[str, list[str]]:
        """rev -> every file each of these commits touched (a file's own log names only that
        file), relative to the content folder."""
        revs = [r for r in dict.fromkeys(revs) if REV.match(r)]
        if not revs or self.mode() == "none":
            return {}
        run = _git(self.root, "log", "--no-walk=unsorted", "--no-renames", "--relative", "--name-only", "-z",
                   f"--format={RECORD}%H{FIELD}%an{FIELD}%ae{FIELD}%aI{FIELD}%s", *revs, "--", ".", check=False)
        if run.returncode != 0:
            return {}
        return {c.rev: c.paths for c in _parse_log(run.stdout.decode("utf-8", "replace"))}

    def show(self, rev: str, rel_path: str) -> str | None:
        """The file as it was at ``rev``, or None."""
        if not REV.match(rev):
            return None
        run = _git(self.root, "show", f"{rev}:./{rel_path}", check=False)
        if run.returncode != 0:
            return None
        return run.stdout.decode("utf-8", "replace")

    def path_at(self, rev: str, rel_path: str) -> str | None:
        """Where the file now at ``rel_path`` was at ``rev`` (it may have been renamed since)."""
        if not REV.match(rev):
            return None
        for change in self.log(rel_path, limit=1000):
            if change.rev.startswith(rev) or rev.startswith(change.rev):
                return change.paths[0] if change.paths else rel_path
        return None

    def version(self, rev: str, rel_path: str) -> tuple[Change, str] | None:
        """(the change, the text of the file then) for one revision in the file's history."""
        if not REV.match(rev):
            return None
        for change in self.log(rel_path, limit=1000):
            if change.rev.startswith(rev):
                text = self.show(change.rev, change.paths[0] if change.paths else rel_path)
                return (change, text) if text is not None else None
        return None


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return -1.0


def git_running(folders: list[Path | None]) -> bool:
    """A live git process (other than this one) works in one of ``folders``: its working
    folder is one of them or inside one. Processes of other users cannot be read and do not
    count (they cannot write this repository's lock either)."""
    roots = [str(Path(f).resolve()) for f in folders if f is not None]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if not (entry / "comm").read_text().startswith("git"):
                continue
            cwd = os.readlink(entry / "cwd")
            command = (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        if _subcommand(command) in READ_ONLY:
            continue
        if any(cwd == r or cwd.startswith(r + "/") for r in roots):
            return True
    return False


#: git commands that never take the index lock (the site runs them all the time: file dates,
#: history pages); ``git status`` and ``git diff`` may refresh the index, so they count.
READ_ONLY = {"log", "show", "rev-parse", "ls-files", "cat-file", "rev-list", "blame", "--version"}


def _subcommand(argv: list[str]) -> str:
    args = iter(argv[1:])
    for arg in args:
        if arg in ("-c", "-C"):
            next(args, None)
        elif arg == "--version" or not arg.startswith("-"):
            return arg
    return ""


def _identity(name: str, email: str) -> dict:
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


def _parse_log(output: str) -> list[Change]:
    changes = []
    for record in output.split(RECORD):
        if not record.strip("\0\n"):
            continue
        head, _, names = record.partition("\0")  # -z ends the header with NUL, then the names
        parts = head.split(FIELD)
        if len(parts) != 5:
            continue
        rev, author, email, when, subject = parts
        paths = [n.strip("\n") for n in names.split("\0") if n.strip("\n")]
        changes.append(Change(rev, author, email, dt.datetime.fromisoformat(when), subject, paths))
    return changes
