"""Images of an imported document waiting for their article to be saved.

An import used to write its images straight into ``content/_media`` — served to anyone, kept
out of git — before anything was saved: a 234 KB .docx with 40 distinct 4.9 MB images put
188 MB there in 0.7 s (issue 16). Now they wait in the instance folder (``drafts``, not in the
content folder, not served to readers) and move to the media folder only when an article that
shows them is saved, in the same commit. The drafts area is bounded:

- ``PER_IMPORT`` bytes of images from one document (the rest are left out, with a note);
- ``TOTAL`` bytes in all: when it is full the oldest images go first, and when every image is
  recent, new ones are left out;
- images nobody saved within ``KEEP`` are removed (at every import, and at start).

Names are the images' content hashes (``kb.importing``), so the same image imported twice is
kept once and an image already published is not staged again.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import time
from pathlib import Path

log = logging.getLogger(__name__)

PER_IMPORT = 50_000_000
TOTAL = 200_000_000
KEEP = dt.timedelta(hours=48)


class DraftMedia:
    """The drafts area at ``folder``."""

    def __init__(self, folder: Path, total: int | None = None, keep: dt.timedelta | None = None):
        self.folder = Path(folder)
        self.total = TOTAL if total is None else total
        self.keep = KEEP if keep is None else keep

    def _files(self) -> list[tuple[float, int, Path]]:
        """(modified, size, path) of every staged image, oldest first."""
        found = []
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return []
        for entry in entries:
            try:
                stat = entry.stat()
            except FileNotFoundError:
                continue
            if entry.is_file():
                found.append((stat.st_mtime, stat.st_size, Path(entry.path)))
        return sorted(found)

    def sweep(self) -> int:
        """Remove images older than ``keep``; the number removed."""
        cutoff = time.time() - self.keep.total_seconds()
        gone = 0
        for modified, _size, path in self._files():
            if modified < cutoff:
                path.unlink(missing_ok=True)
                gone += 1
        if gone:
            log.info("removed %d imported images no article was saved with", gone)
        return gone

    def used(self) -> int:
        return sum(size for _, size, _ in self._files())

    def put(self, source: Path, name: str) -> bool:
        """Stage ``source`` as ``name``; False when the drafts area has no room for it even
        after making room (the oldest images go first, but never one staged in the last hour:
        it may belong to an import being edited now)."""
        target = self.folder / name
        if target.exists():
            os.utime(target)  # staged again: kept as long as the newest import that has it
            return True
        size = source.stat().st_size
        files = self._files()
        used = sum(s for _, s, _ in files)
        recent = time.time() - 3600
        for modified, old_size, path in files:
            if used + size <= self.total or modified > recent:
                break
            path.unlink(missing_ok=True)
            used -= old_size
        if used + size > self.total:
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f".{name}.{os.getpid()}"
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
        return True

    def path(self, name: str) -> Path | None:
        """The staged image ``name`` (a plain file name only), or None."""
        if not name or "/" in name or name.startswith("."):
            return None
        path = self.folder / name
        return path if path.is_file() else None

    def publish(self, names: list[str], media_dir: Path) -> list[str]:
        """Copy the staged images among ``names`` into ``media_dir`` (an article that shows
        them is being saved); the names now in the media folder."""
        published = []
        for name in dict.fromkeys(names):
            if not name or "/" in name or name.startswith("."):
                continue
            target = Path(media_dir) / name
            staged = self.path(name)
            if staged is not None and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".{name}.{os.getpid()}")
                shutil.copyfile(staged, tmp)
                os.replace(tmp, target)
            if target.is_file():
                published.append(name)
        return published
