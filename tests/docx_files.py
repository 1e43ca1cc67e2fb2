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
