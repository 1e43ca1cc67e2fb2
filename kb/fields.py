"""The registry of article fields: every front-matter field declared once.

A ``Field`` says what a field is — its name, kind, allowed values, the rule that gives a value
when a file leaves it out, its Chinese label and help — and what the site does with it: shown
in the article's header, a filter in queries (``状态:现行``), a facet, an order for results.
``kb check`` and the store read values through it (kb.check, kb.store), the search index
stores and filters by it (search.documents, search.facets, search.parse), and the API, the
editor and the pages show it. Adding a field is one entry here; the index's fingerprint
follows the registry (``Registry.fingerprint``), so a changed registry rebuilds the index.

Code reads the registry through ``registry()``, never a copy taken at import: a test (or a
deployment's plug-in) that installs another registry is seen everywhere at once.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from . import defaults, docno
from .article import TYPES
from .links import safe_link

KINDS = ("text", "url", "date", "list", "slug", "slugs", "choice")
#: The life of a guideline, in order: a draft, on trial, in force, being revised, repealed.
LIFECYCLE = {"draft": "草稿", "trial": "试行", "current": "现行", "revising": "修订中", "repealed": "废止"}
#: In ``readers`` and ``required_for``: every reader of the site (``required_for``: every account).
EVERYONE = "全体"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Characters XML 1.0 cannot carry: one in a title made /feed.atom unreadable for every reader.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return CONTROL_CHARS.sub("", text).strip()


def short(value: object, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True)
class Issue:
    """What is wrong with one value: the message, and whether the file is still published."""

    message: str
    severity: str = "error"


# A default rule: (the file being read) -> (value, how it was chosen, in words). See kb.defaults.
DefaultRule = Callable[["defaults.Source"], tuple[Any, str]]
# A field's own further check: (its value, every value read from the file) -> a message or None.
ExtraCheck = Callable[[Any, Mapping[str, Any]], "Issue | None"]


@dataclass(frozen=True)
class Field:
    name: str  # the front-matter key
    label: str  # Chinese name on pages, in forms, filters and messages
    kind: str = "text"  # one of KINDS
    help: str = ""  # for the editor's form and check messages
    choices: Mapping[str, str] = field(default_factory=dict)  # choice: key -> Chinese label (either is accepted)
    default: DefaultRule | None = None  # the value when the file leaves the field out
    shown: bool = False  # listed in the article's header (and printed)
    link: str = ""  # shown as a link to the value of this url field (source -> source_url)
    filters: tuple[str, ...] = ()  # names in queries; the first is also the URL parameter
    facet: bool = False  # counted among the results (search facets)
    sortable: bool = False  # results may be ordered by it, newest first
    order_label: str = ""  # the name of that order on the search page (default: the label)
    required: bool = False  # a file must give it (no default)
    check: ExtraCheck | None = None
    noted: bool = True  # `kb check` lists the default chosen when a file leaves the field out

    # --- values ----------------------------------------------------------------------------

    @property
    def empty(self):
        return [] if self.kind in ("list", "slugs") else None if self.kind == "date" else ""

    def normalize(self, value: str) -> str:
        """A value typed in a filter or form, as stored: a choice's label becomes its key."""
        if self.kind == "choice":
            value = value.strip()
            if value.lower() in self.choices:
                return value.lower()
            return next((k for k, label in self.choices.items() if label == value), value)
        return value

    def read(self, value) -> tuple[Any, Issue | None]:
        """(the value as articles hold it, or ``empty``; the issue with what was written)."""
        reader = getattr(self, f"_read_{self.kind}")
        return reader(value)

    def _read_text(self, value):
        if not isinstance(value, str):
            return self.empty, Issue(f"字段 {self.name}（{self.label}）应该是一段文字")
        found = CONTROL_CHARS.search(value)
        issue = Issue(f"字段 {self.name} 里有不可见的控制字符（U+{ord(found.group()):04X}），已去掉", "warning") if found else None
        return clean(value), issue

    def _read_url(self, value):
        text, issue = self._read_text(value)
        if issue is None and text and not safe_link(text):
            return "", Issue(f"{self.name} “{short(text)}” 不是 http、https 或 mailto 地址，不会显示为链接", "warning")
        return text, issue

    def _read_date(self, value):
        if isinstance(value, dt.datetime):
            return value.date(), None
        if isinstance(value, dt.date):
            return value, None
        return None, Issue(f"字段 {self.name}（{self.label}）应该是日期，格式 YYYY-MM-DD，现在是 “{short(value)}”")

    def _read_list(self, value):
        if isinstance(value, str) and value.strip():
            value = [value]  # `tags: 保密` means one tag
        if not (isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)):
            return [], Issue(f"字段 {self.name} 应该是文字列表，例如 {self.name}: [甲, 乙]")
        return list(dict.fromkeys(clean(v) for v in value if clean(v))), None

    def _read_slug(self, value):
        if not (isinstance(value, str) and SLUG.match(value) and 3 <= len(value) <= 60):
            return "", Issue(f"{self.name} “{short(value)}” 无效：只能用小写英文字母、数字和连字符，长度 3–60，例如 office-service-work")
        return value, None

    def _read_slugs(self, value):
        items, issue = self._read_list(value)
        if issue:
            return [], issue
        bad = next((s for s in items if not SLUG.match(s)), None)
        if bad is not None:
            return [s for s in items if SLUG.match(s)], Issue(f"{self.name} 里的 “{short(bad)}” 不是有效的 slug")
        return items, None

    def _read_choice(self, value):
        key = self.normalize(value) if isinstance(value, str) else None
        if key not in self.choices:
            allowed = "、".join(f"{k}（{v}）" for k, v in self.choices.items())
            return "", Issue(f"{self.name} “{short(value)}” 无效，应为以下之一：{allowed}")
        return key, None

    # --- showing and indexing ----------------------------------------------------------------

    def display(self, value) -> str:
        """The value in words, as a page shows it."""
        if value in (None, "", []):
            return ""
        if self.kind == "choice":
            return self.choices.get(value, str(value))
        if self.kind in ("list", "slugs"):
            return "、".join(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    def json(self, value):
        """The value in the JSON API."""
        if isinstance(value, dt.date):
            return value.isoformat()
        return value if value not in (None, "") or self.kind != "date" else None

    def terms(self, value) -> list[str]:
        """What the index keeps of the value, to filter, count and sort by."""
        if value in (None, "", []):
            return []
        if self.kind in ("list", "slugs"):
            return list(value)
        return [value.isoformat() if isinstance(value, dt.date) else str(value)]

    @property
    def indexed(self) -> bool:
        return bool(self.filters or self.facet or self.sortable)


class Registry:
    """The fields of an article, in the order their values are read (a title taken from the
    body's heading is taken before the summary is chosen from what remains)."""

    def __init__(self, fields: list[Field]):
        self._fields = {f.name: f for f in fields}
        self._by_filter = {name.lower(): f for f in fields for name in f.filters}

    def __iter__(self) -> Iterator[Field]:
        return iter(self._fields.values())

    def __contains__(self, name: str) -> bool:
        return name in self._fields

    def __getitem__(self, name: str) -> Field:
        return self._fields[name]

    def names(self) -> list[str]:
        return list(self._fields)

    def with_field(self, new: Field, after: str | None = None) -> "Registry":
        """This registry plus ``new`` (after the field ``after``, else at the end)."""
        fields = [f for f in self if f.name != new.name]
        at = fields.index(self[after]) + 1 if after else len(fields)
        return Registry(fields[:at] + [new] + fields[at:])

    def by_filter(self, name: str) -> Field | None:
        """The field a query's ``name:`` filters by (``状态``, ``status``, ``tag``)."""
        return self._by_filter.get(name.lower())

    @property
    def indexed(self) -> list[Field]:
        return [f for f in self if f.indexed]

    @property
    def facets(self) -> list[Field]:
        return [f for f in self if f.facet]

    @property
    def sortable(self) -> list[Field]:
        return [f for f in self if f.sortable]

    @property
    def shown(self) -> list[Field]:
        return [f for f in self if f.shown]

    def fingerprint(self) -> str:
        """Changes whenever what the index keeps of articles changes."""
        data = [(f.name, f.kind, list(f.filters), f.facet, f.sortable, sorted(f.choices)) for f in self.indexed]
        return hashlib.sha1(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:10]


def _not_before_published(value, values) -> Issue | None:
    published = values.get("published")
    if isinstance(value, dt.date) and isinstance(published, dt.date) and value < published:
        return Issue(f"updated（{value}）早于 published（{published}）")
    return None


def _a_document_number(value, values) -> Issue | None:
    if value and docno.parse(value) is None:
        return Issue(f"文号 “{short(value)}” 不是常见的写法（如 办发〔2024〕12号），搜索只能按字词找到它", "warning")
    return None


def _not_before_effective(value, values) -> Issue | None:
    effective = values.get("effective")
    if isinstance(value, dt.date) and isinstance(effective, dt.date) and value < effective:
        return Issue(f"repealed_on（{value}）早于 effective（{effective}）", "warning")
    return None


def _not_itself(value, values) -> Issue | None:
    if value and value == values.get("slug"):
        return Issue(f"superseded_by “{value}” 是本文自己的 slug：应写取代本文的新文章", "warning")
    return None


CORE = Registry([
    Field("title", "标题", help="文章的标题", default=defaults.title),
    Field("slug", "地址", kind="slug", default=defaults.slug,
          help="文章地址 /a/<slug> 里的短名：小写英文字母、数字和连字符，例如 meeting-minutes"),
    Field("type", "类型", kind="choice", choices=TYPES, default=defaults.kind, filters=("type", "类型"), facet=True,
          help="原则、制度、流程、清单或指南"),
    Field("category", "分类", default=defaults.category, filters=("category", "分类"), facet=True,
          help="文章所属的分类，例如 办公室综合"),
    Field("summary", "摘要", default=defaults.summary, help="一两句话概括本文，显示在标题下和搜索结果里"),
    Field("tags", "标签", kind="list", filters=("tag", "标签", "tags"), facet=True, help="几个关键词"),
    # A guideline's life: in force or not, since and until when, who answers for it (kb.lifecycle).
    # Before the author and dates: for a 制度 the number, owner and dates come first in its header.
    Field("status", "状态", kind="choice", choices=LIFECYCLE, default=defaults.in_force, noted=False,
          filters=("status", "状态"), facet=True,
          help="草稿、试行、现行、修订中或废止（也可写 draft、trial、current、revising、repealed）；不写时为现行。"
               "页面标题旁显示试行、已废止等字样"),
    Field("doc_no", "文号", shown=True, check=_a_document_number,
          help="发文字号，如 办发〔2024〕12号；搜索时括号写成【】[]()、全角数字、带不带“第”都能找到"),
    Field("owner", "责任部门", shown=True, filters=("owner", "责任部门", "责任人"), facet=True,
          help="负责这篇文章的部门或人，如 办公室综合科：复审提醒按它分组发送"),
    Field("effective", "施行日期", kind="date", shown=True,
          help="开始施行的日期 YYYY-MM-DD；日期未到时页面和搜索结果显示“将于……起施行”"),
    Field("repealed_on", "废止日期", kind="date", shown=True, check=_not_before_effective,
          help="废止的日期 YYYY-MM-DD；废止的文章把 status 写成 废止"),
    Field("review_by", "下次复审日期", kind="date", shown=True,
          help="下次复审的日期 YYYY-MM-DD：过期和 30 天内到期的文章出现在「待复审」"),
    Field("supersedes", "取代的旧文章", kind="slugs", help="本文取代的旧文章的 slug 列表，如 [seal-rules-2019]"),
    Field("superseded_by", "取代本文的新文章", kind="slug", check=_not_itself,
          help="取代本文的新文章的 slug；旧文章页面顶部会链接到它"),
    Field("author", "作者", shown=True, help="作者或起草人"),
    Field("source", "来源", shown=True, link="source_url", help="原文出处"),
    Field("source_url", "来源网址", kind="url", help="原文的网址（http 或 https）"),
    Field("published", "发布", kind="date", shown=True, help="发布日期 YYYY-MM-DD"),
    Field("updated", "更新", kind="date", default=defaults.updated, shown=True, sortable=True, order_label="更新时间",
          check=_not_before_published, help="最后更新日期 YYYY-MM-DD；网站保存时自动填写"),
    Field("aliases", "旧地址", kind="slugs", help="改 slug 前用过的旧 slug，旧链接会跳转到现在的地址"),
    # Who may read, who must read (issue 19): names of groups (kb.users), or 全体. A folder's
    # _folder.yaml (kb.folders) gives them to its articles that do not write them.
    Field("readers", "阅读范围", kind="list", shown=True, filters=("readers", "阅读范围"),
          help=f"只有这些组的人能看到本文（其他人在任何地方都看不到它），如 [财务处]；不写时所有人都能看，{EVERYONE} 表示所有人"),
    Field("required_for", "须阅读", kind="list", shown=True, filters=("required_for", "须阅读"),
          help=f"这些组的人要阅读并确认本文（「已阅读并理解」），如 [新员工]；{EVERYONE} 表示每个账号"),
])

_current = CORE


def registry() -> Registry:
    """The registry in force."""
    return _current


def install(new: Registry) -> Registry:
    """Use ``new`` from now on (tests, plug-ins); returns the one it replaces."""
    global _current
    previous, _current = _current, new
    return previous


def value_of(article, name: str):
    """An article's value of field ``name`` (its ``empty`` when the article has none)."""
    return article.meta.get(name, registry()[name].empty if name in registry() else None)

