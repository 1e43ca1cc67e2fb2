"""The text of an attachment, for search: taken in a process of its own, within limits.

Each kind is read by a well-kept library: PDF by pypdf, Excel by openpyxl (read-only mode, cell
values as stored — formulas' last results), PowerPoint by python-pptx (the slides' text boxes,
tables and speaker notes), Word by pandoc (as Word import does, to plain text). A hostile file
— a PDF whose content streams expand without end, a zip bomb of a workbook — must not take a
site's worker with it: the reading runs as ``python -m kb.extract KIND FILE`` with an address-
space limit (``MEMORY_MB``), a CPU-time limit and a wall-clock timeout (``SECONDS``), at most
``AT_ONCE`` at a time in a process; what it prints is cut at ``MAX_CHARS`` characters, and
PDFs at ``MAX_PAGES`` pages, workbooks at ``MAX_CELLS`` cells.

The text is kept in a cache keyed by the file's SHA-1 (``content/.kb-cache/``, ignored by git,
like the lock folder): a file is read once per node, whatever the index does later (a rebuild,
another engine), and a file that cannot be read is remembered as such with the reason.
"""
from __future__ import annotations

import hashlib
import logging
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)

MEMORY_MB = 1024
SECONDS = 30
AT_ONCE = 1
MAX_CHARS = 200_000  # of text per attachment: a long regulation's worth
MAX_PAGES = 500
MAX_CELLS = 200_000
CACHE = ".kb-cache/attachment-text"
_FAILED = "\0failed\0"  # first line of a cache entry for a file that could not be read

_slots = threading.BoundedSemaphore(AT_ONCE)


# --- reading, in the child process ---------------------------------------------------------

def _pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    parts, size = [], 0
    for page in reader.pages[:MAX_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= MAX_CHARS:
            break
    return "\n\n".join(parts)


def _xlsx(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(str(path), read_only=True, data_only=True)
    lines, cells = [], 0
    try:
        for sheet in book.worksheets:
            lines.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                values = [str(v) for v in row if v is not None and str(v).strip()]
                cells += len(row)
                if values:
                    lines.append(" ".join(values))
                if cells >= MAX_CELLS:
                    return "\n".join(lines)
    finally:
        book.close()
    return "\n".join(lines)


def _pptx(path: Path) -> str:
    from pptx import Presentation

    deck = Presentation(str(path))
    lines = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                lines.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                lines += [" ".join(c.text for c in row.cells) for row in shape.table.rows]
        if slide.has_notes_slide:
            lines.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(line for line in lines if line.strip())


def _docx(path: Path) -> str:
    import pypandoc

    run = subprocess.run([pypandoc.get_pandoc_path(), "--from=docx", "--to=plain", "--wrap=none", str(path)],
                         capture_output=True, timeout=SECONDS)
    if run.returncode != 0:
        raise ValueError(run.stderr.decode("utf-8", "replace")[:200] or f"pandoc {run.returncode}")
    return run.stdout.decode("utf-8", "replace")


READERS = {"pdf": _pdf, "xlsx": _xlsx, "pptx": _pptx, "docx": _docx}


def main(argv: list[str]) -> int:
    """``python -m kb.extract KIND FILE``: the text on standard output."""
    kind, path = argv
    logging.disable(logging.WARNING)  # pypdf warns about every odd object; the text is what counts
    try:
        text = READERS[kind](Path(path))
    except Exception as exc:  # noqa: BLE001 — any failure of a library on a bad file is this file's problem
        sys.stderr.write(f"{type(exc).__name__}: {exc}"[:300])
        return 1
    sys.stdout.write(text[:MAX_CHARS])
    return 0


# --- the parent's side -----------------------------------------------------------------------

class ExtractError(ValueError):
    """The file's text could not be read; the message is for the editor."""


def _limit(pid: int) -> None:
    try:
        resource.prlimit(pid, resource.RLIMIT_AS, (MEMORY_MB << 20, MEMORY_MB << 20))
        resource.prlimit(pid, resource.RLIMIT_CPU, (SECONDS, SECONDS + 5))
    except (OSError, ValueError):  # it ended already, or no prlimit here
        log.debug("could not set limits on the text reader %s", pid)


def _run(kind: str, path: Path) -> str:
    """The text, read by a child process within the limits. Raises ExtractError."""
    if not _slots.acquire(timeout=SECONDS * 2):
        raise ExtractError("正在读取别的附件，请稍后再试")
    try:
        child = subprocess.Popen([sys.executable, "-m", "kb.extract", kind, str(path)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=str(Path(__file__).parent.parent))
        _limit(child.pid)
        try:
            out, err = child.communicate(timeout=SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise ExtractError(f"读取文字超过了 {SECONDS} 秒，已经停止：文件太大或太复杂") from None
    finally:
        _slots.release()
    if child.returncode != 0:
        reason = err.decode("utf-8", "replace").strip()
        log.warning("could not read the text of %s: %s (status %s)", path, reason[:200], child.returncode)
        if child.returncode < 0 or "MemoryError" in reason:
            raise ExtractError(f"读取文字超出了时间或内存（{MEMORY_MB} MB）的上限：文件太大或太复杂")
        raise ExtractError("无法读取其中的文字（文件可能已损坏，或加了密码）")
    return out.decode("utf-8", "replace")[:MAX_CHARS]


def text_of(path: Path, kind: str, root: Path) -> tuple[str, str | None]:
    """(the text of the attachment at ``path``, why there is none or None), from the cache of
    the content folder ``root`` when it was read before."""
    data = path.read_bytes()
    cache = Path(root) / CACHE / (hashlib.sha1(data).hexdigest() + ".text")
    try:
        kept = cache.read_text(encoding="utf-8")
    except FileNotFoundError:
        kept = None
    if kept is not None:
        if kept.startswith(_FAILED):
            return "", kept[len(_FAILED):]
        return kept, None
    try:
        text, error = _run(kind, path), None
    except ExtractError as exc:
        text, error = "", str(exc)
    _keep(cache, (_FAILED + error) if error else text)
    return text, error


def _keep(cache: Path, text: str) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        ignore = cache.parent.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        log.exception("cannot keep the text of an attachment in %s", cache)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
