"""Configuration: defaults, then an optional TOML file, then KB_* environment variables,
then explicit overrides (command-line flags, test settings)."""
from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path


def default_index_dir(content_dir: Path) -> Path:
    """A per-content-folder index in the user's cache, never inside content/ or the repo."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha1(str(content_dir.resolve()).encode()).hexdigest()[:12]
    return base / "office-kb" / f"index-{key}"


#: Largest article file accepted, in bytes. A 20 MB article took 10 s per view; the longest
#: bundled article is a few tens of KB.
MAX_ARTICLE_BYTES = 1_000_000


@dataclass(frozen=True)
class Config:
    content_dir: Path = Path("content")
    index_dir: Path | None = None  # None: default_index_dir(content_dir)
    host: str = "127.0.0.1"
    port: int = 5000
    site_name: str = "办公室知识库"
    allow_edit: bool = True  # the browser form that adds and edits articles
    secret_key: str = ""
    search_backend: str = ""  # "module:Class" of a search.interface.SearchEngine; "" for the default
    max_article_bytes: int = MAX_ARTICLE_BYTES  # larger files are refused on load and on save

    @property
    def index_path(self) -> Path:
        return Path(self.index_dir) if self.index_dir else default_index_dir(Path(self.content_dir))

    @property
    def dictionary_path(self) -> Path:
        return Path(self.content_dir) / "_dictionary.txt"

    @property
    def synonyms_path(self) -> Path:
        return Path(self.content_dir) / "_synonyms.txt"



def _coerce(name: str, value):
    kind = {f.name: f.type for f in fields(Config)}[name]
    if value is None:
        return None
    if "Path" in str(kind):
        return Path(value)
    if "bool" in str(kind):
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
    if "int" in str(kind):
        return int(value)
    if "float" in str(kind):
        return float(value)
    return str(value)


def load_config(file: str | Path | None = None, **overrides) -> Config:
    names = {f.name for f in fields(Config)}
    values: dict = {}
    file = file or os.environ.get("KB_CONFIG")
    if file:
        with open(file, "rb") as fh:
            data = tomllib.load(fh)
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"配置文件 {file} 中有未知的设置项：{', '.join(sorted(unknown))}")
        values.update(data)
    for name in names:
        env = os.environ.get(f"KB_{name.upper()}")
        if env is not None:
            values[name] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    config = replace(Config(), **{k: _coerce(k, v) for k, v in values.items()})
    index, content = config.index_path.resolve(), Path(config.content_dir).resolve()
    if index == content or content in index.parents:
        raise ValueError(f"索引目录 {config.index_path} 不能放在内容目录 {config.content_dir} 里面")
    return config
