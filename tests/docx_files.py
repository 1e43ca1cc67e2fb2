"""Builds the Word documents the import tests read (python-docx), as an office writes them:
outline numbering typed into the text (一、（一）1.), once as Word heading styles and once as
bold paragraphs, a table with a header row and a merged cell, and an image."""
from __future__ import annotations

import base64
import io
from pathlib import Path

# a 1x1 PNG
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _table(doc) -> None:
    table = doc.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for i, text in enumerate(["事项", "责任部门", "完成时限"]):
        table.cell(0, i).text = text
    for i, text in enumerate(["会场布置", "办公室", "会前一天"]):
        table.cell(1, i).text = text
    table.cell(2, 0).merge(table.cell(2, 1)).text = "材料印发"
    table.cell(2, 2).text = "会前两天"


def meeting_rules(path: Path, styled: bool = True, image: bool = False, title: str = "会议筹备办法") -> Path:
    from docx import Document

    doc = Document()
    doc.core_properties.title = title

    def heading(text: str, level: int) -> None:
        if styled:
            doc.add_heading(text, level)
        else:
            doc.add_paragraph().add_run(text).bold = True

    doc.add_paragraph("为做好会议筹备工作，制定本办法。")
    heading("一、总体要求", 1)
    doc.add_paragraph("会议筹备要做到周密细致，确保会议顺利召开。")
    heading("（一）会前准备", 2)
    doc.add_paragraph("确定会议名称、议题、时间、地点和参会人员。")
    heading("1. 会场布置", 3)
    doc.add_paragraph("按参会人数布置会场，检查音响和投影。")
    _table(doc)
    if image:
        doc.add_picture(io.BytesIO(PNG))
    heading("二、会议保障", 1)
    doc.add_paragraph("做好保密、安全和后勤保障。")
    doc.save(path)
    return path


def padded_png(number: int, size: int) -> bytes:
    """A valid 1×1 PNG of ``size`` bytes, distinct by ``number`` (padding after IEND, which
    readers ignore): a large image that a zip packs into a few kilobytes."""
    return PNG + number.to_bytes(8, "big") + bytes(size - len(PNG) - 8)


def many_images(path: Path, count: int, size: int = 4_900_000) -> Path:
    """A report with ``count`` distinct images of ``size`` bytes each (issue 16: 40 of 4.9 MB
    made a 234 KB file)."""
    from docx import Document

    doc = Document()
    doc.core_properties.title = "图片很多的报告"
    doc.add_paragraph("一、概况")
    for i in range(count):
        doc.add_paragraph(f"第 {i + 1} 张图：")
        doc.add_picture(io.BytesIO(padded_png(i, size)))
    doc.save(path)
    return path


def replace_part(path: Path, part: str, data: bytes) -> Path:
    """``path`` with one of its zip parts replaced (written compressed, as Word does)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts[part] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return path


def bold_runs(count: int) -> bytes:
    """A document.xml of one paragraph of ``count`` one-character runs, every other one bold:
    small XML per character, and the most pandoc memory per byte we found (5.9 MB of it took
    pandoc to 587 MB)."""
    runs = "".join(f'<w:r>{"<w:rPr><w:b/></w:rPr>" if i % 2 else ""}<w:t>保</w:t></w:r>' for i in range(count))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p>{runs}</w:p></w:body></w:document>").encode()


def zip_bomb(path: Path, megabytes: int = 30) -> Path:
    """A .docx whose text unpacks to ``megabytes`` MB from a few hundred KB."""
    meeting_rules(path)
    return replace_part(path, "word/document.xml", bold_runs(megabytes * 1_000_000 // 40))


def huge_title(path: Path, megabytes: int = 50) -> Path:
    """A .docx whose title property is ``megabytes`` MB (issue 16: 83 KB, 29 s)."""
    meeting_rules(path)
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>' + "标题" * (megabytes * 1_000_000 // 6) +
            "</dc:title></cp:coreProperties>")
    return replace_part(path, "docProps/core.xml", core.encode())
