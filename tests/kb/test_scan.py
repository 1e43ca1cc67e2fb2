"""One fence-aware scanner for headings, links and body checks (CommonMark fence rules)."""
import pytest

from kb.scan import scan, text_lines
from kb.sections import split_sections
from kb.store import load_catalog
from tests.conftest import FIXTURES

FENCES = FIXTURES / "fences"


def code_lines(body: str) -> list[int]:
    return [line.index for line in scan(body) if line.code]


def test_a_backtick_line_inside_a_tilde_fence_does_not_close_it():
    body = "~~~\n```\n# 代码\n~~~\n# 文字"
    assert code_lines(body) == [0, 1, 2, 3]
    assert list(text_lines(body)) == [(4, "# 文字")]


def test_a_shorter_run_does_not_close_a_longer_fence():
    assert code_lines("````\n```\nx\n````\ny") == [0, 1, 2, 3]


@pytest.mark.parametrize("closing", ["   ```", "`````", "```  "])
def test_a_fence_closes_with_up_to_three_spaces_and_a_run_at_least_as_long(closing):
    assert code_lines(f"```\nx\n{closing}\ny") == [0, 1, 2]


@pytest.mark.parametrize("not_closing", ["    ```", "``` x", "~~~"])
def test_lines_that_look_like_a_closing_fence_but_are_not(not_closing):
    assert code_lines(f"```\nx\n{not_closing}\ny") == [0, 1, 2, 3]


def test_four_spaces_or_a_backtick_in_the_info_string_open_no_fence():
    assert code_lines("    ```\nx") == []
    assert code_lines("``` a`b\nx") == []


def test_an_unclosed_fence_runs_to_the_end_of_the_body():
    assert code_lines("a\n~~~\n# x\n[l](y)") == [1, 2, 3]


def test_line_numbers_count_only_newlines():
    body = "a\x0cb\n## 标题"
    assert list(text_lines(body)) == [(0, "a\x0cb"), (1, "## 标题")]


def test_fenced_examples_give_no_false_problems_in_kb_check():
    catalog = load_catalog(FENCES)
    assert [str(p) for p in catalog.problems] == []
    assert len(catalog.articles) == 3


def test_headings_inside_any_fence_are_not_sections():
    catalog = load_catalog(FENCES)
    headings = {a.slug: [s.heading for s in a.sections if s.anchor] for a in catalog.articles}
    assert headings["markdown-example"] == ["一、示例", "二、说明"]
    assert headings["long-fence"] == ["一、示例", "二、说明"]
    assert headings["unclosed-fence"] == ["一、缩进三格的围栏", "二、没有结束的代码块"]


def test_sections_keep_the_fenced_text():
    (section,) = split_sections("## 一、示例\n\n~~~\n```\n## 不是标题\n~~~\n")
    assert "## 不是标题" in section.text


def test_the_page_shows_the_code_blocks_the_checks_saw():
    from kb.render import render

    catalog = load_catalog(FENCES)
    for article in catalog.articles:
        html = render(article, catalog.resolve).html
        assert "<h1" not in html and "broken-link" not in html, article.slug
        assert "<pre" in html
    html = render(catalog.get("unclosed-fence"), catalog.resolve).html
    assert "# 代码里的井号" in html and "# 也不是标题" in html
