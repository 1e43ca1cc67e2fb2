"""Settings: one typed schema, read from defaults, then a TOML file (``--config`` or
``KB_CONFIG``), then ``KB_*`` environment variables, then explicit overrides (command-line
flags, test settings).

Each setting is declared once, as a field of ``Config`` with its help text and its check
(``setting``): loading, validation, ``kb --help``-style listings and the README's settings table
(a test compares them) all read that declaration, as mkdocs' config schema and datasette's
settings table do. A bad value is one Chinese line naming the setting, where it came from
(the file, the environment variable or the flag) and what is allowed.
"""
from __future__ import annotations

import hashlib
import os
import re
import socket
import tomllib
import typing
from collections import abc
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping


class SettingError(ValueError):
    """A setting, a configuration file or a folder a command needs is wrong; the message is for
    the user, in Chinese, and names what to fix."""


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


# --- checks: each returns None for a good value, else what is allowed ----------------------

Check = Callable[[Any], "str | None"]


def _n(number: int) -> str:
    return f"{number:,}" if number >= 100_000 else str(number)


def between(low: int, high: int | None = None) -> Check:
    def check(value) -> str | None:
        if value < low or (high is not None and value > high):
            return f"应为 {_n(low)}–{_n(high)} 之间的整数" if high is not None else f"应为不小于 {_n(low)} 的整数"
        return None
    return check


def one_of(*choices: str) -> Check:
    def check(value) -> str | None:
        return None if value in choices else "应为以下之一：" + "、".join(choices)
    return check


_ADDRESS = re.compile(r"^[^@\s,<>]+@[^@\s,<>]+$")


def addresses(value: tuple[str, ...]) -> str | None:
    bad = next((a for a in value if not _ADDRESS.match(a)), None)
    return f"“{_short(bad, 40)}” 不是邮箱地址" if bad is not None else None


def addresses_by_name(value: Mapping) -> str | None:
    """A table of names (a department, a person) to e-mail addresses."""
    for name, to in value.items():
        items = [to] if isinstance(to, str) else to
        if not isinstance(items, (list, tuple)) or not all(isinstance(a, str) and _ADDRESS.match(a) for a in items):
            return f"“{_short(name, 20)}” 的值应为邮箱地址的列表，例如 \"办公室综合科\" = [\"zhang@example.cn\"]"
    return None


def web_address(value: str) -> str | None:
    if value and not value.startswith(("http://", "https://")):
        return "应为以 http:// 或 https:// 开头的网址，例如 https://kb.example.cn"
    return None


def ldap_address(value: str) -> str | None:
    if value and not value.lower().startswith(("ldap://", "ldaps://")):
        return "应为以 ldap:// 或 ldaps:// 开头的地址，例如 ldaps://dc.example.cn"
    return None


@dataclass(frozen=True)
class Setting:
    """What the schema knows of a setting besides its name, type and default."""

    help: str
    check: Check | None = None


def setting(default, help: str, check: Check | None = None):
    """A field of ``Config`` with its help text and check."""
    return field(default=default, metadata={"setting": Setting(help, check)})


@dataclass(frozen=True)
class Config:
    content_dir: Path = setting(Path("content"), "内容目录：文章所在的文件夹")
    index_dir: Path | None = setting(None, "搜索索引目录（默认在用户缓存目录里，按内容目录区分；不能在内容目录里）")
    host: str = setting("127.0.0.1", "网站监听的地址；0.0.0.0 表示所有网卡")
    port: int = setting(5000, "网站监听的端口", between(1, 65535))
    site_name: str = setting("办公室知识库", "网站名称，显示在每页的页头和标题里")
    allow_edit: bool = setting(True, "允许在浏览器里新建、修改和导入文章（仍需编辑账号）")
    secret_key: str = setting("", "签名会话和表单令牌的密钥；不设时用实例目录里自动生成的")
    search_backend: str = setting("whoosh", "搜索引擎：whoosh（默认），或实现了 search.interface.SearchEngine 的“模块:类”")
    search: Mapping = setting(None, "搜索引擎自己的设置，TOML 里写在 [search.<引擎名>] 下（见 README 的「搜索引擎的设置」）")
    max_article_bytes: int = setting(MAX_ARTICLE_BYTES, "一篇文章文件的大小上限（字节），读取和保存时都检查", between(1_000))
    instance_dir: Path | None = setting(None, "实例目录：账号数据库和密钥（默认在用户数据目录里，按内容目录区分；不能在内容目录里）")
    database_url: str = setting("", "账号和搜索统计的数据库（SQLAlchemy 地址）；不设时用实例目录里的 SQLite")
    require_login: bool = setting(False, "读者也要登录才能阅读")
    trusted_user_header: str = setting("", "反向代理已认证用户时放用户名的请求头，如 REMOTE_USER（代理必须去掉客户端自带的这个头）")
    secure_cookies: bool = setting(False, "Cookie 只经 HTTPS 发送（网站在 HTTPS 反向代理后面时设为 true）")
    history_in_parent_repo: bool = setting(False, "内容目录在另一个 git 仓库里时也把网站的保存提交到那个仓库")
    max_upload_bytes: int = setting(20_000_000, "导入的文件（.docx、.html、.md）的大小上限（字节）", between(1_000))
    max_image_bytes: int = setting(5_000_000, "从导入的文件里取出的每张图片的大小上限（字节）", between(1_000))
    require_approval: bool = setting(False, "发布要经审核：编辑只能保存草稿，由审核人（或管理员）看过改动后发布或退回")
    max_attachment_bytes: int = setting(20_000_000, "文章附件（PDF、Word、Excel、PowerPoint）每个文件的大小上限（字节）",
                                        between(1_000))
    max_attachments: int = setting(30, "一篇文章最多的附件数", between(1, 1000))
    analytics: bool = setting(True, "记录搜索统计（不记录是谁）")
    analytics_retention_days: int = setting(180, "搜索统计保留的天数", between(1, 3650))
    analytics_record_ip: bool = setting(False, "搜索统计也记录来源地址")
    public_url: str = setting("", "同事访问本站用的地址（如 https://kb.example.cn）：订阅源、站点地图和规范链接用它", web_address)
    allowed_hosts: tuple[str, ...] = setting((), "请求可以使用的其他主机名（列表；环境变量里用逗号分隔）；[\"*\"] 表示不检查")
    image_hosts: tuple[str, ...] = setting((), "允许文章显示图片的其他网站（列表）")
    search_budget_ms: int = setting(1000, "一次搜索最多用的毫秒数，到时先返回已经找到的结果；0 表示不限", between(0, 60_000))
    session_hours: int = setting(12, "一次登录的有效小时数；退出登录、改密码、改角色和管理员的「下线」会提前结束这个账号的所有登录",
                                 between(1, 2160))
    trusted_proxies: int = setting(0, "网站前面有几层反向代理：只有设了它，登录限制和搜索统计才按代理转来的 X-Forwarded-For "
                                      "计地址；没有代理时必须是 0（否则任何人都能伪造地址）", between(0, 5))
    smtp_host: str = setting("", "发邮件用的 SMTP 服务器（复审提醒、阅读确认提醒、关注的摘要）；不设时不发邮件")
    smtp_port: int = setting(25, "SMTP 服务器的端口", between(1, 65535))
    smtp_security: str = setting("none", "与 SMTP 服务器的加密方式：none、starttls 或 ssl", one_of("none", "starttls", "ssl"))
    smtp_user: str = setting("", "登录 SMTP 服务器的用户名；不设时不登录")
    smtp_password: str = setting("", "登录 SMTP 服务器的密码（建议用环境变量 KB_SMTP_PASSWORD 给出）")
    mail_from: str = setting("", "邮件的发件地址，如 kb@example.cn；不设时为 kb@服务器名")
    remind_interval_hours: int = setting(24, "阅读确认提醒：同一篇文章多少小时内不再提醒同一个人（重复的提醒跳过）；0 表示不限",
                                         between(0, 24 * 90))
    review_cycle_months: int = setting(12, "「确认仍然有效」把下次复审日期定在几个月以后", between(1, 120))
    review_window_days: int = setting(30, "复审日期在几天之内的文章列入「待复审」（已过期的总在里面）", between(0, 365))
    review_mail_to: tuple[str, ...] = setting((), "复审提醒（kb review --mail）默认发给的邮箱（列表）", addresses)
    review_mail_owners: Mapping = setting(None, "按责任部门或责任人发复审提醒的邮箱，TOML 里写在 [review_mail_owners] 下："
                                                "\"办公室综合科\" = [\"zhang@example.cn\"]；没列出的部门发给 review_mail_to",
                                          addresses_by_name)
    content_remote: str = setting("", "几台机器共同提供一个站点时，共享的内容 git 仓库（如 git@git.example.cn:kb/content.git）："
                                      "每台机器的内容目录是它的克隆，保存推送到这里，其他机器的保存从这里取回；不设时只有这一台")
    content_branch: str = setting("main", "共享内容仓库里站点使用的分支")
    sync_seconds: int = setting(5, "每隔多少秒从共享内容仓库取一次其他机器的保存（数据库是 PostgreSQL 时，"
                                   "其他机器保存后会立即通知，不必等到这时）", between(1, 3600))
    ldap_url: str = setting("", "目录服务器（LDAP、Active Directory）的地址，如 ldap://dc.example.cn 或 ldaps://…；设了就能用目录的密码登录", ldap_address)
    ldap_user_dn: str = setting("", "登录的人在目录里的 DN，{name} 处填登录名，如 uid={name},ou=people,dc=example,dc=cn；不设时按 ldap_user_filter 查找")
    ldap_base_dn: str = setting("", "在目录的哪一支下查找人和组，如 dc=example,dc=cn")
    ldap_user_filter: str = setting("(uid={name})", "查找登录的人用的条件，{name} 处填登录名；Active Directory 用 (sAMAccountName={name})")
    ldap_bind_dn: str = setting("", "查找人和组时用的目录账号的 DN；不设时匿名查找")
    ldap_bind_password: str = setting("", "这个目录账号的密码（建议用环境变量 KB_LDAP_BIND_PASSWORD 给出）")
    ldap_group_base_dn: str = setting("", "在目录的哪一支下查找组；不设时同 ldap_base_dn")
    ldap_group_filter: str = setting("(|(member={dn})(uniqueMember={dn})(memberUid={name}))",
                                     "查找一个人所在的组用的条件，{dn} 处填这人的 DN，{name} 处填登录名")
    ldap_group_attribute: str = setting("cn", "组的哪个属性是组名（与文章的 readers、required_for 里写的组名相同）")
    ldap_email_attribute: str = setting("mail", "人的哪个属性是邮件地址")
    ldap_manager_attribute: str = setting("", "组的哪个属性列出组的负责人（如 owner；Active Directory 用 managedBy）；"
                                              "设了时，目录登录的人是哪些组的负责人也从目录取，负责人能看本组的阅读确认")
    ldap_starttls: bool = setting(False, "用 ldap:// 连接后先用 StartTLS 加密（ldaps:// 本来就加密）")
    ldap_ca_file: str = setting("", "校验目录服务器证书用的 CA 证书文件；不设时用系统的")
    ldap_timeout: int = setting(10, "连接和每次询问目录服务器最多等的秒数", between(1, 120))
    ldap_role: str = setting("reader", "第一次用目录登录的人在本站的角色（管理员以后可以改）", one_of("reader", "editor"))

    def __post_init__(self):
        for name in ("search", "review_mail_owners"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, {})

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


def settings_schema(schema: type = Config) -> list[tuple[str, type, object, Setting]]:
    """(name, type, default, Setting) of every setting of ``schema``, in declaration order."""
    hints = typing.get_type_hints(schema)
    return [(f.name, hints[f.name], f.default, f.metadata["setting"]) for f in fields(schema)]


# --- reading values ------------------------------------------------------------------------

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


def _coerce(kind, value, text: bool):
    """``value`` as ``kind``; ``text``: it came from an environment variable or a flag, where
    everything is a string. Raises ValueError with what is allowed."""
    args = typing.get_args(kind)
    if type(None) in args:  # Optional[X]
        kind = next(a for a in args if a is not type(None))
    origin = typing.get_origin(kind) or kind
    if origin is tuple:
        if isinstance(value, (list, tuple)):
            items = value
        elif text:
            items = str(value).replace(",", " ").split()
        else:
            raise ValueError("应为文字列表，例如 [\"a\", \"b\"]")
        return tuple(str(v).strip() for v in items if str(v).strip())
    if kind is Path:
        if not isinstance(value, (str, Path)) or not str(value).strip():
            raise ValueError("应为一个目录或文件的路径")
        return Path(value)
    if kind is bool:
        if isinstance(value, bool):
            return value
        if text and str(value).strip().lower() in _TRUE | _FALSE:
            return str(value).strip().lower() in _TRUE
        raise ValueError("应为 true 或 false")
    if kind is int:
        if isinstance(value, bool) or not (isinstance(value, int) or (text and str(value).strip().lstrip("-").isdigit())):
            raise ValueError("应为整数")
        return int(value)
    if origin in (abc.Mapping, dict):
        if not isinstance(value, abc.Mapping):
            raise ValueError("应为 TOML 表（[节名] 下的设置）")
        return dict(value)
    if not isinstance(value, str):
        raise ValueError("应为一段文字（TOML 里加引号）")
    return value


def _short(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_settings(schema: type, given: Mapping[str, tuple[object, str, bool]]):
    """An instance of the settings dataclass ``schema`` from ``given``: name -> (value, where it
    came from, came as text). Every value is converted and checked; the first bad one raises
    SettingError naming it and its source."""
    types = {name: (kind, meta) for name, kind, _, meta in settings_schema(schema)}
    values = {}
    for name, (value, source, text) in given.items():
        kind, meta = types[name]
        try:
            value = _coerce(kind, value, text)
            allowed = meta.check(value) if meta.check and value is not None else None
        except ValueError as exc:
            allowed = str(exc)
        if allowed:
            raise SettingError(f"设置 {name} 的值 “{_short(value)}” 无效（{source}）：{allowed}")
        values[name] = value
    return replace(schema(), **values)


def read_toml(file: Path) -> dict:
    """A TOML file's tables; SettingError naming the file (and the line) when it is missing or
    not valid TOML."""
    try:
        with open(file, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingError(f"找不到配置文件 {file}（由 --config 或环境变量 KB_CONFIG 指定）") from None
    except IsADirectoryError:
        raise SettingError(f"配置文件 {file} 是一个目录，应为 TOML 文件") from None
    except OSError as exc:
        raise SettingError(f"无法读取配置文件 {file}：{exc.strerror}") from None
    except UnicodeDecodeError:
        raise SettingError(f"配置文件 {file} 不是 UTF-8 编码，请用 UTF-8 保存") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingError(f"配置文件 {file} 格式错误：{_toml_message(exc)}") from None


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    """tomllib says "Invalid value (at line 3, column 7)": the line first, in Chinese."""
    import re

    text = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", text)
    what = re.sub(r"\s*\(at .*\)$", "", text)
    if where:
        return f"第 {where.group(1)} 行第 {where.group(2)} 列：{what}（TOML 的写法：名字 = 值，文字加引号）"
    return f"{what}（TOML 的写法：名字 = 值，文字加引号）"


def load_config(file: str | Path | None = None, **overrides) -> Config:
    """The settings in force: defaults, the TOML file, KB_* environment variables, then
    ``overrides`` (None values are ignored: a flag not given). Raises SettingError."""
    names = {name for name, *_ in settings_schema()}
    given: dict[str, tuple[object, str, bool]] = {}
    file = file or os.environ.get("KB_CONFIG")
    if file:
        data = read_toml(Path(file))
        unknown = set(data) - names
        if unknown:
            raise SettingError(f"配置文件 {file} 中有未知的设置项：{', '.join(sorted(unknown))}"
                               f"（可用的设置见 README 的「设置」一节）")
        given.update({k: (v, f"配置文件 {file}", False) for k, v in data.items()})
    for name in names:
        env = os.environ.get(f"KB_{name.upper()}")
        if env is not None and name != "search":
            given[name] = (env, f"环境变量 KB_{name.upper()}", True)
    given.update({k: (v, "命令行或程序传入的设置", not isinstance(v, (Path, bool, int, tuple, list, Mapping)))
                  for k, v in overrides.items() if v is not None})
    config = parse_settings(Config, given)
    content = Path(config.content_dir).resolve()
    for label, name, folder in (("索引目录", "index_dir", config.index_path), ("实例目录", "instance_dir", config.instance_path)):
        if folder.resolve() == content or content in folder.resolve().parents:
            raise SettingError(f"设置 {name}：{label} {folder} 不能放在内容目录 {config.content_dir} 里面")
    return config


def require_content(config: Config) -> Path:
    """The content folder, or SettingError when it does not exist (every command needs it)."""
    folder = Path(config.content_dir)
    if config.content_remote and not folder.exists():
        return folder  # a node of several: cloned from the shared repository at start (kb.remote)
    if not folder.is_dir():
        raise SettingError(f"内容目录 {folder} 不存在。请用 --content 指定文章所在的目录"
                           f"（或设置 content_dir；自带的文章在项目的 content/ 里）。")
    return folder
