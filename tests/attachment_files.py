"""Small real PDF, Word, Excel and PowerPoint files made on the spot (no binaries in the repo),
each carrying the Chinese text given: fpdf2 with the machine's CJK font, python-docx, openpyxl
and python-pptx."""
from __future__ import annotations

import io
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # fonts-wqy-microhei (.ci/test installs it)


def pdf(text: str) -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.add_font("wqy", fname=str(FONT), collection_font_number=0)
    doc.set_font("wqy", size=14)
    doc.multi_cell(0, 10, text)
    return bytes(doc.output())


def docx(text: str) -> bytes:
    import docx as python_docx

    doc = python_docx.Document()
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx(text: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "填报"
    sheet.append(["项目", "说明"])
    sheet.append(["备注", text])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pptx(text: str) -> bytes:
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "培训"
    slide.placeholders[1].text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


MAKERS = {"pdf": pdf, "docx": docx, "xlsx": xlsx, "pptx": pptx}
