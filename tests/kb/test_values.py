"""Bad values in front matter are problems of their file (issue 9.2), never a site-wide error."""
import datetime as dt

import pytest

from cli import main
from kb.store import load_article, load_catalog
from tests.conftest import FIXTURES

VALUES = FIXTURES / "values"


def problems_of(name: str):
    article, problems = load_article(VALUES / name, VALUES)
    return article, problems


@pytest.mark.parametrize(
    "name, line, words",
    [
        ("impossible_date.md", 7, "“2024-02-30” 不是有效的日期"),
        ("month_thirteen.md", 7, "“2024-13-45” 不是有效的日期"),
        ("bad_time.md", 7, "“2024-03-01 25:61:00” 不是有效的日期"),
        ("int_tag.md", 8, "“abc” 不能读作整数"),
        ("list_as_key.md", 8, "字段名应该是文字"),
        ("python_object.md", 8, "不支持的 YAML 标签 !!python/object/apply:os.system"),
        ("billion_laughs.md", 9, "不能用 YAML 锚点和别名"),
    ],
)
def test_a_bad_value_is_an_error_of_its_file_with_line_and_chinese_message(name, line, words):
    article, problems = problems_of(name)
    assert article is None
    assert any(p.line == line and words in p.message and p.severity == "error" for p in problems), problems


def test_a_hundred_thousand_digit_number_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "huge.md"
    path.write_text(f"---\ntitle: 大数\nupdated: {'9' * 100_000}\n---\n\n正文。\n", encoding="utf-8")
    article, problems = load_article(path, tmp_path)
    assert article is None
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.line == 3 and "数字太长" in problem.message and len(problem.message) < 200


def test_a_datetime_beside_a_date_is_compared_as_dates():
    article, problems = problems_of("datetime_published.md")
    assert article is not None, problems
    assert article.published == dt.date(2024, 3, 1) and type(article.published) is dt.date


def test_bad_values_never_hide_the_good_file():
    catalog = load_catalog(VALUES)
    assert catalog.get("good-values") is not None
    broken = {p.path for p in catalog.problems if p.severity == "error"}
    assert broken == {"impossible_date.md", "month_thirteen.md", "bad_time.md", "int_tag.md", "list_as_key.md",
                      "python_object.md", "billion_laughs.md"}


def test_kb_check_names_every_bad_file(capsys):
    assert main(["check", str(VALUES)]) == 1
    out = capsys.readouterr().out
    for name in ("impossible_date.md:7", "int_tag.md:8", "list_as_key.md:8", "billion_laughs.md:9"):
        assert name in out
