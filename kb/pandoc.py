"""Running pandoc (the one in the ``pypandoc-binary`` wheel) within limits.

Word import had no bound on what pandoc did with a file (issue 16): a 442 KB .docx made pandoc
use 2.9 GB for 46 s. pandoc now runs as a process of its own with

- a heap limit for its Haskell runtime (``+RTS -M``, ``MEMORY_MB``): past it pandoc stops with
  exit status 251 (measured: a 54 KB .docx of alternating bold runs, 5.9 MB of XML, took pandoc
  to 587 MB; with ``-M128m`` it stops at once);
- a CPU-time and a wall-clock limit (``SECONDS``; RLIMIT_CPU and a timeout that kills it);
- a limit on the size of each file it writes (RLIMIT_FSIZE: the Markdown and every extracted
  image), so a zip entry that lies about its size cannot fill the disk;
- at most ``AT_ONCE`` runs at a time in a worker process.

The limits are set with ``prlimit`` on the child's process id right after it starts (a
``preexec_fn`` is not safe in a threaded server); the few milliseconds before are pandoc's own
start-up.
"""
from __future__ import annotations

import logging
import resource
import signal
import subprocess
import threading
from pathlib import Path

log = logging.getLogger(__name__)

MEMORY_MB = 512
SECONDS = 30
AT_ONCE = 1
HEAP_EXHAUSTED = 251  # the GHC runtime's exit status past +RTS -M

_slots = threading.BoundedSemaphore(AT_ONCE)


class PandocError(ValueError):
    """pandoc could not convert the input within its limits; the message is for the user."""


def _binary() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def convert(fmt: str, work: Path, source: Path | None = None, text: str | None = None,
            media: Path | None = None, max_file_bytes: int = 50_000_000) -> str:
    """Markdown (GitHub's) of ``source`` or ``text`` in format ``fmt``, written in ``work``;
    images extracted into ``media`` when given. Raises PandocError."""
    out = work / f"pandoc-{threading.get_ident()}.md"
    command = [_binary(), "+RTS", f"-M{MEMORY_MB}m", "-RTS", f"--from={fmt}", "--to=gfm", "--wrap=none",
               "-o", str(out)]
    if media is not None:
        command.append(f"--extract-media={media}")
    if source is not None:
        command.append(str(source))
    if not _slots.acquire(timeout=SECONDS):
        raise PandocError("正在转换别的文件，请稍后再试")
    try:
        _run(command, text, work, max_file_bytes)
    finally:
        _slots.release()
    try:
        return out.read_text(encoding="utf-8", errors="replace")
    finally:
        out.unlink(missing_ok=True)


def _run(command: list[str], text: str | None, work: Path, max_file_bytes: int) -> None:
    errors = work / f"pandoc-{threading.get_ident()}.err"
    with open(errors, "w+b") as err:
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE if text is not None else subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=err, cwd=work)
        except OSError as exc:
            raise PandocError(f"无法运行 pandoc：{exc.strerror}") from exc
        _limit(process.pid, max_file_bytes)
        try:
            process.communicate(text.encode("utf-8") if text is not None else None, timeout=SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise PandocError(f"转换超过了 {SECONDS} 秒，已经停止：文件太大或太复杂") from None
        err.seek(0)
        message = err.read(2000).decode("utf-8", "replace").strip()
    errors.unlink(missing_ok=True)
    status = process.returncode
    if status == 0:
        return
    log.warning("pandoc stopped with status %s: %s", status, message[:300])
    if status == HEAP_EXHAUSTED:
        raise PandocError(f"文件太复杂，转换需要的内存超过了 {MEMORY_MB} MB 的上限")
    if status == -signal.SIGXCPU:
        raise PandocError(f"转换超过了 {SECONDS} 秒，已经停止：文件太大或太复杂")
    if status == -signal.SIGXFSZ:
        raise PandocError(f"转换出的内容（文字或一张图片）超过了 {max_file_bytes // 1_000_000} MB 的上限")
    raise PandocError(f"无法转换这个文件：{message[:200] or f'pandoc 出错（{status}）'}")


def _limit(pid: int, max_file_bytes: int) -> None:
    try:
        resource.prlimit(pid, resource.RLIMIT_CPU, (SECONDS, SECONDS + 5))
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))
    except (OSError, ValueError):  # it ended already (a tiny file), or no prlimit on this system
        log.debug("could not set limits on pandoc %s", pid)
