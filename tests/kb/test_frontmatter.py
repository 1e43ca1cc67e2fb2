import datetime as dt

import pytest

from kb.frontmatter import FrontMatterError, dump, parse


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
        ("title: a\n", 1, "缺少 YAML 前置信息"),
        ("---\n- a\n---\nx", 2, "字段: 值"),
        ("---\na: 1\nb: c: d\n---\n", 3, "YAML 格式错误"),
    ],
)
def test_bad_front_matter_is_reported_with_its_line(text, line, words):
    with pytest.raises(FrontMatterError) as info:
        parse(text)
    assert info.value.line == line
    assert words in info.value.message


def test_dump_round_trips_chinese_and_dates():
    meta = {"title": "会议筹备", "tags": ["会务", "保密"], "updated": dt.date(2026, 1, 2)}
    parsed = parse(dump(meta, "## 一、正文\n"))
    assert parsed.meta == meta
    assert parsed.body.strip() == "## 一、正文"
