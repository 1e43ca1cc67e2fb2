"""Synonyms editors maintain in ``content/_synonyms.txt``: one group of words per line that
staff use for the same thing, e.g. ``会议 开会 办会``. A query word of a group also looks for the
others, weighted below the word itself. Read again whenever the file changes; no re-index."""
from __future__ import annotations

from pathlib import Path

from .folding import fold

WEIGHT = 0.6  # a synonym's match, relative to the word typed


class Synonyms:
    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self._stamp = None
        self._groups: dict[str, list[str]] = {}

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except (OSError, AttributeError):
            self._groups, self._stamp = {}, None
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        groups: dict[str, list[str]] = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            words = [fold(w.strip().lower()) for w in line.split("#", 1)[0].replace("，", " ").replace(",", " ").split()]
            for w in words:
                groups.setdefault(w, [])
                groups[w] += [o for o in words if o != w and o not in groups[w]]
        self._groups, self._stamp = groups, stamp

    def of(self, word: str) -> list[str]:
        self._reload()
        return self._groups.get(word, [])
