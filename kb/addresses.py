"""Addresses that last: a permanent number for every article, the slugs it had before, and the
anchors its sections had before their headings changed.

Onboarding documents, e-mails and printed handbooks link into the site for years, written by
people who will never update them. So the site keeps, in ``content/_addresses.yaml`` —
versioned with the content, so that every node and every clone of it knows the same — one
entry per article it has ever published:

    [
    {"number": 12, "slug": "office-service-work", "path": "guides/office-service-work.md",
     "title": "怎样搞好办公室服务工作", "old_slugs": ["service-work"],
     "anchors": {"安全保密原则": "安全与保密原则", "旧的小节": ""}},
    …
    ]

(one entry a line in the file): its number, where it is now, the slugs it had (they answer
301), and its renamed sections ("" when a section is gone).

Nobody writes it by hand: the save use case records a changed slug and renamed headings in the
same commit as the article (application.site), and the site records files renamed or moved
outside it (git mv, a file manager) when it sees them (``Site.record_addresses``). An entry is
never removed, so a number always means the same article, also after it was deleted.
"""
from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from .article import Article, Problem, Section

FILE = "_addresses.yaml"
SHORT_URL = "/k/{number}"
HEAD = ("# 永久地址：每篇文章一个编号（短地址 /k/编号）、以前用过的 slug 和改名前的小节锚点。\n"
        "# 网站保存文章、发现文件改名时自动维护，请不要手工修改编号。每行一篇文章（YAML 的流式写法）。\n")

# The file is written one entry a line in JSON's flow style, which is YAML too: a change is a
# one-line diff, and reading 10,000 entries takes json 0.07 s where PyYAML took 2.3 s even with
# libyaml (it builds every node in Python). A file edited by hand in block style is read by PyYAML.


def short_url(number: int, anchor: str = "") -> str:
    url = SHORT_URL.format(number=number)
    return f"{url}#{anchor}" if anchor else url


@dataclass(frozen=True)
class Address:
    number: int
    slug: str
    path: str
    title: str = ""
    old_slugs: tuple[str, ...] = ()
    anchors: dict[str, str] = field(default_factory=dict)  # old anchor -> current one, "" when gone

    def anchor(self, anchor: str) -> str | None:
        """Where a link to ``anchor`` leads now: the anchor it was renamed to (after every
        later rename), "" when the section is gone, None when nothing is recorded for it."""
        seen = set()
        found = None
        while anchor in self.anchors and anchor not in seen:
            seen.add(anchor)
            anchor = found = self.anchors[anchor]
            if not anchor:
                break
        return found

    def to_yaml(self) -> dict:
        data = {"number": self.number, "slug": self.slug, "path": self.path, "title": self.title}
        if self.old_slugs:
            data["old_slugs"] = list(self.old_slugs)
        if self.anchors:
            data["anchors"] = dict(self.anchors)
        return data


@dataclass
class Addresses:
    """Every entry of the registry, with lookups by number, current slug, old slug and path."""

    entries: dict[int, Address] = field(default_factory=dict)

    def __post_init__(self):
        self._index()

    def _index(self) -> None:
        self.by_slug = {a.slug: a for a in self.entries.values()}
        self.by_path = {a.path: a for a in self.entries.values()}
        self.by_old: dict[str, Address] = {}
        for a in self.entries.values():
            for old in a.old_slugs:
                if old not in self.by_slug:
                    self.by_old.setdefault(old, a)

    def get(self, number: int) -> Address | None:
        return self.entries.get(number)

    def of(self, article: Article) -> Address | None:
        """The entry of ``article`` by its slug."""
        return self.by_slug.get(article.slug)

    def next_number(self) -> int:
        return max(self.entries, default=0) + 1

    def put(self, address: Address) -> None:
        """Add or replace the entry of ``address.number``; the lookups follow at once (a first
        start numbers every article: re-indexing the whole registry each time was quadratic)."""
        before = self.entries.get(address.number)
        self.entries[address.number] = address
        if before is not None:
            if self.by_slug.get(before.slug) is before:
                del self.by_slug[before.slug]
            if self.by_path.get(before.path) is before:
                del self.by_path[before.path]
            for old in before.old_slugs:
                if self.by_old.get(old) is before:
                    del self.by_old[old]
        self.by_slug[address.slug] = address
        self.by_path[address.path] = address
        self.by_old.pop(address.slug, None)
        for old in address.old_slugs:
            if old not in self.by_slug:
                self.by_old.setdefault(old, address)

    def copy(self) -> "Addresses":
        return Addresses(dict(self.entries))

    def __len__(self) -> int:
        return len(self.entries)


_parsed: dict[str, tuple[Addresses, list[Problem]]] = {}  # text's digest -> what it says (the last few)


def parse(text: str, rel: str = FILE) -> tuple[Addresses, list[Problem]]:
    """The registry in ``text``, and the problems of entries that cannot be read (left out).
    The same text is read once: a worker's reload and the keeper's look share it."""
    key = hashlib.sha1(text.encode("utf-8")).hexdigest()
    found = _parsed.get(key)
    if found is None:
        found = _parse(text, rel)
        if len(_parsed) >= 4:
            _parsed.pop(next(iter(_parsed)))
        _parsed[key] = found
    return found[0].copy(), list(found[1])


def _parse(text: str, rel: str) -> tuple[Addresses, list[Problem]]:
    try:
        data = json.loads("\n".join(line for line in text.split("\n") if not line.startswith("#")) or "[]")
    except ValueError:
        data = None
    try:
        if data is None:
            data = yaml.safe_load(text) or []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return Addresses(), [Problem(rel, f"YAML 格式错误：{getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None)]
    if not isinstance(data, list):
        return Addresses(), [Problem(rel, "应为一个列表，每项是一篇文章的永久地址")]
    entries: dict[int, Address] = {}
    problems = []
    for i, item in enumerate(data, start=1):
        address = _entry(item)
        if address is None:
            problems.append(Problem(rel, f"第 {i} 项无法读取：需要 number（正整数）、slug 和 path"))
        elif address.number in entries:
            problems.append(Problem(rel, f"编号 {address.number} 出现了两次（第 {i} 项不起作用）"))
        else:
            entries[address.number] = address
    return Addresses(entries), problems


def _entry(item) -> Address | None:
    if not isinstance(item, dict):
        return None
    number, slug, path = item.get("number"), item.get("slug"), item.get("path")
    if not (isinstance(number, int) and not isinstance(number, bool) and number > 0 and isinstance(slug, str)
            and isinstance(path, str)):
        return None
    old = item.get("old_slugs") or []
    anchors = item.get("anchors") or {}
    if not isinstance(old, list) or not isinstance(anchors, dict):
        return None
    return Address(number, slug, path, str(item.get("title") or ""), tuple(str(s) for s in old),
                   {str(k): str(v or "") for k, v in anchors.items()})


def load(root: Path) -> tuple[Addresses, list[Problem]]:
    """The registry of the content folder ``root`` (empty when it has none yet)."""
    try:
        text = (Path(root) / FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return Addresses(), []
    except (OSError, UnicodeDecodeError) as exc:
        return Addresses(), [Problem(FILE, f"无法读取：{exc}")]
    return parse(text)


def dump(addresses: Addresses) -> str:
    lines = [json.dumps(addresses.entries[n].to_yaml(), ensure_ascii=False) for n in sorted(addresses.entries)]
    return HEAD + "[\n" + ",\n".join(lines) + "\n]\n"


def merge(base: str, ours: str, theirs: str) -> str | None:
    """The registry with the entries two nodes changed at once (kb.remote), where git's lines
    cannot merge them: both numbered a new article of their own with the same next number. Their
    entries stay as they are (their push landed first: their short address is out); each entry
    this node added or changed is added on top, a new one whose number they took getting the
    next free number. None when that is not the answer: a registry that does not read whole, an
    entry both changed (the same article), or one slug on two new entries."""
    (old, p1), (mine, p2), (other, p3) = parse(base), parse(ours), parse(theirs)
    if p1 or p2 or p3:
        return None
    merged = other.copy()
    for number, entry in sorted(mine.entries.items()):
        before = old.entries.get(number)
        if entry == before:
            continue  # not changed here
        there = other.entries.get(number)
        if there == before or there == entry:  # changed here only (or the same way on both)
            if entry.slug in merged.by_slug and merged.by_slug[entry.slug].number != number:
                return None
            merged.put(entry)
        elif before is None:  # a new article here, its number taken there by theirs
            if entry.slug in merged.by_slug:
                return None
            merged.put(replace(entry, number=merged.next_number()))
        else:
            return None  # the same article's entry changed on both nodes
    return dump(merged)


# --- changes --------------------------------------------------------------------------------


def register(addresses: Addresses, article: Article) -> Address:
    """The entry of ``article``'s slug, made (with the next number) when there is none."""
    found = addresses.of(article)
    if found is not None:
        return found
    entry = Address(addresses.next_number(), article.slug, article.rel_path, article.title)
    addresses.put(entry)
    return entry


def follow(addresses: Addresses, entry: Address, article: Article, renamed: dict[str, str] | None = None) -> Address:
    """``entry`` updated to ``article`` as it is now: a new slug keeps the old one as an old
    slug (an old slug taken back leaves the list), a new file or title is recorded, and
    ``renamed`` anchors (old -> new, "" gone) are added."""
    old = list(entry.old_slugs)
    if article.slug != entry.slug:
        old = [s for s in old if s != article.slug]
        if entry.slug not in old:
            old.append(entry.slug)
    anchors = dict(entry.anchors)
    for before, after in (renamed or {}).items():
        anchors[before] = after
    present = article.anchors
    # a section that has its old anchor again needs no mapping; every mapping leads to the end
    anchors = {k: v for k, v in anchors.items() if k not in present}
    updated = replace(entry, slug=article.slug, path=article.rel_path, title=article.title, old_slugs=tuple(old),
                      anchors=anchors)
    resolved = {k: updated.anchor(k) or "" for k in anchors}
    updated = replace(updated, anchors={k: (v if v in present else "") for k, v in resolved.items()})
    if updated != entry:
        addresses.put(updated)
    return updated


# --- renamed headings -------------------------------------------------------------------------

SIMILAR = 0.5  # a section whose text (or, without text, heading) is at least this similar is the same one


def renamed_anchors(before: list[Section], after: list[Section]) -> dict[str, str]:
    """Anchors of ``before`` that ``after`` no longer has, each paired with the anchor its
    section has now, or "" when the section is gone.

    A heading rewritten in place keeps its position among the headings: when both versions have
    as many headings, the one at the same place is the same section. Otherwise (sections added
    or removed too) a section is paired with the new one whose text — or, for articles loaded
    without their text, whose heading — is most alike, at least ``SIMILAR``."""
    old = [s for s in before if s.anchor]
    new = [s for s in after if s.anchor]
    new_anchors = {s.anchor for s in new}
    old_anchors = {s.anchor for s in old}
    gone = [s for s in old if s.anchor not in new_anchors]
    if not gone:
        return {}
    fresh = [s for s in new if s.anchor not in old_anchors]
    pairs: dict[str, str] = {}
    if len(old) == len(new):
        for o, n in zip(old, new):
            if o.anchor not in new_anchors and n in fresh and o.level == n.level:
                pairs[o.anchor] = n.anchor
    for o in gone:
        if o.anchor in pairs:
            continue
        taken = set(pairs.values())
        best, score = "", SIMILAR
        for n in fresh:
            if n.anchor in taken:
                continue
            s = _likeness(o, n)
            if s >= score:
                best, score = n.anchor, s
        pairs[o.anchor] = best
    return pairs


def _likeness(a: Section, b: Section) -> float:
    if a.text and b.text:  # the first 4,000 characters: a long section is compared in bounded time
        return difflib.SequenceMatcher(None, a.text[:4000], b.text[:4000], autojunk=False).ratio()
    return difflib.SequenceMatcher(None, a.heading, b.heading).ratio()
