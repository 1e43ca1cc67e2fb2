"""Articles removed from the site, and what their addresses should say from then on.

Onboarding documents link to articles for years; an address that simply stops answering tells a
reader nothing. When an editor deletes an article, a record of it is kept in
``content/_removed.yaml`` — versioned with the content, so every node and every clone of the
content knows it — and the article's old address answers with what it was, when and why it was
removed, and what replaces it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from .article import Problem

FILE = "_removed.yaml"


@dataclass(frozen=True)
class Removal:
    slug: str
    title: str
    path: str  # the file it was, relative to the content folder
    removed: dt.date
    by: str
    reason: str = ""
    replaced_by: str = ""  # the slug of the article that replaces it, if any
    anchors: dict = field(default_factory=dict, hash=False, compare=False)  # its anchor -> the replacement's
    readers: tuple[str, ...] = ()  # who could read it (kb.fields): its address tells only them

    def meta(self, root: Path) -> dict:
        """The fields access rules look at (application.access): who could read it — as recorded,
        else as its folder says now (kb.folders)."""
        from .folders import defaults_for

        readers = list(self.readers) or list(defaults_for(root, self.path).get("readers", ([], ""))[0])
        return {"readers": readers}


def parse(text: str, rel: str = FILE) -> tuple[dict[str, Removal], list[Problem]]:
    """slug -> Removal, and the problems of entries that cannot be read (left out)."""
    try:
        data = yaml.safe_load(text) or []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return {}, [Problem(rel, f"YAML 格式错误：{getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None)]
    if not isinstance(data, list):
        return {}, [Problem(rel, "应为一个列表，每项是一篇删除的文章")]
    out, problems = {}, []
    for i, entry in enumerate(data, start=1):
        try:
            anchors = entry.get("anchors") or {}
            removal = Removal(**{k: entry.get(k) for k in ("slug", "title", "path", "removed", "by")},
                              reason=entry.get("reason") or "", replaced_by=entry.get("replaced_by") or "",
                              anchors={str(k): str(v) for k, v in anchors.items()} if isinstance(anchors, dict) else {},
                              readers=tuple(str(r) for r in entry.get("readers") or ()))
            if not (isinstance(removal.slug, str) and isinstance(removal.removed, dt.date)):
                raise TypeError
        except (AttributeError, TypeError):
            problems.append(Problem(rel, f"第 {i} 项无法读取：需要 slug、title、path、removed（日期）和 by"))
            continue
        out[removal.slug] = removal
    return out, problems


def load(root: Path) -> tuple[dict[str, Removal], list[Problem]]:
    try:
        text = (Path(root) / FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Problem(FILE, f"无法读取：{exc}")]
    return parse(text)


def with_removal(text: str, removal: Removal) -> str:
    """The file's text with ``removal`` added (an earlier record of the same slug replaced)."""
    entries = [e for e in (yaml.safe_load(text) or []) if isinstance(e, dict) and e.get("slug") != removal.slug] \
        if text.strip() else []
    entries.append({k: list(v) if isinstance(v, tuple) else v for k, v in asdict(removal).items()
                    if v not in ("", None, (), {})})
    head = "# 已删除的文章：它们的旧地址显示删除的时间、原因和替代文章（网站删除文章时自动记录）\n"
    return head + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)
