"""When a content file changed: from git when the content folder is in a repository, else the
file's modification time. Used for the ``updated`` of a file that does not give one, and to
tell the older of two files that claim the same slug.

A whole-folder load asks git once (``git log --name-only`` over the folder; the first commit
listed for a file is its last change, the last one listed is the commit that added it), not
once per file. A single file loaded on its own asks about that file only.
"""
from __future__ import annotations

import datetime as dt
import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

GIT_TIMEOUT = 20  # seconds; a history too long for that is treated as no history

FROM_GIT = "最后一次 git 提交"
FROM_MTIME = "文件修改时间"


def _git_log(root: Path, *args: str) -> str | None:
    """Output of ``git log`` over ``root``, or None when root is not in a repository (or git
    is missing, or refuses the folder)."""
    command = ["git", "-C", str(root), "log", "--format=format:%x01%cs", "-z", "--name-only",
               "--no-renames", "--relative", *args]
    try:
        run = subprocess.run(command, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("no git dates for %s: %s", root, exc)
        return None
    if run.returncode != 0:
        return None
    return run.stdout.decode("utf-8", "replace")


def _parse_log(output: str) -> tuple[dict[str, dt.date], dict[str, dt.date]]:
    """(last change, first commit) of each file, from newest-first ``git log`` output."""
    last: dict[str, dt.date] = {}
    first: dict[str, dt.date] = {}
    for chunk in output.split("\x01"):
        if not chunk:
            continue
        try:
            day = dt.date.fromisoformat(chunk[:10])
        except ValueError:
            continue
        for name in chunk[11:].split("\0"):
            name = name.strip("\n")
            if name:
                last.setdefault(name, day)
                first[name] = day
    return last, first


def _mtime(path: Path) -> dt.date:
    return dt.date.fromtimestamp(path.stat().st_mtime)


class FileDates:
    """Dates of the files under ``root``; git is asked at the first question, not before."""

    def __init__(self, root: Path, whole_folder: bool = True):
        self.root = Path(root)
        self.whole_folder = whole_folder
        self._logs: tuple[dict, dict] | None = None
        self._asked = False

    def _folder(self) -> tuple[dict, dict] | None:
        if not self._asked:
            self._asked = True
            output = _git_log(self.root, "--", ".")
            self._logs = _parse_log(output) if output is not None else None
        return self._logs

    def _logs_for(self, rel: str) -> tuple[dict, dict] | None:
        if self.whole_folder:
            return self._folder()
        output = _git_log(self.root, "--", rel)
        return _parse_log(output) if output is not None else None

    def updated(self, path: Path, rel: str) -> tuple[dt.date, str]:
        """The day ``path`` last changed and where that date comes from (for the note)."""
        logs = self._logs_for(rel)
        if logs and rel in logs[0]:
            return logs[0][rel], FROM_GIT
        return _mtime(path), FROM_MTIME

    def created(self, path: Path, rel: str) -> dt.date:
        """The day ``path`` was first committed, else its modification time."""
        logs = self._logs_for(rel)
        if logs and rel in logs[1]:
            return logs[1][rel]
        return _mtime(path)
