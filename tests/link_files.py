"""Onboarding material with links, made in the tests as an office makes it (no binaries in the
repository): a Word document with hyperlinks (a relationship of the part, a HYPERLINK field
and an address typed as text), a PDF with link annotations and a printed address, a
PowerPoint deck, a saved web page. Each takes [(text, url)] and returns the file's bytes."""
from __future__ import annotations

import io
from urllib.parse import quote


def docx(links: list[tuple[str, str]], typed: str = "") -> bytes:
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    doc.add_heading("新员工入职须知", 1)
    for text, url in links:
        paragraph = doc.add_paragraph("请阅读：")
        rid = doc.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rid)
        run = OxmlElement("w:r")
        words = OxmlElement("w:t")
        words.text = text
        run.append(words)
        link.append(run)
        paragraph._p.append(link)
    if typed:
        doc.add_paragraph(f"打印版地址：{typed}。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf(links: list[tuple[str, str]], printed: str = "") -> bytes:
    """One page per link, each with a link annotation (the address percent-encoded, as Word
    and browsers write it into a PDF); ``printed`` is an address written only as text."""
    from pypdf import PdfWriter
    from pypdf.annotations import Link
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    for i, (text, url) in enumerate(links or [("", "")]):
        page = writer.add_blank_page(595, 842)
        words = printed if i == 0 and printed else "Onboarding"
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 11 Tf 72 760 Td ({words}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        if url:
            writer.add_annotation(i, Link(rect=(72, 700, 300, 720), url=quote(url, safe=":/#?=&%")))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pptx(links: list[tuple[str, str]]) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for text, url in links:
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
        run = box.text_frame.paragraphs[0].add_run()
        run.text = text
        run.hyperlink.address = url
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def html(links: list[tuple[str, str]]) -> bytes:
    items = "\n".join(f'<li><a href="{url}">{text}</a></li>' for text, url in links)
    return f"<!doctype html><html><head><meta charset=utf-8><title>入职</title></head><body><ul>\n{items}\n</ul></body></html>".encode()
