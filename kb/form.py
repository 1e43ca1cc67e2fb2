"""The article as a form: the registry's fields (kb.fields) as inputs, and the form's values
written back into the file's front matter, for staff who should never have to type YAML.

Which input a field gets follows its kind: a choice is a list to pick from (type, status), a
date a date picker, a list (tags) chips, the rest a line of text; its label and help are the
registry's. Values go back into the text one line at a time (``kb.frontmatter.with_field``),
so comments, order and fields the form does not show stay as they were written; an emptied
field's line is removed, and the file then gets the field's default as before.

A new article starts from its type's skeleton (``SKELETONS``): a 制度 with its 总则 and 第一条,
a 流程 with numbered steps, a 清单 with items to tick.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Mapping

import yaml

from .fields import Field, registry
from .frontmatter import FrontMatterError, parse, with_body, with_field, without_field

#: Fields the site fills itself: not in the form.
AUTOMATIC = ("updated",)
#: Shown first; the others are under 「更多信息」.
MAIN = ("title", "slug", "type", "status", "category", "summary", "tags")
_SPLIT = re.compile(r"[,，、;；\n]+")

SKELETONS = {
    "rule": ("## 第一章 总则\n\n**第一条** 为了……，根据……，制定本制度。\n\n**第二条** 本制度适用于……。\n\n"
             "## 第二章 ……\n\n**第三条** ……\n\n**第四条** ……\n\n"
             "## 第三章 附则\n\n**第五条** 本制度由……负责解释。\n\n**第六条** 本制度自……起施行。\n"),
    "procedure": ("## 适用范围\n\n……\n\n## 办理步骤\n\n1. ……\n2. ……\n3. ……\n\n"
                  "## 所需材料\n\n- ……\n\n## 注意事项\n\n- ……\n"),
    "checklist": "## 事前\n\n- [ ] ……\n- [ ] ……\n\n## 当天\n\n- [ ] ……\n\n## 事后\n\n- [ ] ……\n",
    "principle": "## 一、……\n\n……\n\n## 二、……\n\n……\n",
    "guide": "## 一、……\n\n……\n\n## 二、……\n\n……\n",
}


@dataclass(frozen=True)
class Input:
    """One field of the form: the registry's field and the input that edits it."""

    field: Field
    widget: str  # "text", "url", "date", "select", "chips", "textarea"
    main: bool

    @property
    def name(self) -> str:
        return self.field.name


def _widget(f: Field) -> str:
    if f.kind == "choice":
        return "select"
    if f.kind == "date":
        return "date"
    if f.kind == "url":
        return "url"
    if f.kind == "list":
        return "chips"
    if f.name == "summary":
        return "textarea"
    return "text"


def inputs() -> list[Input]:
    """The form's fields, the main ones first, in the registry's order otherwise."""
    fields = [f for f in registry() if f.name not in AUTOMATIC]
    ordered = [f for name in MAIN for f in fields if f.name == name] + [f for f in fields if f.name not in MAIN]
    return [Input(f, _widget(f), f.name in MAIN) for f in ordered]


def _as_text(f: Field, value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    if f.kind == "choice" and isinstance(value, str):
        return f.normalize(value)
    return str(value)


def values_of(text: str) -> tuple[dict[str, str], str]:
    """(each form field's value as written in the file, as text; the body) of an article's
    text. A text whose front matter cannot be read gives no values and the whole text as body."""
    try:
        parsed = parse(text)
    except FrontMatterError:
        return {}, text
    return {i.name: _as_text(i.field, parsed.meta.get(i.name)) for i in inputs()}, parsed.body.lstrip("\n")


def _yaml(value) -> str:
    """One YAML value on one line, as a person would write it."""
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip().removesuffix("\n...").removesuffix("...").strip()


def _value(f: Field, text: str):
    """The form's text for ``f`` as the YAML value to write, or None to leave the field out."""
    text = text.strip()
    if not text:
        return None
    if f.kind in ("list", "slugs"):
        items = [t.strip() for t in _SPLIT.split(text) if t.strip()]
        return list(dict.fromkeys(items)) or None
    if f.kind == "choice":
        return f.normalize(text)
    if f.kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text  # kept as typed: the save's check names the field and the format
    return text


def written(f: Field, text: str) -> str | None:
    """The form's text for ``f`` as the YAML value to write on its line, or None to leave the
    field out (a folder's defaults, kb.folders.with_values)."""
    value = _value(f, text)
    return None if value is None else _yaml(value)


def values_for(form: Mapping[str, str]) -> dict:
    """The form's fields that have a value, as the front matter will hold them."""
    out = {}
    for i in inputs():
        value = _value(i.field, form.get(i.name) or "")
        if value is not None:
            out[i.name] = value
    return out


def compose(text: str, form: Mapping[str, str], body: str) -> str:
    """``text`` with the form's field values and ``body``; a field the form leaves empty is
    removed from the front matter. ``text`` may be "" (a new article)."""
    out = text if text.strip() else "---\n---\n"
    try:
        before = parse(text).meta if text.strip() else {}
    except FrontMatterError:
        before = {}
    for i in inputs():
        if i.name not in form:
            continue
        value = _value(i.field, form.get(i.name) or "")
        if _same(i.field, before.get(i.name), value):
            continue  # the line stays as it was written (quotes, comments, layout)
        out = without_field(out, i.name) if value is None else with_field(out, i.name, _yaml(value))
    return with_body(out, body)


def _same(f: Field, old, new) -> bool:
    """Whether the form's value says what the file already says."""
    if old in (None, "", []) or new is None:
        return old in (None, "", []) and new is None
    if f.kind == "choice" and isinstance(old, str):
        return f.normalize(old) == new
    if isinstance(new, list):
        return isinstance(old, list) and [str(v).strip() for v in old] == new
    if isinstance(new, dt.date):
        return isinstance(old, dt.date) and old == new
    return str(old).strip() == str(new)


def skeleton(kind: str) -> str:
    return SKELETONS.get(kind, "")
