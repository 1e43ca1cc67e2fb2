"""The links written in onboarding material: Word (.docx), PowerPoint (.pptx), PDF, HTML,
Markdown and plain-text files, each link with where it is (page, slide, paragraph or line).

Each format is read by a kept library — python-docx, python-pptx, pypdf, lxml — and never by
unzipping and guessing: a link in Word is a relationship of the document part (or a HYPERLINK
field), in PowerPoint a run's or a shape's click action, in a PDF a link annotation. Addresses
typed as text (a URL in a paragraph, or a printed one a PDF only has as text) are found too.

Every file is bounded: at most ``MAX_LINKS`` links and, for PDF, ``MAX_PAGES`` pages are read;
a file that cannot be read is one Chinese message (``DocumentError``), never a traceback.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from .links import iter_links

MAX_LINKS = 5000
MAX_PAGES = 2000
KINDS = {".docx": "Word", ".pptx": "PowerPoint", ".pdf": "PDF", ".html": "网页", ".htm": "网页",
         ".md": "Markdown", ".markdown": "Markdown", ".txt": "文本"}

# A URL typed in text: up to white space, quotes, angle brackets and Chinese punctuation around it
# (a Chinese anchor is part of the URL: …/a/office-service-work#安全保密原则。)
_URL = re.compile(r"""(?:https?://|(?<![\w/.])/(?:a|k|paths)/)[^\s<>"'`，。；：！？、（）「」『』【】《》“”‘’]+""", re.I)
_TRAILING = ".,;:!?)]}'\""


class DocumentError(ValueError):
    """A file that cannot be read; the message, in Chinese, names the file and why."""


@dataclass(frozen=True)
class Found:
    url: str
    where: str  # 第 3 页, 第 2 张幻灯片, 第 12 段, 第 40 行


def text_urls(text: str) -> list[str]:
    return [m.group(0).rstrip(_TRAILING) for m in _URL.finditer(text)]


def links_in(name: str, data: bytes) -> list[Found]:
    """Every link in the file ``name`` with contents ``data``, in reading order, each address
    once per place. Raises DocumentError."""
    suffix = PurePath(name).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise DocumentError(f"{name}：不认识的文件类型（可以检查 " + "、".join(sorted(KINDS)) + "）")
    try:
        found = reader(data)
    except DocumentError as exc:
        raise DocumentError(f"{name}：{exc}") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DocumentError(f"{name}：无法读取这个 {KINDS[suffix]} 文件（{type(exc).__name__}：{str(exc)[:80]}）") from None
    except Exception as exc:  # noqa: BLE001 — a malformed file of any kind is this file's problem, never the site's
        raise DocumentError(f"{name}：无法读取这个 {KINDS[suffix]} 文件，可能已损坏（{type(exc).__name__}）") from None
    unique = list(dict.fromkeys(found))
    return unique[:MAX_LINKS]


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese Windows saves text as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError("文件既不是 UTF-8 也不是 GBK 编码的文字")


def _plain(data: bytes) -> list[Found]:
    return [Found(url, f"第 {n} 行") for n, line in enumerate(_text(data).split("\n"), start=1) for url in text_urls(line)]


def _markdown(data: bytes) -> list[Found]:
    text = _text(data)
    out = []
    linked = {}
    for offset, href in iter_links(text):
        linked.setdefault(offset, []).append(href)
    for n, line in enumerate(text.split("\n")):
        for href in linked.get(n, []):
            if href.startswith(("http://", "https://", "/")):
                out.append(Found(href, f"第 {n + 1} 行"))
        out += [Found(url, f"第 {n + 1} 行") for url in text_urls(re.sub(r"\]\([^)]*\)", "]", line))]
    return out


def _html(data: bytes) -> list[Found]:
    import lxml.html

    if not data.strip():
        return []
    root = lxml.html.document_fromstring(data)
    out = []
    for el in root.iter("a", "area"):
        href = (el.get("href") or "").strip()
        if href.startswith(("http://", "https://", "/")):
            out.append(Found(href, f"第 {el.sourceline} 行" if el.sourceline else "网页中"))
    for el in root.iter("p", "li", "td", "div", "span"):
        for url in text_urls(el.text or ""):
            out.append(Found(url, f"第 {el.sourceline} 行" if el.sourceline else "网页中"))
    return out


_FIELD = re.compile(r'HYPERLINK\s+"([^"]+)"(?:\s+\\l\s+"([^"]+)")?')


def _docx(data: bytes) -> list[Found]:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    out = []
    parts = [document.part, *[s.part for sec in document.sections for s in (sec.header, sec.footer)]]
    for part_index, part in enumerate(parts):
        targets = {rid: rel.target_ref for rid, rel in part.rels.items() if rel.reltype == RT.HYPERLINK}
        for n, paragraph in enumerate(part.element.iter(qn("w:p")), start=1):
            where = f"第 {n} 段" if part_index == 0 else "页眉或页脚"
            for link in paragraph.iter(qn("w:hyperlink")):
                target = targets.get(link.get(qn("r:id")), "")
                if target:
                    fragment = link.get(qn("w:anchor"))
                    out.append(Found(f"{target}#{fragment}" if fragment and "#" not in target else target, where))
            codes = "".join(t.text or "" for t in paragraph.iter(qn("w:instrText")))
            for m in _FIELD.finditer(codes):
                out.append(Found(m.group(1) + (f"#{m.group(2)}" if m.group(2) else ""), where))
            text = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
            out += [Found(url, where) for url in text_urls(text)]
    return out


def _pptx(data: bytes) -> list[Found]:
    import pptx

    deck = pptx.Presentation(io.BytesIO(data))
    out = []
    for n, slide in enumerate(deck.slides, start=1):
        where = f"第 {n} 张幻灯片"
        for shape in _shapes(slide.shapes):
            address = _click(shape)
            if address:
                out.append(Found(address, where))
            if not getattr(shape, "has_text_frame", False):
                continue
            for paragraph in shape.text_frame.paragraphs:
                for run in paragraph.runs:
                    if run.hyperlink.address:
                        out.append(Found(run.hyperlink.address, where))
                out += [Found(url, where) for url in text_urls(paragraph.text)]
    return out


def _shapes(shapes):
    for shape in shapes:
        yield shape
        if getattr(shape, "shape_type", None) == 6:  # MSO_SHAPE_TYPE.GROUP
            yield from _shapes(shape.shapes)


def _click(shape) -> str:
    try:
        return shape.click_action.hyperlink.address or ""
    except (AttributeError, KeyError, ValueError):
        return ""


def _pdf(data: bytes) -> list[Found]:
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        document = pypdf.PdfReader(io.BytesIO(data))
        if document.is_encrypted and not document.decrypt(""):
            raise DocumentError("PDF 有密码，无法读取")
        pages = document.pages
    except PdfReadError as exc:
        raise DocumentError(f"不是有效的 PDF（{str(exc)[:80]}）") from None
    out = []
    for n, page in enumerate(pages, start=1):
        if n > MAX_PAGES:
            break
        where = f"第 {n} 页"
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            uri = action.get_object().get("/URI") if hasattr(action, "get_object") else None
            if uri:
                out.append(Found(_pdf_text(uri), where))
        out += [Found(url, where) for url in text_urls(page.extract_text() or "")]
    return out


def _pdf_text(value) -> str:
    """A URI annotation is a byte string, UTF-8 by custom (a Chinese anchor as typed)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    text = str(value)
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


_READERS = {".docx": _docx, ".pptx": _pptx, ".pdf": _pdf, ".html": _html, ".htm": _html, ".md": _markdown,
            ".markdown": _markdown, ".txt": _plain}
