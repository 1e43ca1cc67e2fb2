"""Finding files in a content folder: a walk that never goes into a folder whose name starts
with "." or "_" — git's own (.git), the site's locks, media, drafts and reading paths — none of
which holds articles or folders' settings files.

Walking into .git was not only wasted (tens of thousands of git's objects on a clone): on a node
of several, git's housekeeping after a fetch removes folders under .git/objects while a walk is
in them, and the walk's FileNotFoundError answered an editor's save with a server error (twice in
27 saves of the two-node benchmark). A folder removed during this walk is passed over.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable


def visible_files(root: Path, wanted: Callable[[str], bool]) -> list[Path]:
    """The files under ``root`` whose name ``wanted`` accepts, outside hidden folders, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):  # errors (a folder gone meanwhile) are passed over
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        found += [Path(folder) / name for name in files if wanted(name)]
    return sorted(found)
