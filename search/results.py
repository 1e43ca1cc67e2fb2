"""The result contract of search, independent of any engine: what the web, the CLI and the
JSON API (``/api/search``, ``kb search --json``) receive. Keys of ``to_json`` are a public API;
add keys, never rename or remove one."""
from __future__ import annotations

from dataclasses import dataclass, field

from kb.article import Problem
from kb.fields import registry

from .coverage import COVERED, Coverage
from .parse import ParsedQuery

INCOMPLETE_NOTE = ("这次搜索的内容太多，超过了时限，下面是到时为止找到的结果，可能不完整。"
                   "可以减少搜索词、少用引号短语，或加上类型、标签等筛选条件再搜。")


@dataclass
class Hit:
    """One article in the results, shown by its best-matching document (a section, or the
    article itself when ``section`` is None)."""

    slug: str
    title: str
    url: str
    section: str | None
    anchor: str
    heading_path: list[str]
    snippet: str  # HTML: escaped text with <mark> around matched words
    score: float
    fields: dict[str, list[str]] = field(default_factory=dict)  # the article's indexed fields (kb.fields)
    more: list[dict] = field(default_factory=list)  # other matching sections: section, anchor, url
    why: str = ""  # how it matched when not by the words as typed: 「标题」, 「同义词：会议」…
    attachment: dict | None = None  # shown by an attachment's text: its name and download url
    matched: list[str] = field(default_factory=list)  # the query's words it matched, as the text says them
    pinned: bool = False  # an editor pinned it as the answer to this query (推荐, search.pins)

    def value(self, name: str) -> str:
        """The article's (first) value of an indexed field, or ""."""
        return next(iter(self.fields.get(name) or []), "")

    type = property(lambda self: self.value("type"))
    category = property(lambda self: self.value("category"))
    updated = property(lambda self: self.value("updated"))
    tags = property(lambda self: list(self.fields.get("tags") or []))

    @property
    def snippet_text(self) -> str:
        return self.snippet.replace("<mark>", "【").replace("</mark>", "】")

    def to_json(self) -> dict:
        data = {
            "slug": self.slug, "title": self.title, "url": self.url, "section": self.section,
            "anchor": self.anchor, "heading_path": self.heading_path, "snippet": self.snippet,
            "score": round(self.score, 4),
        }
        for f in registry().indexed:  # type, tags, category, updated and every field added since
            values = list(self.fields.get(f.name) or [])
            data[f.name] = values if f.kind in ("list", "slugs") else next(iter(values), "")
        return {**data, "more": self.more, "why": self.why, "attachment": self.attachment, "matched": self.matched,
                "pinned": self.pinned}


def empty_facets() -> dict[str, dict[str, int]]:
    return {f.name: {} for f in registry().facets}


@dataclass(frozen=True)
class Suggestion:
    """A title, section heading or tag offered while typing."""

    label: str
    kind: str  # "title", "heading" or "tag"
    url: str
    context: str = ""  # the article a heading belongs to

    def to_json(self) -> dict:
        return {"label": self.label, "kind": self.kind, "url": self.url, "context": self.context}


@dataclass
class SearchResult:
    query: str
    parsed: ParsedQuery
    total: int = 0  # matching articles
    page: int = 1
    limit: int = 10
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=empty_facets)
    took_ms: float = 0.0
    terms: list[str] = field(default_factory=list)  # what snippets mark
    # 「您是不是要找」: a corrected query that finds much more than the one typed
    suggestion: str | None = None
    # when the query typed found nothing and these are the results of its correction: the query typed
    corrected_from: str | None = None
    coverage: float = 0.0  # share of the query's words the first result matches (not in the JSON)
    # onboarding reading paths that match, shown beside the results on the search page (not in the
    # JSON, whose keys are a contract; /api/suggest offers paths by their titles)
    paths: list[Hit] = field(default_factory=list)
    incomplete: bool = False  # the search ran out of time and answered with what it had
    # the distinctive words of the query that no result has (search.coverage): 「没有找到讲“会议纪要”的内容」
    covering: Coverage = COVERED

    @classmethod
    def empty(cls, text: str = "", page: int = 1, limit: int = 10) -> "SearchResult":
        """The answer to a search that asked for nothing."""
        return cls(query=text, parsed=ParsedQuery(text), page=page, limit=limit)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))

    @property
    def note(self) -> str | None:
        """What staff should know about this answer, in their words."""
        if self.incomplete:
            return INCOMPLETE_NOTE
        return None

    def to_json(self) -> dict:
        data = {
            "query": self.query, "total": self.total, "page": self.page,
            "results": [h.to_json() for h in self.hits], "facets": self.facets,
            "took_ms": round(self.took_ms, 2),
        }
        # present only when there is one: the keys above are the stable contract
        if self.suggestion:
            data["suggestion"] = self.suggestion
        if self.corrected_from is not None:
            data["corrected_from"] = self.corrected_from
        if self.incomplete:
            data.update(incomplete=True, note=self.note)
        data.update(self.covering.to_json())  # covered, and when not: missing, coverage_note
        return data


@dataclass
class Report:
    """What an index build or update did."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    articles: int = 0
    skipped: list[Problem] = field(default_factory=list)
    searchable_seconds: float | None = None  # a rebuild: when the new index could be searched (before Whoosh's record)

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.rebuilt)

    def summary(self) -> str:
        what = "重建了索引" if self.rebuilt else "更新了索引"
        text = (f"{what}：{self.articles} 篇文章，新增 {self.added}，修改 {self.changed}，删除 {self.removed}，"
                f"用时 {self.seconds:.1f} 秒")
        if self.rebuilt and self.searchable_seconds is not None:
            text += f"（{self.searchable_seconds:.1f} 秒后即可搜索，其余是写入 Whoosh 的索引记录）"
        text += "。"
        if self.skipped:
            text += f"\n有 {len(self.skipped)} 个问题的文章未收录（运行 kb check 查看详情）：\n" + "\n".join(
                f"  {p}" for p in self.skipped)
        return text
