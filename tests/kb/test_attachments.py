"""Attachments in the domain: the kind by content, safe names, where they live, and their text
read by the libraries in a bounded child process, cached per file content."""
import zipfile
from io import BytesIO

import pytest

from kb import attachments, extract
from kb.attachments import Upload, check_uploads, kind_of, safe_name
from tests.attachment_files import MAKERS


@pytest.mark.parametrize("kind", list(MAKERS))
def test_each_kind_is_recognised_by_its_content_and_its_text_read(kind, tmp_path):
    data = MAKERS[kind]("差旅费报销要在出差结束后五个工作日内办理")
    assert kind_of(data) == kind
    path = tmp_path / f"x{attachments.KINDS[kind][1]}"
    path.write_bytes(data)
    text, error = extract.text_of(path, kind, tmp_path)
    assert error is None and "五个工作日内办理" in text.replace("\n", "")


def test_a_file_is_judged_by_its_content_not_its_name():
    assert kind_of(b"<html><script>alert(1)</script></html>") is None
    assert kind_of(b"MZ\x90\x00 an exe") is None
    zipped = BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("hello.txt", "not an office file")
    assert kind_of(zipped.getvalue()) is None
    kept, problems = check_uploads([Upload("申请表.pdf", b"<html>not a pdf</html>")], [], "guides/a.md", 10**6, 10)
    assert kept == [] and "申请表.pdf" in problems[0].message and "不是 PDF" in problems[0].message


def test_an_old_office_file_is_refused_with_what_to_do():
    _, problems = check_uploads([Upload("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)], [], "a.md", 10**6, 10)
    assert "另存为新格式" in problems[0].message


def test_names_are_made_safe_and_take_the_extension_of_their_kind():
    assert safe_name("../../etc/申请表.pdf", "pdf") == "申请表.pdf"
    assert safe_name("C:\\Users\\张三\\报销 单 (2).DOCX", "docx") == "报销_单_(2).docx"
    assert safe_name(".hidden\u202e.pdf", "pdf") == "hidden.pdf"
    assert safe_name("<script>.xlsx", "xlsx") == "script.xlsx"
    assert safe_name("表.doc", "docx") == "表.docx"  # a .docx named .doc: the content decides
    assert safe_name("", "pdf") == "附件.pdf"
    assert len(safe_name("长" * 300 + ".pdf", "pdf")) <= attachments.MAX_NAME


def test_size_and_count_limits_name_the_setting():
    data = MAKERS["pdf"]("内容")
    _, problems = check_uploads([Upload("大.pdf", data)], [], "a.md", 100, 10)
    assert "max_attachment_bytes" in problems[0].message and "大.pdf" in problems[0].message
    _, problems = check_uploads([Upload("一.pdf", data)], ["二.pdf", "三.pdf"], "a.md", 10**7, 2)
    assert "max_attachments" in problems[0].message


def test_attachments_live_beside_their_article():
    assert attachments.folder_of("guides/travel.md") == "guides/travel.files"
    assert attachments.owner_of("guides/travel.files/报销单.xlsx") == "guides/travel.md"
    assert attachments.owner_of("guides/travel.md") is None
    assert attachments.name_from_anchor(attachments.anchor("报销单.xlsx")) == "报销单.xlsx"
    assert attachments.name_from_anchor("一总则") is None


def test_a_broken_file_gives_a_reason_not_an_exception_and_is_remembered(tmp_path):
    path = tmp_path / "坏.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 100)
    text, error = extract.text_of(path, "pdf", tmp_path)
    assert text == "" and error and "无法读取" in error
    cached = list((tmp_path / extract.CACHE).glob("*.text"))
    assert len(cached) == 1
    assert extract.text_of(path, "pdf", tmp_path) == (text, error)  # from the cache, not read again


def test_the_text_is_read_once_per_content(tmp_path, monkeypatch):
    path = tmp_path / "a.docx"
    path.write_bytes(MAKERS["docx"]("用印申请"))
    first = extract.text_of(path, "docx", tmp_path)
    monkeypatch.setattr(extract, "_run", lambda kind, p: pytest.fail("read again"))
    assert extract.text_of(path, "docx", tmp_path) == first
