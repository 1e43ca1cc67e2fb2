"""Turning what offices actually have — Word documents, saved web pages, Markdown — into a
draft article that passes ``kb check``.

- ``.docx`` through pandoc (the ``pypandoc-binary`` wheel ships it). Measured against mammoth
  on Word files with 一、（一）1. outlines and a table with a merged cell (README, 依赖的选择):
  both keep Word's heading styles; mammoth's Markdown writer drops tables altogether (its
  HTML keeps them, with no header row), pandoc keeps the table with its header row and the
  merged cell. Neither knows Chinese outline numbering, so the outline pass below does.
- ``.html`` (a page saved from a browser): trafilatura keeps the article and drops the page's
  furniture (navigation, footer, 「下载」「举报」 links — the noise the seed pages had), then
  pandoc writes Markdown.
- ``.md``: taken as it is.

Bounded (issue 16): a .docx is a zip, and what it unpacks to is checked before pandoc runs
(``MAX_TEXT_UNPACKED`` of XML, ``MAX_UNPACKED`` in all, ``MAX_PARTS`` parts); pandoc itself
runs within memory, time and file-size limits (kb.pandoc); the draft's text is at most an
article's size; and images wait in the drafts area (kb.drafts), not in the content folder,
until the article is saved.

The outline pass: a paragraph that is a heading in Word, or is bold all through, or is a short
line with no closing 。, and starts with outline numbering, becomes a heading of the level the
authoring guide gives it: 一、 ``##``, （一） ``###``, 1. ``####``, (1) ``#####``. The document's
own title (Word's title property, or a first heading without numbering) becomes ``title``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import MAX_ARTICLE_BYTES
from .defaults import UNCATEGORIZED, slug_from_name, summary_from_body
from .frontmatter import dump
from .scan import scan
from .webpage import read_saved_page

log = logging.getLogger(__name__)

IMPORT_FOLDER = "guides"  # where an import goes unless told (kb import --dir, the import page's folder)
KINDS = {".docx": "Word 文档", ".html": "网页", ".htm": "网页", ".md": "Markdown"}
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}

_CN = "一二三四五六七八九十百"
_OUTLINE = [
    (re.compile(rf"^[{_CN}]+[、．.]"), 2),
    (re.compile(rf"^[（(][{_CN}]+[）)]"), 3),
    (re.compile(r"^\d{1,2}(?:\\?[.．]|、)(?!\d)"), 4),
    (re.compile(r"^[（(]\d{1,2}[）)]"), 5),
]
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^(?:\*\*|__)(.+?)(?:\*\*|__)$")
SHORT = 40  # characters: longer lines are sentences that happen to start with a number
MAX_PARTS = 5_000  # files in a .docx
MAX_TEXT_UNPACKED = 20_000_000  # bytes of XML (the text, styles, properties) once unpacked
MAX_UNPACKED = 100_000_000  # bytes once unpacked, images included
MAX_TITLE = 200  # characters of Word's title property


class ImportError_(ValueError):
    """The file cannot be imported; the message is for the user."""


@dataclass
class Draft:
    """An imported document, ready for the editor: nothing is saved yet."""

    name: str  # the uploaded file's name
    title: str
    slug: str
    text: str  # front matter + Markdown body
    images: list[str] = field(default_factory=list)  # media files written (names under the media folder)
    notes: list[str] = field(default_factory=list)  # what the import did or left out, for the editor


def outline_level(text: str) -> int | None:
    for pattern, level in _OUTLINE:
        if pattern.match(text):
            return level
    return None


def _heading_candidate(line: str) -> tuple[str, bool] | None:
    """(text, explicit) when the line may be a heading: a Markdown heading or an all-bold
    paragraph (explicit), or a short plain line without a closing full stop."""
    found = _HEADING.match(line)
    if found:
        return found.group(2), True
    bold = _BOLD_LINE.match(line.strip())
    if bold:
        return bold.group(1).strip(), True
    stripped = line.strip()
    if stripped and len(stripped) <= SHORT and not stripped.endswith(("。", "；", ";", "：", ":", "，")) \
            and not stripped.startswith(("-", "*", "|", "<", ">")):
        return stripped, False
    return None


def outline(body: str) -> tuple[str, str | None]:
    """The body with outline-numbered paragraphs as headings of their level, and the title
    (a first heading without numbering), if any."""
    lines = body.split("\n")
    title = None
    previous_blank = True
    for line in scan(body):
        i, text = line.index, line.text
        blank = not text.strip()
        if not line.code and previous_blank:
            candidate = _heading_candidate(text)
            next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
            if candidate and next_blank:
                words, explicit = candidate
                words = words.replace("\\.", ".")
                level = outline_level(words)
                if level is not None and (explicit or level <= 3):
                    lines[i] = "#" * level + " " + words
                elif explicit and _HEADING.match(text):
                    if title is None and not any(_HEADING.match(x) for x in lines[:i]):
                        title, lines[i] = words, ""
                    else:
                        depth = len(_HEADING.match(text).group(1))
                        lines[i] = "#" * min(depth + 1, 6) + " " + words
        previous_blank = blank
    return "\n".join(lines).strip() + "\n", title


def _tidy(markdown: str) -> str:
    """What pandoc writes that our pages need not carry: column widths of HTML tables
    (style attributes the sanitizer strips anyway) and runs of blank lines."""
    markdown = re.sub(r"<colgroup>.*?</colgroup>\s*", "", markdown, flags=re.S)
    return re.sub(r"\n{3,}", "\n\n", markdown)


def _pandoc(source: Path | str, fmt: str, media: Path | None = None, from_text: bool = False) -> str:
    """pandoc's Markdown of a file or of text, within pandoc's limits (kb.pandoc)."""
    from .pandoc import PandocError, convert

    with tempfile.TemporaryDirectory(prefix="kb-pandoc-") as work:
        try:
            if from_text:
                return convert(fmt, Path(work), text=str(source))
            return convert(fmt, Path(work), source=Path(source), media=media)
        except PandocError as exc:
            raise ImportError_(str(exc)) from exc


def _docx(data: bytes, work: Path) -> tuple[str, str | None]:
    path = work / "upload.docx"
    path.write_bytes(data)
    _check_docx(path)
    markdown = _pandoc(path, "docx", media=work / "media")
    return markdown, _docx_title(path)


def _check_docx(path: Path) -> None:
    """Refuse a .docx that unpacks to more than the limits, before pandoc opens it (a zip of
    442 KB made pandoc use 2.9 GB; one of 83 KB carried a 50 MB title). The sizes are the
    zip's own word for them: pandoc's memory and file-size limits hold if it lies."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportError_("这个 .docx 文件已损坏（不是有效的 Word 文件），请在 Word 里重新保存后再导入") from None
    text = sum(p.file_size for p in parts if not p.filename.startswith("word/media/"))
    total = sum(p.file_size for p in parts)
    if len(parts) > MAX_PARTS:
        raise ImportError_(f"这个 Word 文件由 {len(parts)} 个部分组成，超过了 {MAX_PARTS} 个的上限，不能导入")
    if text > MAX_TEXT_UNPACKED:
        raise ImportError_(f"这个 Word 文件的文字解压后有 {text / 1e6:.0f} MB，超过了 {MAX_TEXT_UNPACKED // 1_000_000} MB 的上限，"
                           "不能导入：请拆成几个文件，或检查文件是否正常")
    if total > MAX_UNPACKED:
        raise ImportError_(f"这个 Word 文件解压后有 {total / 1e6:.0f} MB（图片很多或很大），超过了 "
                           f"{MAX_UNPACKED // 1_000_000} MB 的上限，不能导入：请压缩图片或拆成几个文件")


def _docx_title(path: Path) -> str | None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z, z.open("docProps/core.xml") as part:
            core = part.read(65_536).decode("utf-8", "replace")  # a title is a line, not megabytes
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    found = re.search(r"<dc:title>([^<]+)</dc:title>", core)
    return found.group(1).strip()[:MAX_TITLE] if found else None


def _html(data: bytes) -> tuple[str, dict]:
    """Markdown of a saved page's article, and the front matter its page gives (kb.webpage)."""
    page = read_saved_page(data)
    if page is None:
        raise ImportError_("这个网页里没有找到正文")
    facts = {"title": page.title, "author": page.author, "source": page.source, "source_url": page.source_url}
    # a page without a date of its own has none: not the day of its import
    return _pandoc(page.html, "html", from_text=True), {**{k: v for k, v in facts.items() if v},
                                                        "published": page.published}


def _keep_images(markdown: str, work: Path, media_dir: Path, max_bytes: int, notes: list[str],
                 drafts=None) -> tuple[str, list[str]]:
    """Keep the images pandoc extracted (by content hash; only known image types, each under
    ``max_bytes``, at most ``kb.drafts.PER_IMPORT`` in all) and point the Markdown at them:
    staged in ``drafts`` (kb.drafts.DraftMedia) when given — the site, until the article is
    saved — else written to the media folder (``kb import``, which saves at once)."""
    from .drafts import PER_IMPORT

    kept: list[str] = []
    budget = [PER_IMPORT]

    def replace(match: re.Match) -> str:
        alt, src = match.group(1), match.group(2)
        path = Path(src)
        if not path.is_absolute() or work not in path.parents or not path.is_file():
            return match.group(0)
        suffix = path.suffix.lower()
        if suffix not in IMAGE_TYPES:
            notes.append(f"图片 {path.name} 的格式（{suffix or '未知'}）不支持，已去掉（支持 PNG、JPEG、GIF、WebP）")
            return ""
        if path.stat().st_size > max_bytes:
            notes.append(f"图片 {path.name} 超过 {max_bytes // 1_000_000} MB，已去掉")
            return ""
        data = path.read_bytes()
        name = hashlib.sha1(data).hexdigest()[:16] + (".jpg" if suffix == ".jpeg" else suffix)
        if not _stage(path, name, media_dir, drafts, budget):
            notes.append(f"图片 {path.name} 没有导入：这个文件的图片加起来超过了 {PER_IMPORT // 1_000_000} MB，"
                         "或者等待保存的导入图片太多")
            return ""
        kept.append(name)
        return f"![{alt}](/media/{name})"

    def as_markdown(tag: re.Match) -> str:  # pandoc writes <img> when Word gave the image a size
        src = re.search(r'src="([^"]+)"', tag.group(0))
        alt = re.search(r'alt="([^"]*)"', tag.group(0))
        return f"![{alt.group(1) if alt else ''}]({src.group(1)})" if src else ""

    markdown = re.sub(r"<img [^>]*>", as_markdown, markdown)
    markdown = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", replace, markdown)
    return markdown, kept


def _stage(path: Path, name: str, media_dir: Path, drafts, budget: list[int]) -> bool:
    """Keep one image (see ``_keep_images``); False when there is no room for it."""
    if (media_dir / name).exists():
        return True  # published already
    size = path.stat().st_size
    if size > budget[0]:
        return False
    if drafts is not None:
        if not drafts.put(path, name):
            return False
    else:
        media_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, media_dir / name)
    budget[0] -= size
    return True


def import_folder(text: str) -> str:
    """The folder an import goes to, as written (「行政制度」, 「制度/行政」); raises ImportError_
    for one outside the content folder or hidden from it (``_``/``.`` folders hold no articles)."""
    parts = [p for p in text.replace("\\", "/").strip().strip("/").split("/") if p.strip()]
    if any(p.strip() in (".", "..") or p.strip().startswith(("_", ".")) for p in parts):
        raise ImportError_(f"目录“{text}”无效：应是内容目录下的目录名，如 行政制度，不能含 ..，也不能以 _ 或 . 开头")
    return "/".join(p.strip() for p in parts)


def import_path(folder: str, slug: str) -> str:
    """The file an import is saved as, under the content folder."""
    return f"{folder}/{slug or 'imported'}.md" if folder else f"{slug or 'imported'}.md"


def category_for_folder(folder: str) -> str:
    """The category of an article imported into ``folder`` (under the content folder): the
    folder's name (`--dir 行政制度` → 行政制度), as for a plain Markdown file; the default import
    folder and the top of the content folder give 未分类."""
    name = PurePosixPath(folder.strip().strip("/") or ".").name
    return UNCATEGORIZED if name in ("", ".", IMPORT_FOLDER) else name


def import_document(name: str, data: bytes, media_dir: Path, max_image_bytes: int = 5_000_000,
                    today: dt.date | None = None, folder: str = IMPORT_FOLDER, drafts=None,
                    max_text_bytes: int = MAX_ARTICLE_BYTES) -> Draft:
    """A draft article from an uploaded file, to be saved in ``folder`` (which gives its
    category). Raises ImportError_ for what cannot be read. Images wait in ``drafts``
    (kb.drafts.DraftMedia) when given, else go to ``media_dir``."""
    suffix = Path(name).suffix.lower()
    if suffix not in KINDS:
        raise ImportError_(f"不支持 {suffix or '没有扩展名'} 文件：可以导入 .docx（Word）、.html（网页）和 .md")
    notes: list[str] = []
    images: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kb-import-") as tmp:
        work = Path(tmp).resolve()
        if suffix == ".docx":
            if not data.startswith(b"PK"):
                raise ImportError_("这不是 Word 的 .docx 文件（旧的 .doc 请先在 Word 里另存为 .docx）")
            markdown, title = _docx(data, work)
            facts = {}
            markdown, images = _keep_images(markdown, work, media_dir, max_image_bytes, notes, drafts)
        elif suffix in (".html", ".htm"):
            markdown, facts = _html(data)
            title = facts.pop("title", None)
        else:
            if len(data) > max_text_bytes:
                raise ImportError_(f"这个 Markdown 文件有 {len(data) / 1e6:.1f} MB，超过了一篇文章 {max_text_bytes / 1e6:g} MB 的上限")
            try:
                return _markdown_draft(name, data.decode("utf-8-sig"))
            except UnicodeDecodeError:
                raise ImportError_("这个 Markdown 文件不是 UTF-8 编码，请用 UTF-8 保存后再导入") from None
    body, heading_title = outline(_tidy(markdown))
    title = (title or heading_title or Path(name).stem).strip()
    slug = slug_from_name(title.replace("/", " ") + ".md")
    today = today or dt.date.today()
    meta = {"title": title, "slug": slug, "type": "guide", "category": category_for_folder(folder), "tags": [],
            "summary": summary_from_body(body) or title, "source": Path(name).name, "source_url": None,
            "author": "", "published": today, "updated": today, "aliases": [], **facts}
    text = dump({k: v for k, v in meta.items() if v is not None}, body)
    if len(text.encode("utf-8")) > max_text_bytes:
        raise ImportError_(f"转换出的文章有 {len(text.encode('utf-8')) / 1e6:.1f} MB，超过了一篇文章 "
                           f"{max_text_bytes / 1e6:g} MB 的上限：请拆成几个文件再导入")
    return Draft(name, title, slug, text, images, notes)


def _markdown_draft(name: str, text: str) -> Draft:
    from .frontmatter import FrontMatterError, parse

    try:
        meta = parse(text).meta
    except FrontMatterError:
        meta = {}
    title = str(meta.get("title") or Path(name).stem)
    slug = str(meta.get("slug") or slug_from_name(Path(name).name))
    return Draft(name, title, slug, text)
