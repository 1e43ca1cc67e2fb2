"""The one fence-aware reading of a Markdown body, line by line.

Headings, links and the body checks all ask the same question — is this line Markdown text or
part of a fenced code block? — and copies of the answer drifted: one scanner toggled on any
fence line, so a ```` ``` ```` line inside a ``~~~`` block ended the block for it and the
code after it was read as text (false broken links, false 「不要用一级标题」 warnings).
Here the CommonMark rules, once:

- an opening fence is at least three backticks or tildes, indented by at most three spaces;
  a backtick fence's info string may not contain a backtick;
- only a run of the same character, at least as long, indented by at most three spaces and
  followed by nothing but spaces, closes it; anything else inside is code;
- a block never closed runs to the end of the body.

Lines are split on ``\\n`` only (not ``str.splitlines``, which also splits on form feeds and
Unicode separators), so that a line index plus the body's first line is the file's line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


@dataclass(frozen=True)
class Line:
    index: int  # 0-based line of the body
    text: str
    code: bool  # inside a fenced code block, or one of its fence lines


def scan(body: str) -> Iterator[Line]:
    """Every line of ``body``, each marked as code or text."""
    fence = ""  # the opening run of the block we are in, "" outside code
    for i, text in enumerate(body.split("\n")):
        text = text.rstrip("\r")
        if fence:
            if _closes(text, fence):
                fence = ""
            yield Line(i, text, True)
            continue
        opening = _OPEN.match(text)
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            fence = opening.group(1)
            yield Line(i, text, True)
            continue
        yield Line(i, text, False)


def _closes(text: str, fence: str) -> bool:
    stripped = text.lstrip(" ")
    if len(text) - len(stripped) > 3:
        return False
    run = len(stripped) - len(stripped.lstrip(fence[0]))
    return run >= len(fence) and not stripped[run:].strip(" \t")


def text_lines(body: str) -> Iterator[tuple[int, str]]:
    """(index, line) for the lines outside fenced code: where headings, links and
    Markdown checks live."""
    for line in scan(body):
        if not line.code:
            yield line.index, line.text


def as_rendered(body: str) -> str:
    """``body`` with its fences written the way Python-Markdown's fenced_code reads them, so the
    page shows the same code blocks the checks saw: an opening fence without indentation, a
    closing fence exactly like the opening one, and a block left open closed at the end."""
    out: list[str] = []
    fence = ""
    for line in scan(body):
        if line.code and not fence:
            opening = _OPEN.match(line.text)
            fence = opening.group(1)
            out.append(fence + opening.group(2))
        elif fence and line.code and _closes(line.text, fence):
            out.append(fence)
            fence = ""
        else:
            out.append(line.text)
    if fence:
        out.append(fence)
    return "\n".join(out)
