"""What a form may carry: no character nobody types, in any field, checked before any write.

A NUL in a change note (修改说明) used to reach git as an argument after the article had been
written: a 500, and a save left out of the history. A NUL in an import path and a file name of
300 characters did the same further down. Rather than each use case defending every argument,
every write request passes here first (after the origin, role and form token checks of
web.auth) and is refused with a message naming the field:

- control characters (C0 and C1, DEL) in any field; line breaks and tabs only in the fields
  that are text areas (an article's text, the synonyms list);
- a file name longer than ``MAX_FILE_NAME`` characters, or with a control character.

The domain checks its own arguments too (kb.saving refuses such paths, kb.history such change
notes): this is the first gate, not the only one.
"""
from __future__ import annotations

import re

from flask import Flask, request

from .errors import respond

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # a one-line field: no tab or line break either
MULTILINE = {"text", "body"}  # text areas: the article, the synonyms list
MAX_FILE_NAME = 200  # characters; file systems stop at 255 bytes (85 Chinese characters in UTF-8 is 255)
LABELS = {
    "message": "修改说明", "path": "文件位置", "text": "正文", "body": "正文", "title": "标题", "slug": "slug",
    "name": "名称", "category": "分类", "tags": "标签", "summary": "摘要", "word": "词", "partner": "意思相同的词",
    "password": "密码", "q": "搜索词", "url": "地址", "next": "返回地址", "type": "类型", "role": "角色",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def problem(name: str, value: str) -> str | None:
    """Why the field ``name`` cannot take ``value`` (in Chinese), or None."""
    pattern = CONTROL if name in MULTILINE else LINE_CONTROL
    found = pattern.search(value)
    if found is None:
        return None
    label = LABELS.get(name, name)
    char = "NUL" if found.group() == "\0" else f"U+{ord(found.group()):04X}"
    return f"「{label}」里有不可见的控制字符（{char}），没有保存任何内容。请删掉这个字符后再提交。"


def file_name_problem(name: str) -> str | None:
    if LINE_CONTROL.search(name):
        return "上传的文件名里有不可见的控制字符，没有导入。请改一个文件名后再上传。"
    if len(name) > MAX_FILE_NAME:
        return f"上传的文件名太长（{len(name)} 个字，最多 {MAX_FILE_NAME} 个），没有导入。请改短后再上传。"
    return None


def refuse_control_characters():
    """The hook: the first problem of a write request's fields, as a 400."""
    if request.method not in UNSAFE:
        return None
    for name, value in request.form.items(multi=True):
        found = problem(name, value)
        if found:
            return respond(400, found, "bad_input")
    for upload in request.files.values():
        found = file_name_problem(upload.filename or "")
        if found:
            return respond(400, found, "bad_input")
    return None


def init_app(app: Flask) -> None:
    """Register after web.auth: a visitor who may not write is told that first, and their
    body is never parsed."""
    app.before_request(refuse_control_characters)
