"""Accounts: who may read, edit and manage the site, kept through SQLAlchemy.

SQLite in the instance folder by default (one machine, several worker processes: WAL and a
busy timeout let them share it); PostgreSQL by URL when several machines serve one site.
Passwords are hashed with werkzeug's scrypt (werkzeug comes with Flask; no new dependency).

Each account has a *session version*: a login's session names it, and a session naming an older
one is no longer logged in. Logging out, a new password, a new role and an administrator's
「下线」 raise it, so each ends every session of that account at once — a copied cookie included
(the probe of issue 16 still created an article with one after logout and a password reset).

The limit on guessing passwords is kb.login_limit's.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, delete, func, inspect, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from .database import create_tables, open_database
from .login_limit import LoginLimit

log = logging.getLogger(__name__)

#: Roles, weakest first, with their Chinese names. Anonymous visitors are readers unless the
#: site requires login. An approver is an editor who may also publish drafts when the site
#: requires approval (``require_approval``); an admin may do everything an approver may.
ROLES = {"reader": "读者", "editor": "编辑", "approver": "审核人", "admin": "管理员"}
NAME = re.compile(r"^[\w.@-]{2,64}$")  # letters (Chinese too), digits, _ . @ -
MIN_PASSWORD = 8


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is for the user."""


class _Base(DeclarativeBase):
    pass


class _User(_Base):
    __tablename__ = "kb_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


@dataclass(frozen=True)
class User:
    """An account as the rest of the site sees it (plain data; no password hash)."""

    id: int
    name: str
    role: str
    created: dt.datetime | None = None
    session_version: int = 0

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def can(self, role: str) -> bool:
        """At least ``role`` (reader < editor < approver < admin)."""
        order = list(ROLES)
        return self.role in order and order.index(self.role) >= order.index(role)

    # Flask-Login's user protocol
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """What a session keeps: the account and its session version (``Users.by_session``)."""
        return f"{self.id}.{self.session_version}"


def _plain(row: _User) -> User:
    return User(row.id, row.name, row.role, row.created, row.session_version or 0)


class Users:
    """The accounts in the database at ``database``: a URL, or the site's engine (kb.database)
    shared with its other tables. Tables are created on first use."""

    def __init__(self, database: str | Engine):
        self._owns_engine = isinstance(database, str)
        self.engine = open_database(database) if self._owns_engine else database
        self.url = self.engine.url.render_as_string(hide_password=True)
        self._ready = False
        self.limit = LoginLimit(self.engine)  # how many passwords may be tried (kb.login_limit)

    def _session(self) -> Session:
        if not self._ready:
            create_tables(_Base.metadata, self.engine)
            _add_session_version(self.engine)
            self._ready = True
        return Session(self.engine, expire_on_commit=False)

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    # --- accounts -----------------------------------------------------------------------
    def add(self, name: str, password: str, role: str = "editor") -> User:
        name = name.strip()
        _check_name(name)
        _check_role(role)
        _check_password(password)
        with self._session() as s:
            row = _User(name=name, role=role, password_hash=generate_password_hash(password, method="scrypt"))
            s.add(row)
            try:
                s.commit()
            except IntegrityError:
                raise AccountError(f"用户名 “{name}” 已被使用") from None
            return _plain(row)

    def check_new(self, name: str, role: str) -> None:
        """Raise AccountError now if ``add`` would refuse this name or role (before someone
        is asked for a password in vain)."""
        _check_name(name.strip())
        _check_role(role)
        if self.get(name.strip()) is not None:
            raise AccountError(f"用户名 “{name.strip()}” 已被使用")

    def ensure(self, name: str, role: str = "reader") -> User:
        """The account ``name``, created without a usable password when missing (single
        sign-on: the proxy vouches for the name, an admin may raise the role later)."""
        found = self.get(name)
        if found is not None:
            return found
        with self._session() as s:
            row = _User(name=name, role=role, password_hash="!")  # no password matches "!"
            s.add(row)
            try:
                s.commit()
                return _plain(row)
            except IntegrityError:  # another worker created it meanwhile
                s.rollback()
        return self.get(name)

    def get(self, name: str) -> User | None:
        with self._session() as s:
            row = s.scalar(select(_User).where(_User.name == name))
            return _plain(row) if row else None

    def by_id(self, user_id: int) -> User | None:
        with self._session() as s:
            row = s.get(_User, user_id)
            return _plain(row) if row else None

    def by_session(self, session_id: str) -> User | None:
        """The account a session names (``User.get_id``), if that session is still valid: the
        account exists and its session version is the one the session was given."""
        user_id, dot, version = session_id.partition(".")
        if not (dot and user_id.isdigit() and version.isdigit()):
            return None  # a session from before versions, or forged: logged out
        user = self.by_id(int(user_id))
        return user if user is not None and user.session_version == int(version) else None

    def end_sessions(self, name: str) -> None:
        """End every session of ``name`` (logout, 「下线」)."""
        self._change(name)

    def all(self) -> list[User]:
        with self._session() as s:
            return [_plain(r) for r in s.scalars(select(_User).order_by(_User.name))]

    def count_admins(self) -> int:
        with self._session() as s:
            return s.scalar(select(func.count()).select_from(_User).where(_User.role == "admin")) or 0

    def set_password(self, name: str, password: str) -> None:
        _check_password(password)
        self._change(name, password_hash=generate_password_hash(password, method="scrypt"))

    def set_role(self, name: str, role: str) -> None:
        _check_role(role)
        user = self._existing(name)
        if user.role == "admin" and role != "admin" and self.count_admins() <= 1:
            raise AccountError("不能取消最后一位管理员的管理员身份")
        self._change(name, role=role)

    def remove(self, name: str) -> None:
        user = self._existing(name)
        if user.role == "admin" and self.count_admins() <= 1:
            raise AccountError("不能删除最后一位管理员")
        with self._session() as s:
            s.execute(delete(_User).where(_User.name == name))
            s.commit()

    def _existing(self, name: str) -> User:
        user = self.get(name)
        if user is None:
            raise AccountError(f"没有用户 “{name}”")
        return user

    def _change(self, name: str, **values) -> None:
        """Change the account and end its sessions: a new password or role takes effect in
        every browser at once, and a stolen cookie is worth nothing after it."""
        self._existing(name)
        with self._session() as s:
            s.execute(update(_User).where(_User.name == name)
                      .values(session_version=_User.session_version + 1, **values))
            s.commit()

    # --- logging in ---------------------------------------------------------------------
    def verify(self, name: str, password: str) -> User | None:
        with self._session() as s:
            row = s.scalar(select(_User).where(_User.name == name.strip()))
            if row is None:
                # Hash anyway, so that a wrong name takes as long as a wrong password.
                check_password_hash(_DUMMY_HASH, password)
                return None
            if row.password_hash == "!" or not check_password_hash(row.password_hash, password):
                return None
            return _plain(row)

    def has_password(self, name: str) -> bool:
        """The account ``name`` logs in with a password kept here (not one made by single sign-on
        or a directory login, whose password the directory keeps)."""
        with self._session() as s:
            row = s.scalar(select(_User).where(_User.name == name.strip()))
            return row is not None and row.password_hash != "!"


_DUMMY_HASH = generate_password_hash("not a password", method="scrypt")


def _add_session_version(engine: Engine) -> None:
    """Accounts databases made before session versions get the column (every session then
    starts from version 0). Several workers may try at once: one wins, the others see it."""
    if "session_version" in {c["name"] for c in inspect(engine).get_columns("kb_users")}:
        return
    try:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE kb_users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0"))
    except SQLAlchemyError:
        if "session_version" not in {c["name"] for c in inspect(engine).get_columns("kb_users")}:
            raise


def _check_name(name: str) -> None:
    if not NAME.match(name):
        raise AccountError("用户名要 2–64 个字符，只能用汉字、字母、数字和 _ . @ -")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"角色 “{role}” 无效，应为：" + "、".join(f"{k}（{v}）" for k, v in ROLES.items()))


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in words; None when it will do."""
    return f"密码至少要 {MIN_PASSWORD} 个字符" if len(password) < MIN_PASSWORD else None


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
