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


class _StrictLoader(_Base):
    """SafeLoader that refuses duplicate keys instead of keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 2  # the block starts on the file's line 2
        if key in seen:
            raise FrontMatterError(f"字段 {key} 重复出现（第 {seen[key]} 行已经定义过）", line)
        seen[key] = line
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_DELIMITER = re.compile(r"^---[ \t]*$")


@dataclass
class Parsed:
    meta: dict
    body: str
    body_line: int  # 1-based line of the file where ``body`` starts


def parse(text: str) -> Parsed:
    """Split ``text`` into metadata and body. Raises FrontMatterError with a file line number."""
    lines = text.lstrip("\ufeff").split("\n")
    if not _DELIMITER.match(lines[0].rstrip("\r")):
        raise FrontMatterError("文件开头缺少 YAML 前置信息（第一行应为 ---）", 1)
    end = next((i for i in range(1, len(lines)) if _DELIMITER.match(lines[i].rstrip("\r"))), None)
    if end is None:
        raise FrontMatterError("YAML 前置信息没有结束行 ---（从第 1 行开始的块一直没有关闭）", 1)
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_StrictLoader)
    except FrontMatterError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise FrontMatterError(
            f"YAML 格式错误：{exc.problem or exc.context or exc}", mark.line + 2 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"YAML 格式错误：{exc}", 2) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError("YAML 前置信息应该是“字段: 值”的形式", 2)
    return Parsed(meta=meta, body="\n".join(lines[end + 1 :]).replace("\r\n", "\n"), body_line=end + 2)


def dump(meta: dict, body: str) -> str:
    """Serialise an article for saving (used by `kb new` and the web editor)."""
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None)
    return f"---\n{head}---\n\n{body.strip()}\n"
