"""Reading the links out of onboarding material (kb.doclinks), each format made in the test."""
import pytest

from kb.doclinks import DocumentError, links_in, text_urls
from tests import link_files

LINKS = [("服务工作", "https://kb.example.cn/a/office-service-work#安全保密原则"), ("外部", "https://www.gov.cn/")]


def urls(found):
    return [(f.url, f.where) for f in found]


def test_word_hyperlinks_and_addresses_typed_as_text():
    found = links_in("入职须知.docx", link_files.docx(LINKS, typed="http://kb/k/13"))
    assert urls(found) == [(LINKS[0][1], "第 2 段"), (LINKS[1][1], "第 3 段"), ("http://kb/k/13", "第 4 段")]


def test_pdf_link_annotations_and_printed_addresses():
    found = links_in("handbook.pdf", link_files.pdf(LINKS, printed="http://kb/k/13"))
    assert ("https://kb.example.cn/a/office-service-work#%E5%AE%89%E5%85%A8%E4%BF%9D%E5%AF%86%E5%8E%9F%E5%88%99", "第 1 页") in urls(found)
    assert ("https://www.gov.cn/", "第 2 页") in urls(found)
    assert ("http://kb/k/13", "第 1 页") in urls(found)


def test_powerpoint_runs_with_hyperlinks():
    assert urls(links_in("培训.pptx", link_files.pptx(LINKS))) == [(LINKS[0][1], "第 1 张幻灯片"), (LINKS[1][1], "第 2 张幻灯片")]


def test_html_markdown_and_text():
    assert [u for u, _ in urls(links_in("a.html", link_files.html(LINKS)))] == [u for _, u in LINKS]
    markdown = "先读[服务工作](https://kb.example.cn/a/office-service-work)，再看 /k/13 。\n".encode()
    assert urls(links_in("a.md", markdown)) == [("https://kb.example.cn/a/office-service-work", "第 1 行"), ("/k/13", "第 1 行")]
    text = "第一天：https://kb.example.cn/a/office-service-work#安全保密原则。\n第二天：http://kb/k/2，完\n".encode("gb18030")
    assert urls(links_in("list.txt", text)) == [("https://kb.example.cn/a/office-service-work#安全保密原则", "第 1 行"),
                                                ("http://kb/k/2", "第 2 行")]


def test_chinese_punctuation_ends_a_typed_address():
    assert text_urls("见（https://kb/a/x#小节）和“http://kb/k/1”。") == ["https://kb/a/x#小节", "http://kb/k/1"]


@pytest.mark.parametrize("name, data", [("a.docx", b"not a zip"), ("a.pdf", b"%PDF-1.4 garbage"),
                                        ("a.pptx", b"PK\x03\x04broken"), ("a.xlsx", b"")])
def test_an_unreadable_file_is_one_message_naming_it(name, data):
    with pytest.raises(DocumentError) as caught:
        links_in(name, data)
    assert str(caught.value).startswith(f"{name}：")
