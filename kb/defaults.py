"""What a plain Markdown file leaves out, chosen the way MkDocs and Docusaurus would.

Only text is needed to publish: the title comes from the first ``# `` heading or the file
name, the slug from the file name (pinyin for Chinese names: 会议管理办法.md →
``hui-yi-guan-li-ban-fa``), the type is ``guide`` (``checklist`` for a task list), the
category is the folder, the summary the first paragraph. ``kb check`` lists each choice as
a note so that an editor can write the field down when the default is not what they meant.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pypinyin import lazy_pinyin

from .render import plain_text
from .scan import scan
from .sections import heading_text, iter_headings

if TYPE_CHECKING:
    from .filedates import FileDates

UNCATEGORIZED = "未分类"
SUMMARY_LENGTH = 120

_SORT_PREFIX = re.compile(r"^\d+[-_.\s]+(?=\S)")  # "01-会议管理.md": the number only orders files
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TASK_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\][ \t]")
_NOT_PARAGRAPH = re.compile(r"^\s*(?:#|[-*+]\s|\d+[.)]\s|\||>|!!!|\?\?\?|<|[-*_=]{3,}\s*$|\{:?\s*[#.])")
_SENTENCE_END = re.compile(r"[。！？!?；;]")


def file_stem(rel_path: str) -> str:
    return _SORT_PREFIX.sub("", PurePosixPath(rel_path).stem)


def slug_from_name(rel_path: str) -> str:
    """A valid slug from the file name: Chinese as pinyin, other letters without accents,
    lower-cased and hyphenated; padded when too short, cut at 60 characters."""
    words = []
    for chunk in lazy_pinyin(file_stem(rel_path)):
        ascii_text = unicodedata.normalize("NFKD", chunk).encode("ascii", "ignore").decode()
        words.append(_NOT_SLUG.sub("-", ascii_text.lower()).strip("-"))
    slug = re.sub(r"-{2,}", "-", "-".join(w for w in words if w))
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0] if "-" in slug[:60] else slug[:60]
    if not slug:
        slug = "article-" + hashlib.sha1(rel_path.encode()).hexdigest()[:6]
    elif len(slug) < 3:
        slug = f"article-{slug}"
    return slug


def title_from_name(rel_path: str) -> str:
    stem = file_stem(rel_path).strip() or PurePosixPath(rel_path).stem
    if stem.isascii():
        stem = re.sub(r"[-_]+", " ", stem).strip()
        stem = stem[:1].upper() + stem[1:]
    return stem


def title_from_heading(body: str) -> tuple[str, str] | None:
    """(title, body) when the body has a ``# `` heading outside code: its text is the title and
    its line is blanked, so that the page does not show the title twice and every other line
    keeps its number."""
    first = next(((i, raw) for i, level, raw in iter_headings(body) if level == 1), None)
    if first is None or not heading_text(first[1]):
        return None
    lines = body.split("\n")
    lines[first[0]] = ""
    return heading_text(first[1]), "\n".join(lines)


def is_task_list(body: str) -> bool:
    """More than half of the list items outside code are task items (``- [ ] 事项``)."""
    items = tasks = 0
    for line in scan(body):
        if not line.code and _LIST_ITEM.match(line.text):
            items += 1
            tasks += bool(_TASK_ITEM.match(line.text))
    return tasks > 0 and tasks * 2 > items


def category_from_folder(rel_path: str) -> str:
    """The folder the file is in; files at the top of content/ are 未分类."""
    parent = PurePosixPath(rel_path).parent
    return parent.name if parent.name else UNCATEGORIZED


def lead_paragraph(body: str) -> str:
    """The body's first paragraph (before, between or after headings, lists and code) as plain
    text on one line; "" when the body has none."""
    paragraph: list[str] = []
    for line in scan(body):
        text = line.text.strip()
        if paragraph and (line.code or not text or _NOT_PARAGRAPH.match(text)):
            break
        if text and not line.code and not _NOT_PARAGRAPH.match(text):
            paragraph.append(text)
    return re.sub(r"\s+", " ", plain_text(_join(paragraph))).strip() if paragraph else ""


def summary_from_body(body: str) -> str:
    """The first paragraph as plain text, cut at a sentence end near SUMMARY_LENGTH; without
    a paragraph (a body of lists and headings), the start of the body's text."""
    return _shorten(lead_paragraph(body) or plain_text(body))


def summary_repeats_lead(summary: str, body: str) -> bool:
    """The summary is the start of the body's first paragraph (as the default summary, and an
    import's, are): a page showing both would show the same words twice."""
    words = re.sub(r"\s+", " ", summary).strip().removesuffix("…").rstrip()
    return bool(words) and lead_paragraph(body).startswith(words)


def _join(lines: list[str]) -> str:
    """Lines of a paragraph as one line: no space between Chinese characters."""
    out = lines[0]
    for line in lines[1:]:
        out += ("" if not (out[-1:].isascii() or line[:1].isascii()) else " ") + line
    return out


def _shorten(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH]
    ends = [m.end() for m in _SENTENCE_END.finditer(cut)]
    return cut[: ends[-1]] if ends and ends[-1] >= SUMMARY_LENGTH // 3 else cut.rstrip() + "…"


# --- the default rules of the field registry (kb.fields) ------------------------------------

@dataclass
class Source:
    """The file whose fields are being read: what a default rule may look at. ``body`` is the
    body as it will be published (the title rule blanks the heading it takes)."""

    rel_path: str
    path: Path
    body: str
    dates: "FileDates"
    root: Path | None = None  # the content folder, for its folders' defaults (kb.folders)


def title(src: Source) -> tuple[str, str]:
    found = title_from_heading(src.body)
    if found is not None:
        text, src.body = found
        return text, "取自正文的一级标题"
    return title_from_name(src.rel_path), "按文件名"


def slug(src: Source) -> tuple[str, str]:
    return slug_from_name(src.rel_path), "按文件名"


def kind(src: Source) -> tuple[str, str]:
    if is_task_list(src.body):
        return "checklist", "正文是任务列表"
    return "guide", "默认为指南"


def category(src: Source) -> tuple[str, str]:
    return category_from_folder(src.rel_path), "按所在目录"


def summary(src: Source) -> tuple[str, str]:
    return summary_from_body(src.body), "取自正文第一段"


def in_force(src: Source) -> tuple[str, str]:
    """Articles written before the lifecycle fields, and plain Markdown, are in force."""
    return "current", "默认为现行"


def updated(src: Source):
    return src.dates.updated(src.path, src.rel_path)
