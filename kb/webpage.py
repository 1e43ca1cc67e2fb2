"""A web page saved from a browser, as an article and the facts about it: its title, date,
author and source.

trafilatura finds the article (dropping navigation, footers, 「分享」「下载」「举报」) and the
page's metadata — title, date, author, site name and address — from its markup and text. It
knows nothing of the byline Chinese sites print above an article, 「发布时间：2024-03-01
来源：办公室」, which it keeps as the article's first paragraph: imported as it was, that line
became the summary (and the search snippet said it twice), and the date became the day of the
import. So the byline is taken out here, and its 来源 and 作者 kept, as its date where the
page's metadata has none. (trafilatura's author is only a fallback: it drops every name without
a space in it, which is every Chinese name.)

Dates come from trafilatura's metadata without its extensive search: that search takes the year
of 「2024年3月1日」 alone and answers 2024-01-01, a date the page never gave (htmldate has no
pattern for 年月日). Such a date is read from the byline instead.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

#: Labels of a byline's fields, longest first so that 「发布时间」 is not read as 「时间」.
_SOURCE = ("信息来源", "文章来源", "稿件来源", "来源", "出处")
_AUTHOR = ("作者", "撰稿人", "撰稿", "供稿")
_DATE = ("发布时间", "发布日期", "发稿时间", "更新时间", "时间", "日期")
_COUNT = ("浏览次数", "阅读次数", "点击次数", "点击数", "浏览量", "阅读量", "访问量", "浏览", "阅读", "点击")
_OTHER = ("责任编辑", "责编", "编辑", "审核", "字号")
_LABELS = sorted({*_SOURCE, *_AUTHOR, *_DATE, *_COUNT, *_OTHER}, key=len, reverse=True)
_FIELD = re.compile(rf"({'|'.join(_LABELS)})\s*[:：]\s*")
# Labels that only a byline has (「时间：」 alone may start a meeting notice's first line).
_BYLINE_ONLY = {*_SOURCE, *_COUNT, "发布时间", "发布日期", "发稿时间", "责任编辑", "责编"}
_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                        r"(?:\s*\d{1,2}\s*[:：时]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2}\s*秒?)?分?)?")
_FURNITURE = re.compile(r"【[^】]{0,12}】|\[[^\]]{0,12}\]|[|｜丨]")
BYLINE_LENGTH = 160  # characters: a longer paragraph is the article's text
VALUE_LENGTH = 40  # a byline's name or source; longer is a sentence


@dataclass(frozen=True)
class SavedPage:
    html: str  # the article alone, its byline taken out
    title: str | None = None
    author: str = ""
    source: str = ""  # who published it: the byline's 来源, else the site's name
    source_url: str = ""  # the page's own address, when the page says it (canonical link, og:url)
    published: dt.date | None = None


def read_saved_page(data: bytes) -> SavedPage | None:
    """The article and its facts, or None when the page has no article text. ``data`` is the
    file as saved: trafilatura finds its encoding (many Chinese sites still serve GBK)."""
    import trafilatura
    from lxml import html as lxml_html
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        return None
    main = trafilatura.extract(data, output_format="html", include_tables=True, include_formatting=True,
                               include_links=True, include_images=False, favor_recall=True)
    if not main:
        return None
    meta = trafilatura.extract_metadata(tree, extensive=False)
    article = lxml_html.fromstring(main)
    byline = _take_bylines(article)
    published = _date(meta.date) if meta is not None and meta.date else None
    url = (meta.url or "") if meta is not None else ""
    return SavedPage(
        html=lxml_html.tostring(article, encoding="unicode"),
        title=meta.title if meta is not None else None,
        author=byline.get("author", "") or (meta.author if meta is not None and meta.author else ""),
        source=byline.get("source", "") or (meta.sitename if meta is not None and meta.sitename else ""),
        source_url=url if url.startswith(("http://", "https://")) else "",
        published=published or byline.get("published"),
    )


def _take_bylines(article) -> dict:
    """Remove the byline paragraphs around the article's text (the first blocks before its text
    starts, and the last block: 「责任编辑：…」) and return what they said."""
    blocks = [el for el in article.iter("p", "div") if not el.findall(".//p") and el.text_content().strip()]
    found: dict = {}
    candidates = []
    for el in blocks[:3]:
        fields = byline_fields(el.text_content())
        if fields is None:
            break
        candidates.append((el, fields))
    if blocks and blocks[-1] not in (el for el, _ in candidates):
        fields = byline_fields(blocks[-1].text_content())
        if fields is not None:
            candidates.append((blocks[-1], fields))
    for el, fields in candidates:
        for key, value in fields.items():
            found.setdefault(key, value)
        el.drop_tree()
    return found


def byline_fields(text: str) -> dict | None:
    """{source, author, published} a byline line gives, or None when the line is not a byline:
    every part of it is a labelled field (a leading date is allowed), dates are dates, counts
    are numbers, names are short; and it has a label only bylines have, or two fields."""
    text = _FURNITURE.sub(" ", " ".join(text.split())).strip()
    matches = list(_FIELD.finditer(text))
    if not matches or len(text) > BYLINE_LENGTH:
        return None
    head = text[: matches[0].start()].strip()
    if head and not _DATE_TEXT.fullmatch(head):
        return None
    found: dict = {"published": _date(head)} if head else {}
    labels = []
    for match, after in zip(matches, [*matches[1:], None]):
        label = match.group(1)
        value = text[match.end(): after.start() if after else len(text)].strip(" ·/，,;；")
        labels.append(label)
        if label in _DATE:
            if not _DATE_TEXT.fullmatch(value):
                return None
            found.setdefault("published", _date(value))
        elif label in _COUNT:
            if value and not value.isdigit():
                return None
        elif len(value) > VALUE_LENGTH or "。" in value:
            return None
        elif label in _SOURCE and value:
            found.setdefault("source", value)
        elif label in _AUTHOR and value:
            found.setdefault("author", value)
    if not (_BYLINE_ONLY & set(labels)) and len(labels) < 2:
        return None
    return {k: v for k, v in found.items() if v}


def _date(text: str) -> dt.date | None:
    found = _DATE_TEXT.search(text or "")
    if found is None:
        return None
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None
