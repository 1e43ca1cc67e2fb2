"""A content folder inside another git repository, served from a copy with a history of its own.

The bundled ``content/`` sits inside the project's own repository. Served in place, the site
could not commit a save without putting site edits into the project's history (so it did not,
and 修改历史 showed the project's development commits instead of the editors' saves). Served
from a copy in the site's instance folder — a git repository of its own, seeded from the folder
on first start — every save is a commit with the editor's name and message, the article's
history holds only its own changes, and the project's repository is never touched.

The folder it came from keeps moving (the project's commits, a developer's edits): at each start
its files are taken as a new snapshot on the copy's ``bundled`` branch and merged into the
copy. What the site changed itself is kept; when both changed the same lines, the merge is
abandoned, the site's version stays, and the log says which files.

A folder that is a repository of its own (or is in none: the site makes it one) is served in
place, as is one whose parent repository the site is asked to commit to
(``history_in_parent_repo``). A content folder that is a clone of a shared remote (several
nodes, one content) is a repository of its own, so it is served in place too.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

from .history import SITE_IDENTITY, History, HistoryError, _git, _identity

log = logging.getLogger(__name__)

FOLDER = "content"  # the copy, in the instance folder
BRANCH = "bundled"  # snapshots of the folder the copy came from
SKIPPED = (".git", ".kb-locks", "*.saving")
IGNORE = ".kb-locks/\n*.saving\n"


def needs_copy(source: Path, commit_in_parent: bool) -> bool:
    """The folder is inside another repository and the site may not commit there."""
    return not commit_in_parent and Path(source).is_dir() and History(Path(source)).mode() == "parent"


def prepare_copy(source: Path, copy: Path) -> bool:
    """Make ``copy`` from ``source`` if it is not there yet, else take in what changed in
    ``source`` since. True when the copy exists afterwards (git failing leaves none)."""
    if (copy / ".git").is_dir():
        try:
            take_in(source, copy)
        except HistoryError as exc:
            log.error("could not take in the changes of %s: %s", source, exc)
        return True
    try:
        seed(source, copy)
        return True
    except (HistoryError, OSError) as exc:
        log.error("could not copy %s to %s: %s", source, copy, exc)
        shutil.rmtree(copy, ignore_errors=True)
        return False


def seed(source: Path, copy: Path) -> None:
    """The first start: the folder's files in a new repository, one first commit, and the
    ``bundled`` branch at it."""
    log.info("serving %s from a copy with its own history: %s", source, copy)
    tmp = copy.with_name(copy.name + ".seeding")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source, tmp, ignore=shutil.ignore_patterns(*SKIPPED), symlinks=True)
    (tmp / ".gitignore").write_text(IGNORE, encoding="utf-8")
    _git(tmp, "init", "-q")
    _git(tmp, "add", "-A", ".", timeout=None)
    _git(tmp, "commit", "-q", "--no-verify", "--allow-empty", "-m", f"开始记录历史：来自 {source} 的文章",
         env=_identity(*SITE_IDENTITY), timeout=None)
    _git(tmp, "branch", BRANCH)
    tmp.rename(copy)


def take_in(source: Path, copy: Path) -> str | None:
    """Snapshot ``source`` on the ``bundled`` branch and merge it into the copy: the new
    snapshot's commit, or None when nothing changed there."""
    index = copy / ".git" / "kb-bundled-index"
    source = Path(source).resolve()
    # git's own view of the folder: its files as they are now, through a temporary index
    env = {"GIT_DIR": str((copy / ".git").resolve()), "GIT_WORK_TREE": str(source), "GIT_INDEX_FILE": str(index)}
    index.unlink(missing_ok=True)
    try:
        _git(source, "add", "-A", "--", ".", ":(exclude).kb-locks", ":(exclude)*.saving", ":(exclude).gitignore",
             env=env, timeout=None)
        tree = _git(source, "write-tree", env=env).stdout.decode().strip()
    finally:
        index.unlink(missing_ok=True)
    before = _git(copy, "rev-parse", f"{BRANCH}^{{tree}}").stdout.decode().strip()
    with_ignore = _tree_with_ignore(copy, tree)
    if with_ignore == before:
        return None
    parent = _git(copy, "rev-parse", BRANCH).stdout.decode().strip()
    commit = _git(copy, "commit-tree", with_ignore, "-p", parent, "-m", f"来自 {source} 的文章有更新",
                  env=_identity(*SITE_IDENTITY)).stdout.decode().strip()
    _git(copy, "update-ref", f"refs/heads/{BRANCH}", commit, parent)
    merged = _git(copy, "merge", "-q", "--no-edit", "--no-verify", "-m", f"并入 {source} 的更新", BRANCH,
                  env=_identity(*SITE_IDENTITY), check=False)
    if merged.returncode != 0:
        conflicts = _git(copy, "diff", "--name-only", "--diff-filter=U", check=False).stdout.decode().split()
        _git(copy, "merge", "--abort", check=False)
        log.warning("%s changed what the site changed too; the site's version is kept: %s", source,
                    ", ".join(conflicts) or merged.stderr.decode("utf-8", "replace").strip())
    else:
        log.info("took in the changes of %s", source)
    return commit


def _tree_with_ignore(copy: Path, tree: str) -> str:
    """``tree`` with the copy's own .gitignore added (the folder it came from has none)."""
    index = copy / ".git" / "kb-bundled-index"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        _git(copy, "read-tree", tree, env=env)
        blob = _git(copy, "hash-object", "-w", ".gitignore").stdout.decode().strip()
        _git(copy, "update-index", "--add", "--cacheinfo", f"100644,{blob},.gitignore", env=env)
        return _git(copy, "write-tree", env=env).stdout.decode().strip()
    finally:
        index.unlink(missing_ok=True)
