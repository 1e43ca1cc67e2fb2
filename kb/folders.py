"""Defaults for the articles of a folder: ``_folder.yaml``.

A folder of 财务处 procedures is for 财务处; writing ``readers: [财务处]`` into each of its files
is a promise someone forgets with the next new file. A ``_folder.yaml`` in the folder gives any
field of the registry (kb.fields) a value for every article in the folder and below that does not
write the field itself:

    # content/finance/_folder.yaml
    readers: [财务处]
    owner: 财务处

The file is content, versioned with the articles (a change of who may read a folder is a commit
like any other), checked like a front matter (``kb check`` names the file and the line), and a
nearer folder's value wins over a farther one's. An article that writes the field keeps its own
value (``readers: [全体]`` opens one article of a restricted folder to everyone).

Files are read once and kept by their (modification time, size): looking up the defaults of
10,000 articles costs a ``stat`` per folder level, not a YAML parse.
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path, PurePosixPath

import yaml

from . import fields
from .article import Problem
from .frontmatter import with_field, without_field
from .tree import visible_files

FILE = "_folder.yaml"
#: Fields that name one article and cannot be shared by a folder.
OWN = ("title", "slug", "summary", "aliases")

_cache: dict[str, tuple[tuple[int, int], dict, list[Problem]]] = {}
_lock = threading.Lock()


def is_folder_file(rel: str) -> bool:
    return PurePosixPath(rel).name == FILE


def parse(text: str, rel: str) -> tuple[dict, list[Problem]]:
    """field -> value of one folder file, each value read (and checked) by its field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return {}, [Problem(rel, f"YAML 格式错误：{getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None)]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [Problem(rel, "应为“字段: 值”的列表，例如 readers: [财务处]")]
    lines = {line.split(":", 1)[0].strip(): i for i, line in enumerate(text.split("\n"), start=1)
             if line and not line.startswith((" ", "\t", "-", "#"))}
    registry = fields.registry()
    values, problems = {}, []
    for key, value in data.items():
        line = lines.get(str(key))
        if key in OWN:
            problems.append(Problem(rel, f"字段 {key} 是每篇文章自己的，不能由目录统一给出", line))
        elif key not in registry:
            problems.append(Problem(rel, f"未知字段 {fields.short(key)}（可用字段：{', '.join(sorted(registry.names()))}）",
                                    line, "warning"))
        else:
            values[key], issue = registry[key].read(value)
            if issue is not None:
                problems.append(Problem(rel, issue.message, line, issue.severity))
    return values, problems


def read(root: Path, rel: str) -> tuple[dict, list[Problem]]:
    """The folder file ``rel`` (relative to ``root``), from the cache while it is unchanged;
    ({}, []) when there is none."""
    path = Path(root) / rel
    try:
        st = path.stat()
    except OSError:
        return {}, []
    stamp = (st.st_mtime_ns, st.st_size)
    key = str(path)
    with _lock:
        cached = _cache.get(key)
    if cached and cached[0] == stamp:
        return cached[1], cached[2]
    try:
        values, problems = parse(path.read_text(encoding="utf-8"), rel)
    except (OSError, UnicodeDecodeError) as exc:
        values, problems = {}, [Problem(rel, f"无法读取（应为 UTF-8 文本）：{exc}")]
    with _lock:
        if len(_cache) > 4096:
            _cache.clear()
        _cache[key] = (stamp, values, problems)
    return values, problems


def governing(rel_path: str) -> list[str]:
    """The folder files that may give defaults to the article at ``rel_path``, farthest first."""
    parent = PurePosixPath(rel_path).parent
    folders = [*reversed(parent.parents), parent] if str(parent) != "." else [parent]
    return [str(f / FILE) if str(f) != "." else FILE for f in folders]


def defaults_for(root: Path, rel_path: str) -> dict[str, tuple[object, str]]:
    """field -> (value, the folder file it comes from) for the article at ``rel_path``."""
    out: dict[str, tuple[object, str]] = {}
    for rel in governing(rel_path):
        values, _ = read(root, rel)
        for name, value in values.items():
            out[name] = (value, rel)
    return out


def stamp(root: Path, rel_path: str, seen: dict | None = None) -> tuple:
    """Changes whenever a folder file governing ``rel_path`` does (the store reads an article
    again when its folder's defaults changed, though its own file did not). ``seen``: the stamps
    of folders asked already in one look at the whole folder (its articles share a few folders:
    asking each folder once took 100,000 stat calls fewer at 50,000 articles)."""
    if seen is not None:
        parent = rel_path.rpartition("/")[0]
        found = seen.get(parent)
        if found is None:
            found = seen[parent] = stamp(root, rel_path)
        return found
    out = []
    for rel in governing(rel_path):
        try:
            st = (Path(root) / rel).stat()
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def folder_files(root: Path) -> list[str]:
    """Every folder file under ``root`` (relative paths), in folders that hold articles."""
    root = Path(root)
    return [path.relative_to(root).as_posix() for path in visible_files(root, lambda name: name == FILE)
            if path.is_file()]


def digests(root: Path, rels: list[str] | None = None) -> dict[str, str]:
    """rel -> SHA-1 of each folder file (all of them, or ``rels``; missing ones left out)."""
    out = {}
    for rel in folder_files(root) if rels is None else rels:
        try:
            out[rel] = hashlib.sha1((Path(root) / rel).read_bytes()).hexdigest()
        except OSError:
            continue
    return out


def under(rel_folder_file: str, article_rels) -> list[str]:
    """Of ``article_rels``, those a change of the folder file ``rel_folder_file`` concerns."""
    folder = str(PurePosixPath(rel_folder_file).parent)
    prefix = "" if folder == "." else folder + "/"
    return [rel for rel in article_rels if rel.startswith(prefix)]


def of_articles(rels) -> list[str]:
    """Every folder that holds one of the articles at ``rels`` (and the folders above them),
    as paths relative to the content folder ("" for the content folder itself), sorted."""
    found = {""}
    for rel in rels:
        parent = PurePosixPath(rel).parent
        found.update(str(p) for p in [parent, *parent.parents] if str(p) != ".")
    return sorted(found)


def file_of(folder: str) -> str:
    """The folder file of ``folder`` ("" for the content folder)."""
    return f"{folder.strip('/')}/{FILE}" if folder.strip("/") else FILE


def with_values(text: str, values: dict[str, str | None]) -> str:
    """``text`` of a folder file with the top-level lines of ``values`` replaced, added, or
    removed (None): the rest — comments, order, other fields — as it was written. The file is
    a front matter without its ``---`` lines, so kb.frontmatter's line editing serves it."""
    wrapped = "---\n" + (text.strip("\n") + "\n" if text.strip() else "") + "---\n"
    for name, value in values.items():
        wrapped = without_field(wrapped, name) if value is None else with_field(wrapped, name, value)
    lines = wrapped.split("\n")
    end = lines.index("---", 1)
    inner = "\n".join(lines[1:end]).strip("\n")
    return inner + "\n" if inner else ""


def problems(root: Path) -> list[Problem]:
    """What is wrong in every folder file (for `kb check`)."""
    out = []
    for rel in folder_files(root):
        out += read(root, rel)[1]
    return out
