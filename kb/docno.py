"""Document numbers (发文字号, 文号): 「办发〔2024〕12号」 however it is typed.

GB/T 9704 writes the year in hexagonal brackets 〔〕 and leaves out 第; staff type what their
keyboard offers: 【2024】, [2024], (2024)，（2024）, full-width digits (２０２４), 第12号, 12 without
号, spaces between the parts. Two numbers are the same when their agency code, year and number
are: ``canonical`` writes each one way (「办发〔2024〕12号」), which ``kb check`` compares (two
articles in force with one number) and the search index keeps as one word (search.documents,
search.plan), so that any way of typing a number finds its article and no other.

Old-style numbers without a year (「办字第12号」) are numbers too, but only with 号: 「会议室3」
is not a document number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_OPEN = "〔【[［(（﹝〖{｛"
_CLOSE = "〕】]］)）﹞〗}｝"
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
MAX_PREFIX = 12  # characters of an agency code: 国办发明电, 京政办发 …

# prefix, the space before the bracket (a typed prefix may be a separate word), year, number
_WITH_YEAR = (rf"([{_CJK}]{{0,{MAX_PREFIX}}})(\s*)[{re.escape(_OPEN)}]\s*((?:19|20)\d\d)\s*[{re.escape(_CLOSE)}]"
              rf"\s*第?\s*(\d{{1,5}})(?:\s*[号號])?")
_WITHOUT_YEAR = rf"([{_CJK}]{{1,{MAX_PREFIX}}}?)(\s*)()第?\s*(\d{{1,5}})\s*[号號]"
PATTERN = re.compile(f"{_WITH_YEAR}|{_WITHOUT_YEAR}")


@dataclass(frozen=True)
class DocNo:
    prefix: str  # the agency code, "" when none was written
    year: str  # "" for an old-style number without a year
    number: int

    def text(self, prefix: str | None = None) -> str:
        """The number as GB/T 9704 writes it, with ``prefix`` instead of its own when given."""
        prefix = self.prefix if prefix is None else prefix
        year = f"〔{self.year}〕" if self.year else ""
        return f"{prefix}{year}{self.number}号"

    @property
    def canonical(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Found:
    """A document number inside a longer text: where it stands, and whether its prefix was
    written apart from the bracket (「办发 〔2024〕12号」: the prefix may be a word of its own)."""

    start: int
    end: int
    number: DocNo
    spaced: bool


def _normal(text: str) -> str:
    return text.translate(_FULL_WIDTH_DIGITS)


def _of(match: re.Match) -> tuple[DocNo, bool]:
    groups = match.groups()
    prefix, space, year, number = groups[:4] if match.group(4) is not None else groups[4:]
    return DocNo(prefix, year, int(number)), bool(space)


def parse(text: str) -> DocNo | None:
    """The document number ``text`` is, whole (a front-matter value), or None."""
    if not isinstance(text, str):
        return None
    match = PATTERN.fullmatch(_normal(text).strip())
    return _of(match)[0] if match else None


def canonical(text: str) -> str | None:
    """「办发[２０２４]第12号」 → 「办发〔2024〕12号」; None when ``text`` is no document number."""
    found = parse(text)
    return found.canonical if found else None


def find(text: str) -> list[Found]:
    """The document numbers in ``text`` (a query), left to right. Full-width digits are one
    character each, so offsets are those of ``text``."""
    out = []
    for match in PATTERN.finditer(_normal(text)):
        number, spaced = _of(match)
        out.append(Found(match.start(), match.end(), number, spaced))
    return out
