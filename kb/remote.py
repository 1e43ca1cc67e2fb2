"""Several machines, one content: every node's content folder is a clone of one shared git
repository (``content_remote``). A node pushes each save to it and takes the other nodes' saves
from it (``sync``: the keeper, every ``sync_seconds`` and when another node says it pushed).

Git is the arbiter between nodes, as the file locks are between a node's workers: a push is
accepted only on top of what the shared repository has, atomically. So two nodes saving the same
article at once cannot both land. The one whose push is refused fetches, and when the other
node's new commits touched the same file, its own commit is taken back (the file is the other
node's version again) and the editor gets the conflict page with their text kept
(``RemoteConflict``), exactly as for two editors on one node. Commits that touch other files are
put on top of the other node's and pushed again.

A save is the truth, the shared repository the record of all nodes: when the repository cannot
be reached the save stands on this node, the editor is told, /healthz says so, and the keeper
pushes it once the repository answers again. Nothing a node was doing when it was killed is lost
either: a file written but not committed is committed at the next sync, a commit not pushed is
pushed. If meanwhile another node changed the same lines, that commit cannot go on top: it is
kept in the shared repository on a branch of its own (``kb-conflict/…``) and reported, never
dropped.

Nothing here runs without ``content_remote``: one machine keeps its history as before
(kb.history).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .addresses import FILE as ADDRESSES, merge as merge_addresses
from .history import SITE_IDENTITY, History, HistoryError, RemoteConflict, _git, _identity

log = logging.getLogger(__name__)

NAME = "kb"  # the shared repository's name among the clone's remotes
STATUS = "remote.json"  # in the instance folder: what the last exchange with the shared repository said
FETCH_TIMEOUT = 30
PUSH_TRIES = 5
CONFLICTS = "kb-conflict"  # branches of commits that could not go on top of another node's
# Files a save records besides its article that hold one line per article (the addresses
# registry), each with its own rules of merging, (base, ours, theirs) -> the merged text or None.
# Another node's save of another article changes other lines, which git merges; where git cannot
# (neighbouring lines, or two nodes each numbering a new article at once with the same next
# number), the file's rules do. Only when neither can is it the conflict page. Counting them as
# the article gave two editors saving two different articles on two nodes at once, each changing
# a title or a heading, the conflict page for an article nobody else had touched.
MERGERS = {ADDRESSES: merge_addresses}


class RemoteError(HistoryError):
    """The shared repository could not be reached (or refused us for another reason than being
    ahead); the message says why, for the log and the editors' banner."""


@dataclass
class Synced:
    """What one exchange with the shared repository did."""

    changed: list[str] = field(default_factory=list)  # files of the folder that changed here
    pushed: str | None = None  # the commit the shared repository has now, when this node pushed it
    kept_apart: list[str] = field(default_factory=list)  # branches of commits that could not go on top
    error: str | None = None


@dataclass
class RemoteStatus:
    """Kept in the instance folder, so that every process of a node (workers, keeper) reports the
    same: whether the shared repository answered last time, and what this node has not pushed."""

    ok: bool = True
    error: str | None = None
    at: str | None = None
    unpushed: int = 0
    kept_apart: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, folder: Path) -> "RemoteStatus | None":
        try:
            data = json.loads((Path(folder) / STATUS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return cls(**{k: data.get(k) for k in ("ok", "error", "at", "unpushed") if k in data},
                   kept_apart=list(data.get("kept_apart") or []))

    def write(self, folder: Path) -> None:
        path = Path(folder) / STATUS
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{STATUS}.{os.getpid()}.{threading.get_ident()}")
            tmp.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot write %s: %s", path, exc)

    @property
    def problem(self) -> str | None:
        """What the editors and /healthz are told, in Chinese, or None when all is well."""
        if not self.ok:
            pending = f"；本节点有 {self.unpushed} 个保存还没有同步出去，连接恢复后自动同步" if self.unpushed else ""
            return f"无法连接共享的内容仓库（{self.error}）：其他节点的修改暂时看不到{pending}"
        if self.kept_apart:
            return (f"有 {len(self.kept_apart)} 个保存与其他节点同时修改的内容冲突，没有并入，另存在共享仓库的分支 "
                    f"{'、'.join(self.kept_apart[:3])} 里，请管理员处理")
        return None


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class Remote:
    """The shared repository of a content folder that is (or becomes) a clone of it."""

    def __init__(self, history: History, url: str, branch: str = "main", status_folder: Path | None = None):
        self.history = history
        self.root = Path(history.root)
        self.url = url
        self.branch = branch or "main"
        self.status_folder = Path(status_folder) if status_folder else None
        self.node = socket.gethostname()

    @property
    def tracking(self) -> str:
        return f"refs/remotes/{NAME}/{self.branch}"

    # --- a clone of the shared repository -------------------------------------------------------

    def prepare(self) -> None:
        """Make the content folder a clone of the shared repository: cloned when the folder is
        missing or empty; an existing repository gets the shared one as its remote ``kb``. The
        first node whose folder has articles, against an empty shared repository, fills it.
        Raises RemoteError (in Chinese) when that cannot be done."""
        if not self.root.exists() or (self.root.is_dir() and not any(self.root.iterdir())):
            self._clone()
            return
        self.history.prepare()  # a folder of files becomes a repository with them as its first commit
        if self.history.mode() != "own":
            raise RemoteError(f"内容目录 {self.root} 在另一个 git 仓库里面：几台机器共用内容时，每台机器的内容目录应是共享仓库的克隆"
                              f"（把内容目录换成一个空目录，启动时会自动克隆）")
        with self.history.locked():
            remotes = _git(self.root, "remote").stdout.decode().split()
            _git(self.root, "remote", "set-url" if NAME in remotes else "add", NAME, self.url)
            self._checkout_branch()
        self.fetch()
        with self.history.locked():
            if self._rev(self.tracking) is None:
                self._push()  # an empty shared repository: this node's folder is the first content
                return
            if self._rev("HEAD") is None or not self._related():
                raise RemoteError(f"内容目录 {self.root} 的修改历史与共享仓库 {self.url} 的不相关：第二台及以后的机器请从空目录开始"
                                  f"（把这个目录改名，启动时会从共享仓库克隆）")
        self.sync()

    def _clone(self) -> None:
        self.root.parent.mkdir(parents=True, exist_ok=True)
        log.info("cloning the shared content repository %s into %s", self.url, self.root)
        run = _git(self.root.parent, "clone", "-q", "-o", NAME, self.url, str(self.root), check=False, timeout=None)
        if run.returncode != 0:
            raise RemoteError(f"无法从共享仓库 {self.url} 克隆内容：{run.stderr.decode('utf-8', 'replace').strip()}")
        with self.history.locked():
            self._checkout_branch()
            ignore = self.root / ".gitignore"
            if not ignore.exists():
                ignore.write_text(".kb-locks/\n*.saving\n", encoding="utf-8")
                self.history.commit([".gitignore"], *SITE_IDENTITY, "忽略网站的锁文件")
        if self._rev(self.tracking) is None:
            with self.history.locked():
                self._push()

    def _checkout_branch(self) -> None:
        """The clone works on ``branch`` (created from the shared one when it has it)."""
        current = _git(self.root, "symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.decode().strip()
        if current == self.branch:
            return
        if self._rev(self.tracking) is not None and self._rev(f"refs/heads/{self.branch}") is None:
            _git(self.root, "checkout", "-q", "-b", self.branch, "--track", f"{NAME}/{self.branch}")
        elif self._rev("HEAD") is None:
            _git(self.root, "symbolic-ref", "HEAD", f"refs/heads/{self.branch}")
        elif self._rev(f"refs/heads/{self.branch}") is None:
            _git(self.root, "branch", "-m", self.branch)
        else:
            _git(self.root, "checkout", "-q", self.branch)

    # --- exchanging -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _refs_locked(self):
        """One process at a time updates this clone's copy of the shared branch: the keeper's
        fetch and a save's fetch at the same moment fail on git's ref lock otherwise. Taken
        inside the history's lock, never the other way round."""
        folder = self.root / ".kb-locks"
        folder.mkdir(exist_ok=True)
        with open(folder / "fetch.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def fetch(self) -> None:
        """The shared repository's branch as it is now (refs only; the folder is not touched)."""
        with self._refs_locked():
            run = _git(self.root, "fetch", "-q", NAME, f"+refs/heads/{self.branch}:{self.tracking}", check=False,
                       timeout=FETCH_TIMEOUT)
        if run.returncode != 0:
            message = run.stderr.decode("utf-8", "replace").strip().splitlines()
            if message and "couldn't find remote ref" in message[-1]:  # an empty shared repository
                _git(self.root, "update-ref", "-d", self.tracking, check=False)
                return
            raise RemoteError((message[-1] if message else "git fetch 失败")[:300])

    def sync(self) -> Synced:
        """Take the other nodes' commits and push this node's (the keeper's regular look, and the
        first thing after a restart): files written and not committed are committed, commits
        not pushed are put on top of the shared branch and pushed."""
        began = time.perf_counter()
        fetched = locked = began
        try:
            self.fetch()
            fetched = time.perf_counter()
            with self.history.locked():
                locked = time.perf_counter()
                synced = self._exchange()
        except HistoryError as exc:
            synced = Synced(error=str(exc))
        self._report(synced)
        done = time.perf_counter()
        log.info("sync: %d files changed; fetch %.2fs, waiting for the history's lock %.2fs, exchange %.2fs",
                 len(synced.changed), fetched - began, max(0.0, locked - fetched), done - max(locked, fetched))
        return synced

    def publish(self, paths: list[str]) -> Synced:
        """Push the commit just made of ``paths`` (call with the history's lock held, after
        ``History.commit``). Raises RemoteConflict — after taking the commit back, the files
        being the shared repository's again — when another node's new commits changed one of
        ``paths`` meanwhile (of the addresses registry, ``MERGERS``, only changes neither git's
        lines nor its own rules merge); RemoteError when the shared repository cannot be reached (the commit
        stays here, and the keeper pushes it later)."""
        synced = Synced()
        base = self._rev("HEAD~1")
        try:
            for _ in range(PUSH_TRIES):
                if self._push_ok():
                    synced.pushed = self._rev("HEAD")
                    return synced
                self.fetch()
                theirs = set(self._names(f"HEAD...{self.tracking}"))
                both = theirs & set(paths)
                if both and (both - MERGERS.keys() or not (self._merges_cleanly() or self._merges_by_rules(both))):
                    _git(self.root, "reset", "-q", "--hard", base or self.tracking)
                    before = self._rev("HEAD")
                    self._integrate(synced)
                    synced.changed += self._names(f"{before}..HEAD") if before else []
                    raise RemoteConflict("另一个节点同时修改了这篇文章", synced.changed)
                before = self._rev("HEAD")
                self._integrate(synced)
                # the registry merged with theirs differs from what this save wrote: read it again
                synced.changed += [n for n in self._names(f"{before}..HEAD") if n not in paths or n in both]
            raise RemoteError("共享仓库一再拒绝推送（其他节点在同时推送）")
        except RemoteError as exc:
            synced.error = str(exc)
            raise
        finally:
            self._report(synced)

    def _merges_by_rules(self, names: set[str]) -> bool:
        """Whether the rules of ``MERGERS`` merge each of ``names`` — changed here and on the
        shared branch where git's lines cannot merge them — between HEAD and the shared branch."""
        base = _git(self.root, "merge-base", "HEAD", self.tracking, check=False).stdout.decode().strip()
        return bool(base) and all(self._merged(name, base, "HEAD", self.tracking) is not None for name in names)

    def _merged(self, name: str, base: str, ours: str, theirs: str) -> str | None:
        return MERGERS[name](*(self._show(rev, name).decode("utf-8", "replace") for rev in (base, ours, theirs)))

    def _pick_by_rules(self, commit: str) -> bool:
        """A cherry-pick of ``commit`` stopped on conflicts: when they are all in files of
        ``MERGERS`` and the rules merge them (two nodes each numbering a new article at once),
        the pick is completed with the merged files, as its editor's commit."""
        run = _git(self.root, "diff", "--name-only", "-z", "--diff-filter=U", check=False)
        conflicted = [n for n in run.stdout.decode("utf-8", "replace").split("\0") if n]
        if not conflicted or set(conflicted) - set(MERGERS):
            return False
        for name in conflicted:
            text = self._merged(name, f"{commit}~1", commit, "HEAD")
            if text is None:
                return False
            (self.root / name).write_text(text, encoding="utf-8")
        _git(self.root, "add", "--", *conflicted)
        done = _git(self.root, "-c", "core.editor=true", "cherry-pick", "--continue", env=_identity(*SITE_IDENTITY),
                    check=False)
        if done.returncode == 0:
            log.info("%s of %s merged with another node's by its own rules", ", ".join(conflicted), commit[:12])
        return done.returncode == 0

    def _show(self, rev: str, rel: str) -> bytes:
        """The bytes of ``rel`` in ``rev``; none when it has no such file."""
        run = _git(self.root, "show", f"{rev}:{rel}", check=False)
        return run.stdout if run.returncode == 0 else b""

    def _exchange(self) -> Synced:
        """With the lock held and the shared branch fetched: commit stray files, put local
        commits on top of the shared branch, push."""
        synced = Synced()
        before = self._rev("HEAD")
        self.history.recover()  # saves a crash left out of the history, each as its editor's commit
        self._commit_strays()
        if self._rev(self.tracking) is None:  # the shared repository is empty
            self._push()
            synced.pushed = self._rev("HEAD")
            return synced
        for _ in range(PUSH_TRIES):
            self._integrate(synced)
            if not self._count(f"{self.tracking}..HEAD"):
                break
            if self._push_ok():
                synced.pushed = self._rev("HEAD")
                break
            self.fetch()
        synced.changed = self._names(f"{before}..HEAD") if before else self._tracked()
        return synced

    def _integrate(self, synced: Synced) -> None:
        """This node's branch on top of the shared one: a fast-forward when it has nothing of its
        own; else its commits are replayed on top, one by one, and one that cannot be (another
        node changed the same lines) is kept on a branch of its own in the shared repository."""
        shared = self._rev(self.tracking)
        if shared is None or not self._count(f"HEAD..{self.tracking}"):
            return
        mine = self._revs(f"{self.tracking}..HEAD")
        if not mine:
            _git(self.root, "merge", "-q", "--ff-only", self.tracking)
            return
        _git(self.root, "reset", "-q", "--hard", shared)
        for commit in mine:
            picked = _git(self.root, "cherry-pick", "--allow-empty", "--keep-redundant-commits", commit,
                          env=_identity(*SITE_IDENTITY), check=False)
            if picked.returncode != 0 and not self._pick_by_rules(commit):
                _git(self.root, "cherry-pick", "--abort", check=False)
                branch = f"{CONFLICTS}/{self.node}/{commit[:12]}"
                with self._refs_locked():
                    kept = _git(self.root, "push", "-q", NAME, f"{commit}:refs/heads/{branch}", check=False,
                                timeout=FETCH_TIMEOUT)
                log.error("commit %s could not go on top of the shared branch; kept as %s (%s)", commit, branch,
                          "pushed" if kept.returncode == 0 else "NOT pushed: " + kept.stderr.decode().strip())
                synced.kept_apart.append(branch)

    def _commit_strays(self) -> None:
        """Files of the folder changed and not committed (a save cut short after its write, an
        edit by hand): committed, so that they reach the other nodes."""
        _git(self.root, "add", "-A", ".")
        if _git(self.root, "diff", "--cached", "--quiet", check=False).returncode != 0:
            _git(self.root, "commit", "-q", "--no-verify", "-m", "本节点未记入历史的修改（自动补记）",
                 env=_identity(*SITE_IDENTITY))

    def _push(self) -> None:
        with self._refs_locked():
            run = _git(self.root, "push", "-q", NAME, f"HEAD:refs/heads/{self.branch}", check=False,
                       timeout=FETCH_TIMEOUT)
        if run.returncode != 0:
            raise RemoteError(run.stderr.decode("utf-8", "replace").strip()[:300] or "git push 失败")
        self.fetch()

    def _push_ok(self) -> bool:
        """Push; False when refused because the shared branch moved (fetch and try again);
        RemoteError when it cannot be reached at all."""
        if self._rev("HEAD") is None:
            return True
        with self._refs_locked():  # a push updates the clone's copy of the shared branch too
            run = _git(self.root, "push", "-q", "--porcelain", NAME, f"HEAD:refs/heads/{self.branch}", check=False,
                       timeout=FETCH_TIMEOUT)
            if run.returncode == 0:
                _git(self.root, "update-ref", self.tracking, "HEAD")
                return True
        out = (run.stdout + run.stderr).decode("utf-8", "replace")
        if "[rejected]" in out or "non-fast-forward" in out or "fetch first" in out or "[remote rejected]" in out:
            return False
        raise RemoteError(out.strip().splitlines()[-1][:300] if out.strip() else "git push 失败")

    # --- looking --------------------------------------------------------------------------------

    def shared_head(self) -> str | None:
        """The shared branch's last commit as this clone last saw it."""
        return self._rev(self.tracking)

    def _rev(self, name: str) -> str | None:
        run = _git(self.root, "rev-parse", "-q", "--verify", f"{name}^{{commit}}", check=False)
        return (run.stdout.decode().strip() or None) if run.returncode == 0 else None

    def _revs(self, spec: str) -> list[str]:
        return _git(self.root, "rev-list", "--reverse", spec).stdout.decode().split()

    def _count(self, spec: str) -> int:
        return int(_git(self.root, "rev-list", "--count", spec).stdout.decode().strip() or 0)

    def _names(self, spec: str) -> list[str]:
        """Files that differ: ``a..b`` between the two versions; ``a...b`` changed on b's side
        since the two parted."""
        run = _git(self.root, "diff", "--name-only", "--no-renames", "-z", spec, check=False)
        return [n for n in run.stdout.decode("utf-8", "replace").split("\0") if n]

    def _tracked(self) -> list[str]:
        return [n for n in _git(self.root, "ls-files", "-z").stdout.decode("utf-8", "replace").split("\0") if n]

    def _merges_cleanly(self) -> bool:
        """This node's commits and the shared branch's new ones merge without a conflict (git's
        merge of the two, computed apart from the folder, which is left as it is)."""
        return _git(self.root, "merge-tree", "--write-tree", "HEAD", self.tracking, check=False).returncode == 0

    def _related(self) -> bool:
        return _git(self.root, "merge-base", "HEAD", self.tracking, check=False).returncode == 0

    def _report(self, synced: Synced) -> None:
        """What the last exchange said, for every process of the node (and kept-apart commits
        until an administrator clears the file)."""
        if self.status_folder is None:
            return
        before = RemoteStatus.read(self.status_folder) or RemoteStatus()
        try:
            unpushed = self._count(f"{self.tracking}..HEAD") if self._rev(self.tracking) else 0
        except HistoryError:
            unpushed = before.unpushed
        RemoteStatus(ok=synced.error is None, error=synced.error, at=_now(), unpushed=unpushed,
                     kept_apart=list(dict.fromkeys(before.kept_apart + synced.kept_apart))).write(self.status_folder)
