import datetime as dt

import pytest

from kb.frontmatter import FrontMatterError, dump, parse, with_field


def test_body_line_points_at_the_first_body_line():
    text = "---\ntitle: 标题\n---\n正文第一行\n"
    parsed = parse(text)
    assert parsed.meta == {"title": "标题"}
    assert text.split("\n")[parsed.body_line - 1] == "正文第一行"


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("---\ntitle: a\ntitle: b\n---\nx", 3, "重复"),
        ("---\ntitle: a\nbody\n", 1, "没有结束行"),
        ("---\n- a\n---\nx", 2, "字段: 值"),
        ("---\na: 1\nb: c: d\n---\n", 3, "YAML 格式错误"),
    ],
)
def test_bad_front_matter_is_reported_with_its_line(text, line, words):
    with pytest.raises(FrontMatterError) as info:
        parse(text)
    assert info.value.line == line
    assert words in info.value.message


def test_a_file_without_front_matter_is_all_body():
    parsed = parse("\ufeff# 会议管理办法\r\n\r\n第一条。\r\n")
    assert parsed.meta == {} and not parsed.has_front_matter
    assert parsed.body == "# 会议管理办法\n\n第一条。\n" and parsed.body_line == 1


def test_dump_round_trips_chinese_and_dates():
    meta = {"title": "会议筹备", "tags": ["会务", "保密"], "updated": dt.date(2026, 1, 2)}
    parsed = parse(dump(meta, "## 一、正文\n"))
    assert parsed.meta == meta
    assert parsed.body.strip() == "## 一、正文"


def test_dump_writes_plain_yaml_without_anchors_for_repeated_values():
    today = dt.date(2026, 3, 1)
    text = dump({"title": "会议", "tags": [], "published": today, "updated": today, "aliases": []}, "正文")
    assert "&id" not in text and "*id" not in text
    assert "published: 2026-03-01\nupdated: 2026-03-01\n" in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("---\ntitle: 甲\nupdated: 2020-01-01\ntags: [a]\n---\n正文\n", "---\ntitle: 甲\nupdated: 2026-03-01\ntags: [a]\n---\n正文\n"),
        ("---\ntitle: 甲  # 注释留着\n---\n正文", "---\ntitle: 甲  # 注释留着\nupdated: 2026-03-01\n---\n正文"),
        ("---\nupdated:\n  2020-01-01\ntitle: 甲\n---\n", "---\nupdated: 2026-03-01\ntitle: 甲\n---\n"),
        ("# 纯 Markdown\n", "---\nupdated: 2026-03-01\n---\n\n# 纯 Markdown\n"),
        ("---\ntitle: 没有结束\n", "---\ntitle: 没有结束\n"),
    ],
)
def test_with_field_changes_one_line_and_keeps_the_rest_as_written(text, expected):
    assert with_field(text, "updated", "2026-03-01") == expected
