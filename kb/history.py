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
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

GIT_TIMEOUT = 30
REV = re.compile(r"^[0-9a-f]{7,64}$")
SITE_IDENTITY = ("办公室知识库", "kb@localhost")
FIELD, RECORD = "\x1f", "\x1e"


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
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HistoryError(f"无法运行 git：{exc}") from exc
    if check and run.returncode != 0:
        raise HistoryError(run.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} 失败")
    return run


class History:
    """The git history of the content folder at ``root``."""

    def __init__(self, root: Path, commit_in_parent: bool = False):
        self.root = Path(root)
        self.commit_in_parent = commit_in_parent

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
        """Make the content folder a repository if it is in none (first start), with every
        file already there in its first commit. That commit has no time limit: 50,000 articles
        (400 MB) take git over a minute, once. If it fails, the half-made repository is removed,
        so the next start tries again instead of keeping a repository without the files (and a
        stale index.lock that would fail every later save's commit)."""
        if not self.root.is_dir() or self.mode() != "none":
            return
        git_dir = self.root / ".git"
        ours = not git_dir.exists()  # never remove a .git that was there before
        try:
            _git(self.root, "init", "-q")
            ignore = self.root / ".gitignore"
            if not ignore.exists():
                ignore.write_text(".kb-locks/\n*.saving\n", encoding="utf-8")
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

    # --- writing ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self):
        """One commit at a time across threads and processes (git's own index.lock makes a
        second committer fail instead of wait)."""
        folder = self.root / ".kb-locks"
        folder.mkdir(exist_ok=True)
        with open(folder / "git.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def commit(self, paths: list[str], author: str, email: str, message: str) -> str | None:
        """Commit ``paths`` (relative to the content folder) as they are on disk now; the new
        revision, or None when nothing changed. Raises HistoryError."""
        if not self.commits:
            return None
        message = message.strip() or "修改 " + "、".join(paths)
        with self._lock():
            _git(self.root, "add", "-A", "--", *paths)
            staged = _git(self.root, "diff", "--cached", "--quiet", "--", *paths, check=False)
            if staged.returncode == 0:
                return None
            env = {**_identity(author, email), "GIT_COMMITTER_NAME": SITE_IDENTITY[0],
                   "GIT_COMMITTER_EMAIL": SITE_IDENTITY[1]}
            _git(self.root, "commit", "-q", "--no-verify", "-m", message, "--", *paths, env=env)
            return _git(self.root, "rev-parse", "HEAD").stdout.decode().strip()

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
