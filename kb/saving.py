"""Saving an article from the editor: checked like ``kb check``, one save of a file at a time
across threads and processes, never half-written, never over a change made meanwhile.

Two people saving the same article at the same moment used to share one temporary file
(a 500 for one of them in 32 of 40 tries) and both passed the "changed since you opened it"
test before either wrote (an edit silently lost in 7 of 40). Now each save holds an exclusive
``flock`` on a lock file for the article's path and one for its slug (so two 「新建」 with the
same slug in different folders exclude each other too); inside the locks it compares the file
on disk with the version the editor opened, checks the slug against the folder as it is now,
and writes a temporary file of its own that replaces the article in one rename.

The same locks and history keep the folder's own files (``save_text``: the synonyms list).

Lock files live in ``content/.kb-locks/``: a hidden folder the loader never reads, on the
same file system as the articles, visible to every worker process; it ignores itself in git.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .article import Article, Problem
from .history import HistoryError, RemoteConflict
from .frontmatter import with_field
from .store import ContentStore, is_content_file, parse_article

log = logging.getLogger(__name__)
LOCK_DIR = ".kb-locks"
MAX_NAME_BYTES = 255  # one file or folder name (ext4, xfs, NTFS)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

CHANGED_MEANWHILE = ("这篇文章在您编辑期间已被别人修改并保存。您的内容仍在下面，"
                     "请先在新窗口打开文章查看最新版本，把您的修改合并进去后再保存。")
CREATED_MEANWHILE = "文件 {path} 已被另一篇文章使用（可能是别人刚刚新建的），没有保存。请换一个 slug 再保存，写好的内容不会丢失。"


@dataclass
class SaveResult:
    article: Article | None  # the saved article; None when nothing was written
    problems: list[Problem] = field(default_factory=list)
    conflict: bool = False  # the file changed (or appeared) after the editor opened it
    digest: str | None = None  # the file's digest on disk now, for the editor's next try
    revision: str | None = None  # the history's commit of this save, when one was made
    history_error: str | None = None  # the save stands, but recording it in the history failed


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha1(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def _locked(root: Path, names: list[str]):
    """Exclusive locks for ``names``, taken in sorted order so that two saves never wait for
    each other crosswise."""
    folder = root / LOCK_DIR
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    with contextlib.ExitStack() as stack:
        for name in sorted(set(names)):
            lock_path = folder / (hashlib.sha1(name.encode("utf-8")).hexdigest()[:20] + ".lock")
            handle = stack.enter_context(open(lock_path, "a+b"))
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _write(path: Path, raw: bytes) -> None:
    """Write ``raw`` to a temporary file of this save only, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".saving")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _claims(article: Article, rel_path: str, catalog) -> list[Problem]:
    """The slug and aliases of ``article`` against the other files of the folder."""
    problems = []
    owner = catalog.by_slug.get(article.slug) or catalog.by_alias.get(article.slug)
    if owner is not None and owner.rel_path != rel_path:
        was = "" if owner.slug == article.slug else f"（是 {owner.slug} 以前的地址，旧链接跳转到那里）"
        problems.append(Problem(rel_path, f"slug “{article.slug}” 已被 {owner.rel_path} 使用{was}"))
    for alias in article.aliases:
        other = catalog.by_slug.get(alias) or catalog.by_alias.get(alias)
        if other is not None and other.rel_path != rel_path:
            problems.append(Problem(rel_path, f"别名 “{alias}” 已被 {other.rel_path} 使用"))
    # A changed slug needs nothing from the editor: the old one is recorded (kb.addresses) and
    # answers 301 from then on.
    return problems


def path_problem(rel_path: str) -> str | None:
    """Why ``rel_path`` cannot name a file, or None: a NUL used to fail deep in the save
    (a 500), a 300-character name as the file system refused it."""
    if _CONTROL.search(rel_path):
        return "文件位置里有不可见的控制字符，请删掉后再保存"
    longest = max((len(part.encode("utf-8")) for part in rel_path.split("/")), default=0)
    if longest > MAX_NAME_BYTES:
        return f"文件名太长（{longest} 字节，最多 {MAX_NAME_BYTES} 字节，约 85 个汉字）：请把 slug 或文件名改短后再保存"
    return None


def save_article(store: ContentStore, rel_path: str, text: str, base_digest: str | None,
                 today: dt.date | None = None, record: Callable[[Article], str | None] | None = None,
                 guard: Callable[[], contextlib.AbstractContextManager] | None = None) -> SaveResult:
    """Check ``text`` and write it to ``rel_path`` under the content folder.

    ``base_digest`` is the digest of the file as the editor opened it, None for a new article.
    The save sets ``updated`` to ``today``. Nothing is written when there is an error or a
    conflict: the file on disk stays as it was, and the caller still has ``text``.
    ``record`` (the history's commit) runs inside the locks right after the write, so that it
    records exactly these bytes; when it fails the save stands and the error is reported.
    ``guard`` is held from the comparison with the editor's version to the end of ``record``
    (the history's lock, when the folder is a clone that other nodes push to: kb.remote).
    """
    root = store.root
    bad = path_problem(rel_path)
    if bad:
        return SaveResult(None, [Problem(rel_path[:300], bad)])
    path = (root / rel_path).resolve()
    if root.resolve() not in path.parents or not is_content_file(path, root.resolve()):
        return SaveResult(None, [Problem(rel_path, "文件位置无效：只能保存到内容目录里的 .md 文件")])
    text = with_field(text.replace("\r\n", "\n"), "updated", (today or dt.date.today()).isoformat())
    raw = text.encode("utf-8")
    article, problems = parse_article(raw, root / rel_path, root, max_bytes=store.max_article_bytes)
    if article is None:
        return SaveResult(None, problems, digest=base_digest)
    with _locked(root, [f"file:{rel_path}", f"slug:{article.slug}"]), _guarded(guard):
        current = _digest(path)
        if current != base_digest:
            message = CREATED_MEANWHILE.format(path=rel_path) if base_digest is None else CHANGED_MEANWHILE
            return SaveResult(None, [Problem(rel_path, message)], conflict=True, digest=current)
        problems += _claims(article, rel_path, store.fresh())
        if any(p.severity == "error" for p in problems):
            return SaveResult(None, problems, digest=current)
        failed, revision, history_error = _write_and_record(path, rel_path, raw, record and (lambda: record(article)))
        if failed:
            return SaveResult(None, [failed], conflict=failed.message == CHANGED_MEANWHILE, digest=_digest(path))
    return SaveResult(article, problems, digest=article.digest, revision=revision, history_error=history_error)


def _guarded(guard: Callable[[], contextlib.AbstractContextManager] | None):
    return guard() if guard is not None else contextlib.nullcontext()


def _write_and_record(path: Path, rel_path: str, raw: bytes, record: Callable[[], str | None] | None):
    """Write, then record the change in the history, inside the caller's locks: (the problem
    that stopped the write or None, the revision, the history's error)."""
    try:
        _write(path, raw)
    except OSError as exc:
        return Problem(rel_path, f"保存失败：{exc.strerror}（原来的文件没有改动）"), None, None
    if record is None:
        return None, None, None
    try:
        return None, record(), None
    except RemoteConflict:  # another node saved it first; the file is theirs again
        return Problem(rel_path, CHANGED_MEANWHILE), None, None
    except HistoryError as exc:
        log.error("saved %s but could not commit it: %s", rel_path, exc)
        return None, None, str(exc)


def delete_article(store: ContentStore, rel_path: str, base_digest: str | None,
                   record: Callable[[], str | None] | None = None,
                   guard: Callable[[], contextlib.AbstractContextManager] | None = None) -> SaveResult:
    """Remove the article at ``rel_path`` under the same locks as a save, never one changed
    since the editor looked at it (``base_digest``); ``record`` commits the removal."""
    path = (store.root / rel_path).resolve()
    if store.root.resolve() not in path.parents or not is_content_file(path, store.root.resolve()):
        return SaveResult(None, [Problem(rel_path, "文件位置无效：只能删除内容目录里的 .md 文件")])
    with _locked(store.root, [f"file:{rel_path}"]), _guarded(guard):
        current = _digest(path)
        if current is None:
            return SaveResult(None, [Problem(rel_path, "这篇文章已经不存在（可能刚被别人删除）")], conflict=True)
        if current != base_digest:
            return SaveResult(None, [Problem(rel_path, CHANGED_MEANWHILE)], conflict=True, digest=current)
        try:
            path.unlink()
        except OSError as exc:
            return SaveResult(None, [Problem(rel_path, f"删除失败：{exc.strerror}（文件没有改动）")], digest=current)
        revision = history_error = None
        if record is not None:
            try:
                revision = record()
            except RemoteConflict:  # another node changed it first: it is back, as they saved it
                return SaveResult(None, [Problem(rel_path, CHANGED_MEANWHILE)], conflict=True, digest=_digest(path))
            except HistoryError as exc:
                log.error("deleted %s but could not commit it: %s", rel_path, exc)
                history_error = str(exc)
    return SaveResult(None, [], revision=revision, history_error=history_error)


def sweep_unfinished(root: Path) -> int:
    """Remove the temporary files of saves cut short (a process killed between writing its
    temporary file and renaming it over the article): each under its file's lock, which a
    killed process no longer holds, so a save under way is never touched. The number removed."""
    root = Path(root)
    removed = 0
    for tmp in root.rglob(".*.saving"):
        if LOCK_DIR in tmp.relative_to(root).parts:
            continue
        name = tmp.name[1:].rsplit(".", 2)[0]  # .<name>.<random>.saving
        rel = (tmp.parent / name).relative_to(root).as_posix()
        with _locked(root, [f"file:{rel}"]), contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed += 1
    if removed:
        log.warning("removed %d temporary files of saves cut short in %s", removed, root)
    return removed


def update_file(root: Path, rel_path: str, change: Callable[[str], str]) -> bool:
    """Rewrite a file of the content folder that the site keeps itself (the address registry)
    as ``change`` makes its text ("" when there is none yet), under the file's lock, so that
    two workers changing it at once both have their change kept. True when it changed."""
    path = Path(root) / rel_path
    with _locked(Path(root), [f"file:{rel_path}"]):
        try:
            before = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            before = ""
        after = change(before)
        if after == before:
            return False
        _write(path, after.encode("utf-8"))
    return True


@dataclass
class TextSaveResult:
    """What became of saving a content folder's own file (the synonyms list)."""

    saved: bool
    problems: list[Problem] = field(default_factory=list)
    conflict: bool = False
    digest: str | None = None  # the file's digest on disk now
    revision: str | None = None
    history_error: str | None = None


def save_text(root: Path, rel_path: str, text: str, base_digest: str | None,
              check: Callable[[str], list[Problem]], record: Callable[[], str | None] | None = None,
              guard: Callable[[], contextlib.AbstractContextManager] | None = None) -> TextSaveResult:
    """Save a file of the content folder that is not an article (``_synonyms.txt``) the way
    articles are saved: checked first, under the same lock per path, never over a change made
    since ``base_digest`` was read, written in one rename, then recorded in the history."""
    text = text.replace("\r\n", "\n")
    if text and not text.endswith("\n"):
        text += "\n"
    problems = check(text)
    if any(p.severity == "error" for p in problems):
        return TextSaveResult(False, problems, digest=base_digest)
    path = Path(root) / rel_path
    message = "这个文件在您编辑期间已被别人修改并保存。您的内容仍在下面，请先在新窗口查看最新版本，把您的修改合并进去后再保存。"
    with _locked(Path(root), [f"file:{rel_path}"]), _guarded(guard):
        current = _digest(path)
        if current != base_digest:
            return TextSaveResult(False, [Problem(rel_path, message)], conflict=True, digest=current)
        raw = text.encode("utf-8")
        failed, revision, history_error = _write_and_record(path, rel_path, raw, record)
        if failed and failed.message == CHANGED_MEANWHILE:
            return TextSaveResult(False, [Problem(rel_path, message)], conflict=True, digest=_digest(path))
        if failed:
            return TextSaveResult(False, [failed], digest=current)
    return TextSaveResult(True, problems, digest=hashlib.sha1(raw).hexdigest(), revision=revision,
                          history_error=history_error)
