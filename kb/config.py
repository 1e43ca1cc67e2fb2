"""Configuration: defaults, then an optional TOML file, then KB_* environment variables,
then explicit overrides (command-line flags, test settings)."""
from __future__ import annotations

import hashlib
import os
import socket
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path


def default_index_dir(content_dir: Path) -> Path:
    """A per-content-folder index in the user's cache, never inside content/ or the repo."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha1(str(content_dir.resolve()).encode()).hexdigest()[:12]
    return base / "office-kb" / f"index-{key}"


def default_instance_dir(content_dir: Path) -> Path:
    """A per-content-folder place for what the site keeps of its own (accounts database, secret
    key, imported media staging): the user's data folder, never inside content/ or the repo,
    and not the cache, which may be wiped."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    key = hashlib.sha1(str(content_dir.resolve()).encode()).hexdigest()[:12]
    return base / "office-kb" / f"site-{key}"


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
    instance_dir: Path | None = None  # None: default_instance_dir(content_dir)
    database_url: str = ""  # SQLAlchemy URL of the accounts database; "" for SQLite in the instance folder
    require_login: bool = False  # readers must log in too (else anonymous visitors read)
    trusted_user_header: str = ""  # e.g. REMOTE_USER: a reverse proxy that authenticated the user says who
    secure_cookies: bool = False  # cookies only over HTTPS even when the site sees plain HTTP (behind a proxy)
    history_in_parent_repo: bool = False  # commit saves when content/ is inside another git repository
    max_upload_bytes: int = 20_000_000  # an imported file (.docx, .html, .md)
    max_image_bytes: int = 5_000_000  # one image taken from an imported file
    analytics: bool = True  # keep a query log (no user, no address) for the editors' 搜索统计 page
    analytics_retention_days: int = 180  # searches older than this are deleted from the log
    analytics_record_ip: bool = False  # also keep the address a search came from
    # The site's address as readers reach it (https://kb.example.cn): links in the feed, the
    # sitemap, OpenSearch and canonical links. "" for http://host:port.
    public_url: str = ""
    # Host names a request may carry (besides the localhost names, --host and public_url's):
    # others get 400, so a DNS-rebinding page cannot talk to the site. "*" allows any.
    allowed_hosts: tuple[str, ...] = ()
    # Other sites whose images an article may show; by default only the site's own.
    image_hosts: tuple[str, ...] = ()
    # Milliseconds a search may take before it answers with what it has found (0: no limit).
    search_budget_ms: int = 1000
    # Hours a login lasts (1–2160). Logging out, a new password or role, and an admin's 「下线」
    # end every session of the account before that.
    session_hours: int = 12
    # Reverse proxies in front of the site (0–5) whose X-Forwarded-For and X-Forwarded-Proto
    # are believed: the login limit and the beacon's limit count the address the proxy saw.
    # 0: the site is reached directly, and those headers are ignored (a client could forge them).
    trusted_proxies: int = 0

    @property
    def index_path(self) -> Path:
        return Path(self.index_dir) if self.index_dir else default_index_dir(Path(self.content_dir))

    @property
    def instance_path(self) -> Path:
        return Path(self.instance_dir) if self.instance_dir else default_instance_dir(Path(self.content_dir))

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.instance_path / 'kb.sqlite3'}"

    @property
    def media_path(self) -> Path:
        """Images taken from imported files; part of the content, so served and kept in history."""
        return Path(self.content_dir) / "_media"

    @property
    def draft_media_path(self) -> Path:
        """Images of imports not saved yet (kb.drafts): the instance folder, not served."""
        return self.instance_path / "import-media"

    @property
    def site_url(self) -> str:
        """The public address without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = self.host
        if host in ("0.0.0.0", "::", ""):  # every interface: the name colleagues know the machine by
            host = socket.gethostname()
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

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
    if "tuple" in str(kind):  # a TOML list, or "a, b" in an environment variable
        items = value if isinstance(value, (list, tuple)) else str(value).replace(",", " ").split()
        return tuple(str(v).strip() for v in items if str(v).strip())
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
    content = Path(config.content_dir).resolve()
    for label, folder in (("索引目录", config.index_path), ("实例目录", config.instance_path)):
        if folder.resolve() == content or content in folder.resolve().parents:
            raise ValueError(f"{label} {folder} 不能放在内容目录 {config.content_dir} 里面")
    return config
