"""The article form: the registry's fields in, the front matter out — no YAML typed, nothing
else in the file disturbed."""
import datetime as dt

import pytest

from kb import form
from kb.fields import registry
from kb.frontmatter import parse
from kb.store import load_article

TEXT = """---
title: 印章管理办法
# 这一行是编辑写的注释
slug: seal-rules
type: rule
custom: 保留我
tags: [印章]
---

## 第一章 总则
"""


def test_every_field_of_the_registry_but_the_automatic_one_is_in_the_form():
    names = [i.name for i in form.inputs()]
    assert set(names) == set(registry().names()) - {"updated"}
    widgets = {i.name: i.widget for i in form.inputs()}
    assert widgets["type"] == widgets["status"] == "select" and widgets["tags"] == "chips"
    assert widgets["effective"] == widgets["review_by"] == "date"


def test_values_written_back_keep_comments_order_and_unknown_fields():
    values, body = form.values_of(TEXT)
    assert values["tags"] == "印章" and values["type"] == "rule" and body.startswith("## 第一章")
    values.update(tags="印章，用印、审批", status="试行", doc_no="办发〔2024〕12号", effective="2025-03-01", summary="")
    out = form.compose(TEXT, values, body + "\n**第一条** 为了规范用印。\n")
    meta = parse(out).meta
    assert meta["tags"] == ["印章", "用印", "审批"] and meta["status"] == "trial"
    assert meta["effective"] == dt.date(2025, 3, 1) and meta["doc_no"] == "办发〔2024〕12号"
    assert meta["custom"] == "保留我" and "# 这一行是编辑写的注释" in out
    assert "summary" not in meta  # emptied: left to its default
    assert out.endswith("**第一条** 为了规范用印。\n")


def test_an_emptied_field_is_removed_with_its_continuation_lines():
    text = "---\ntitle: 甲\ntags:\n  - 一\n  - 二\nslug: jia-wen\n---\n\n正文\n"
    out = form.compose(text, {"tags": ""}, "正文")
    assert parse(out).meta == {"title": "甲", "slug": "jia-wen"}


def test_values_that_need_quoting_in_yaml_are_written_so():
    out = form.compose("", {"title": "通知: 关于#3 的说明", "type": "rule"}, "正文")
    assert parse(out).meta["title"] == "通知: 关于#3 的说明"


def test_a_bad_date_is_kept_as_typed_for_the_check_to_name(tmp_path):
    out = form.compose("", {"title": "甲乙丙", "effective": "2025-13-40"}, "正文")
    (tmp_path / "a.md").write_text(out, encoding="utf-8")
    article, problems = load_article(tmp_path / "a.md", tmp_path)
    assert any("effective" in p.message or "日期" in p.message for p in problems)


@pytest.mark.parametrize("kind", ["rule", "procedure", "checklist", "principle", "guide"])
def test_each_types_skeleton_is_a_valid_article(kind, tmp_path):
    text = form.compose("", {"title": "新文章的标题", "type": kind, "category": "行政"}, form.skeleton(kind))
    (tmp_path / "guides").mkdir()
    (tmp_path / "guides" / "x.md").write_text(text, encoding="utf-8")
    article, problems = load_article(tmp_path / "guides" / "x.md", tmp_path)
    assert article is not None and not [p for p in problems if p.severity == "error"]
    assert article.type == kind and article.sections


def test_the_skeletons_say_what_each_type_is():
    assert "第一条" in form.skeleton("rule") and "1. " in form.skeleton("procedure")
    assert "- [ ] " in form.skeleton("checklist")
