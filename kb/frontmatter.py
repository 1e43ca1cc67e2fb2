"""Reading the YAML front matter of a content file, strictly.

We split the ``---`` block ourselves (a few lines) rather than through python-frontmatter,
because that library silently returns empty metadata for a block that is never closed and
keeps the last of duplicate keys; editors must hear about both, with the file's line number.
YAML itself is parsed by PyYAML's SafeLoader.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml


class FrontMatterError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


# libyaml's parser when PyYAML was built with it (it is, in the wheels): several times faster
# than the pure-Python one, which matters when a site loads ten thousand articles.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_FIRST_LINE = 2  # the YAML block starts on the file's line 2


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + _FIRST_LINE


def _short(text: object, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


class _StrictLoader(_Base):
    """SafeLoader for front matter: refuses duplicate keys (instead of keeping the last one),
    anchors and aliases, and turns every value it cannot construct into a FrontMatterError
    with the value's line — PyYAML raises plain ValueError or TypeError for ``2024-02-30``,
    ``!!int 'abc'``, a 100,000-digit number or a list used as a key."""

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        _refuse_aliases(node)
        return self.construct_document(node)

    def construct_object(self, node: yaml.Node, deep: bool = False):
        try:
            return super().construct_object(node, deep=deep)
        except (FrontMatterError, yaml.YAMLError):
            raise
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            raise FrontMatterError(_value_message(node, exc), _line(node)) from None


def _refuse_aliases(root: yaml.Node) -> None:
    """An alias makes the same node appear twice in the graph. Front matter never needs one,
    and nested aliases ("billion laughs") make any walk over the values exponential.
    Walked in document order, so the message names the line of the first alias."""
    seen: set[int] = {id(root)}
    stack = [iter(_children(root))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        node, line = child
        if id(node) in seen:
            raise FrontMatterError("前置信息里不能用 YAML 锚点和别名（& 和 *），请把值直接写出来", line)
        seen.add(id(node))
        stack.append(iter(_children(node)))


def _children(node: yaml.Node) -> list[tuple[yaml.Node, int]]:
    """A node's children in document order, each with the line where it is referenced."""
    if isinstance(node, yaml.MappingNode):
        return [(n, _line(key)) for key, value in node.value for n in (key, value)]
    if isinstance(node, yaml.SequenceNode):
        return [(n, _line(node)) for n in node.value]
    return []


def _value_message(node: yaml.Node, exc: Exception) -> str:
    value = node.value if isinstance(node, yaml.ScalarNode) else ""
    kind = node.tag.rsplit(":", 1)[-1]
    if kind == "timestamp":
        return f"“{_short(value)}” 不是有效的日期：日期写作 YYYY-MM-DD（时间写作 HH:MM:SS），而且这一天要存在"
    if kind == "int" and len(value) > 100:
        return f"数字太长（{len(value)} 位），无法读取"
    if kind in ("int", "float"):
        return f"“{_short(value)}” 不能读作{'整数' if kind == 'int' else '小数'}"
    return f"值 “{_short(value)}” 无法读取（{_short(exc, 80)}）"


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = _line(key_node)
        try:
            hash(key)
        except TypeError:
            raise FrontMatterError(f"字段名应该是文字，这里是 “{_short(key_node.value if isinstance(key_node, yaml.ScalarNode) else type(key).__name__)}”", line) from None
        if key in seen:
            raise FrontMatterError(f"字段 {_short(key)} 重复出现（第 {seen[key]} 行已经定义过）", line)
        seen[key] = line
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


def _refuse_tag(loader: _StrictLoader, node: yaml.Node):
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise FrontMatterError(f"不支持的 YAML 标签 {_short(tag, 60)}：前置信息里只能写文字、数字、日期和列表", _line(node))


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor(None, _refuse_tag)

_DELIMITER = re.compile(r"^---[ \t]*$")


@dataclass
class Parsed:
    meta: dict
    body: str
    body_line: int  # 1-based line of the file where ``body`` starts
    has_front_matter: bool = True


def parse(text: str) -> Parsed:
    """Split ``text`` into metadata and body. Raises FrontMatterError with a file line number.

    A file that does not start with ``---`` is plain Markdown: no metadata, all body."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not _DELIMITER.match(lines[0].rstrip("\r")):
        return Parsed(meta={}, body=text.replace("\r\n", "\n"), body_line=1, has_front_matter=False)
    end = _closing_line(lines)
    if end is None:
        raise FrontMatterError("YAML 前置信息没有结束行 ---（从第 1 行开始的块一直没有关闭）", 1)
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_StrictLoader)
    except FrontMatterError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise FrontMatterError(
            f"YAML 格式错误：{exc.problem or exc.context or exc}", mark.line + _FIRST_LINE if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"YAML 格式错误：{exc}", _FIRST_LINE) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError("YAML 前置信息应该是“字段: 值”的形式", _FIRST_LINE)
    return Parsed(meta=meta, body="\n".join(lines[end + 1 :]).replace("\r\n", "\n"), body_line=end + 2)


def _closing_line(lines: list[str]) -> int | None:
    return next((i for i in range(1, len(lines)) if _DELIMITER.match(lines[i].rstrip("\r"))), None)


def with_field(text: str, key: str, value: str) -> str:
    """``text`` with the top-level front-matter line ``key: value`` replaced or added.

    Everything else stays as the editor wrote it (comments, order, quoting), which a re-dump
    of the YAML would not keep. A file without front matter gets a block with just this line;
    a block that is never closed is left alone for ``parse`` to report."""
    lines = text.split("\n")
    if not _DELIMITER.match(lines[0].lstrip("\ufeff").rstrip("\r")):
        return f"---\n{key}: {value}\n---\n\n{text}"
    end = _closing_line(lines)
    if end is None:
        return text
    span = _field_span(lines, end, key)
    if span is None:
        lines.insert(end, f"{key}: {value}")
    else:
        lines[span[0]:span[1]] = [f"{key}: {value}"]
    return "\n".join(lines)


def without_field(text: str, key: str) -> str:
    """``text`` without the top-level front-matter field ``key`` (and its continuation lines),
    the rest as the editor wrote it."""
    lines = text.split("\n")
    if not _DELIMITER.match(lines[0].lstrip("\ufeff").rstrip("\r")):
        return text
    end = _closing_line(lines)
    span = _field_span(lines, end, key) if end is not None else None
    if span is None:
        return text
    del lines[span[0]:span[1]]
    return "\n".join(lines)


def with_body(text: str, body: str) -> str:
    """``text`` with its body (all after the front matter) replaced by ``body``."""
    lines = text.split("\n")
    if _DELIMITER.match(lines[0].lstrip("\ufeff").rstrip("\r")):
        end = _closing_line(lines)
        if end is not None:
            return "\n".join(lines[: end + 1]) + "\n\n" + body.replace("\r\n", "\n").strip("\n") + "\n"
    return body.replace("\r\n", "\n")


def _field_span(lines: list[str], end: int, key: str) -> tuple[int, int] | None:
    """Lines [start, stop) of the front-matter field ``key`` (its line and the old value's
    continuation lines) in a block closed at line ``end``; None when it has none."""
    own = re.compile(rf"^{re.escape(key)}[ \t]*:")
    for i in range(1, end):
        if own.match(lines[i]):
            j = i + 1
            while j < end and lines[j][:1] in (" ", "\t", "-"):
                j += 1
            return i, j
    return None


class _PlainDumper(yaml.SafeDumper):
    """Writes a value that occurs twice (``published`` and ``updated`` both today) twice,
    instead of as ``&id001`` / ``*id001``: front matter is for people to read and edit."""

    def ignore_aliases(self, data) -> bool:
        return True


def dump(meta: dict, body: str) -> str:
    """Serialise an article for saving (used by `kb new` and the web editor)."""
    head = yaml.dump(meta, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, default_flow_style=None)
    return f"---\n{head}---\n\n{body.strip()}\n"
