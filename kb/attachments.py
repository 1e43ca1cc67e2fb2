"""An article's attachments: the forms and originals it refers to (申请表.docx, 报销单.xlsx, a
PDF of the signed original), kept beside it in the content folder.

The files of ``guides/travel.md`` live in ``guides/travel.files/``: committed with the article's
saves, so the history keeps every version of them, every node that pulls the content folder
has them, and they follow the article's access rules (the site serves them only to readers who
may read the article). Only PDF, Word, Excel and PowerPoint files are taken, recognised by
their content, not their name (``kind_of``): a renamed ``.exe`` or an HTML page called
``表.pdf`` is refused. Names are made safe (``safe_name``): no folders, no control or
reserved characters, no spaces, no leading dot, at most ``MAX_NAME`` characters, and the extension is the
one of the kind found.

Their text (kb.extract) is searchable as documents of the article (search.documents); a hit
in an attachment names and links it (``anchor``, ``url``).
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from .article import ARTICLE_URL, Problem

SUFFIX = ".files"  # guides/travel.md -> guides/travel.files/
MAX_NAME = 80  # characters of a file name, extension included
ANCHOR = "附件-"  # the id of an attachment in its article's list: 附件-报销单.xlsx

#: What is accepted: kind -> (Chinese name, extension, MIME type).
KINDS = {
    "pdf": ("PDF", ".pdf", "application/pdf"),
    "docx": ("Word", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("Excel", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("PowerPoint", ".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
_BY_SUFFIX = {ext: kind for kind, (_, ext, _) in KINDS.items()}
# The part that makes an Office Open XML package a document, a workbook or a presentation.
_MAIN_PART = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_OLD_OFFICE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .ppt (OLE2 compound file)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u200b-\u200f\u202a-\u202e\u2066-\u2069]')


@dataclass(frozen=True)
class Attachment:
    name: str
    rel_path: str  # in the content folder: guides/travel.files/报销单.xlsx
    size: int
    kind: str  # a key of KINDS

    @property
    def label(self) -> str:
        return KINDS[self.kind][0]

    @property
    def mime(self) -> str:
        return KINDS[self.kind][2]

    @property
    def anchor(self) -> str:
        return anchor(self.name)


@dataclass(frozen=True)
class Upload:
    """A file given for an article: its name as the person's computer called it, its bytes."""

    name: str
    data: bytes


def folder_of(article_rel: str) -> str:
    """The attachments folder of an article file (relative, like the article's path)."""
    return str(PurePosixPath(article_rel).with_suffix(SUFFIX))


def owner_of(rel: str) -> str | None:
    """The article file whose attachment ``rel`` is, or None (the file watcher's question)."""
    parts = PurePosixPath(rel).parts
    for i, part in enumerate(parts[:-1]):
        if part.endswith(SUFFIX) and len(part) > len(SUFFIX):
            return str(PurePosixPath(*parts[:i], part[: -len(SUFFIX)] + ".md"))
    return None


def anchor(name: str) -> str:
    return ANCHOR + name


def name_from_anchor(value: str) -> str | None:
    """The attachment a document's anchor names, or None for a section's anchor."""
    return value[len(ANCHOR):] if value.startswith(ANCHOR) and len(value) > len(ANCHOR) else None


def url(slug: str, name: str) -> str:
    """Where the attachment is downloaded (web.urls.ARTICLE_FILE)."""
    return ARTICLE_URL.format(slug=slug) + "/files/" + quote(name)


def kind_of(data: bytes) -> str | None:
    """The kind of a file by its content (a key of KINDS), or None."""
    if data[:1024].lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        return "pdf"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for part, kind in _MAIN_PART.items() if part in names), None)


def safe_name(name: str, kind: str) -> str:
    """A name that is safe as a file name on every system and in a URL, keeping the person's
    words (Chinese included); the extension is the kind's own."""
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    stem = base[: -len(PurePosixPath(base).suffix)] if PurePosixPath(base).suffix else base
    stem = _UNSAFE.sub("", stem)
    stem = re.sub(r"\s+", "_", stem.strip()).strip("_.-") or "附件"  # no spaces: the name is also an id and a URL
    ext = KINDS[kind][1]
    return stem[: MAX_NAME - len(ext)].rstrip(" .") + ext


def listing(root: Path, article_rel: str) -> list[Attachment]:
    """The attachments of an article, by name; files of another kind are left out."""
    folder = Path(root) / folder_of(article_rel)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for entry in entries:
        kind = _BY_SUFFIX.get(PurePosixPath(entry.name).suffix.lower())
        if kind is None or entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
            continue
        found.append(Attachment(entry.name, f"{folder_of(article_rel)}/{entry.name}", entry.stat().st_size, kind))
    return found


def signature(root: Path, article_rel: str) -> str:
    """Changes whenever the article's attachments change (added, removed, replaced): part of
    what the search index records of the article, so that it takes the new text. "" for an
    article without attachments."""
    files = listing(root, article_rel)
    if not files:
        return ""
    stamps = []
    for a in files:
        st = (Path(root) / a.rel_path).stat()
        stamps.append(f"{a.name}\0{st.st_size}\0{st.st_mtime_ns}")
    return hashlib.sha1("\n".join(stamps).encode("utf-8")).hexdigest()


def root_of(article) -> Path:
    """The content folder an Article was read from."""
    return Path(str(article.path)[: -len(article.rel_path)] or ".")


def check_uploads(uploads: list[Upload], existing: list[str], article_rel: str, max_bytes: int,
                  max_count: int) -> tuple[list[Upload], list[Problem]]:
    """The uploads as they will be kept (safe names, the extension of their kind), or the
    problems that stop the save, each naming the file. A name the article already has is a
    new version of that file."""
    kept: dict[str, Upload] = {}
    problems = []
    for upload in uploads:
        if not upload.data:
            continue
        label = upload.name[:MAX_NAME] or "（没有名字）"
        if len(upload.data) > max_bytes:
            problems.append(Problem(article_rel, f"附件 {label} 有 {len(upload.data) / 1e6:.1f} MB，超过了每个附件 "
                                                 f"{max_bytes / 1e6:g} MB 的上限（设置项 max_attachment_bytes）"))
            continue
        kind = kind_of(upload.data)
        if kind is None:
            old = upload.data.startswith(_OLD_OFFICE)
            problems.append(Problem(article_rel, f"附件 {label} 不是 PDF、Word（.docx）、Excel（.xlsx）或 PowerPoint（.pptx）文件"
                                                 + ("：旧的 .doc、.xls、.ppt 请先另存为新格式" if old else "")))
            continue
        name = safe_name(upload.name, kind)
        kept[name] = Upload(name, upload.data)
    count = len(set(existing) | set(kept))
    if count > max_count:
        problems.append(Problem(article_rel, f"一篇文章最多 {max_count} 个附件（设置项 max_attachments），这样会有 {count} 个"))
    return list(kept.values()), problems


def write(folder: Path, upload: Upload) -> Path:
    """Write one attachment in one rename (a reader never downloads half a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / upload.name
    tmp = folder / f".{upload.name}.{os.getpid()}.saving"
    tmp.write_bytes(upload.data)
    os.replace(tmp, target)
    return target
