"""The people behind the accounts: the groups they belong to and how to reach them.

Groups are departments and positions (财务处, 新员工): an article names the groups that may read
it (kb.fields ``readers``) and those that must read and confirm it (``required_for``). An
account belongs to groups given by an admin (the 用户 page, `kb group …`) and, with directory
login (kb.directory), to the groups the directory lists for it, taken anew at each login:
those rows are marked ``directory`` and replaced whole, so a person who left 财务处 in the
directory loses it here at their next login, while the groups an admin gave stay.

A group may have managers (负责人, a department head): they see the read-and-confirm report of
their group's people (application.reading) without being editors. An admin names them (the 用户
page, `kb group manage …`); with ``ldap_manager_attribute`` set the directory names them too
(a group entry's ``owner``), taken anew at each login like the groups.

Kept beside the accounts (kb.users) in the site's database, by account name, in tables of
their own, so that the accounts' table keeps its shape; removing an account forgets its rows
(``forget``), so a new account of the same name starts with nothing.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, UniqueConstraint, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from .database import Tables
from .fields import EVERYONE
from .users import AccountError, now

LOCAL, DIRECTORY = "local", "directory"
SOURCES = {LOCAL: "本站", DIRECTORY: "目录"}
GROUP_NAME = re.compile(r"^[^\s,，、/\\\x00-\x1f\x7f][^,，、/\\\x00-\x1f\x7f]{0,63}$")
EMAIL = re.compile(r"^[^@\s<>,;\"']{1,64}@[^@\s<>,;\"']+\.[^@\s<>,;\"']{2,}$")


class _Base(DeclarativeBase):
    pass


class _Group(_Base):
    __tablename__ = "kb_groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(16), default=LOCAL)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class _AccountInGroup:
    """A row tying an account to a group, given here (local) or by the directory."""

    @declared_attr.directive
    def __table_args__(cls):
        return (UniqueConstraint("account", "group_name", "source"),)  # one object per table

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
    group_name: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(16), default=LOCAL)


class _Member(_AccountInGroup, _Base):
    __tablename__ = "kb_group_members"


class _Manager(_AccountInGroup, _Base):
    __tablename__ = "kb_group_managers"  # 负责人: may see the group's read confirmations


class _Contact(_Base):
    __tablename__ = "kb_contacts"
    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    source: Mapped[str] = mapped_column(String(16), default=LOCAL)  # directory: the address comes from there


@dataclass(frozen=True)
class Group:
    name: str
    source: str  # local: made here; directory: came with a directory login
    members: int = 0
    managers: tuple[str, ...] = ()  # 负责人: see the group's confirmations

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)


def check_group_name(name: str) -> str:
    name = name.strip()
    if name == EVERYONE:
        raise AccountError(f"“{EVERYONE}”表示所有人，不能用作组名")
    if not GROUP_NAME.match(name):
        raise AccountError("组名要 1–64 个字符，不能有空白开头、逗号、顿号、斜杠或控制字符，例如 财务处")
    return name


def check_email(email: str) -> str:
    email = email.strip()
    if email and not EMAIL.match(email):
        raise AccountError(f"邮件地址 “{email[:80]}” 无效，应为 名字@单位.cn 这样的地址")
    return email


def split_names(text: str) -> list[str]:
    """Group names as typed in one box: separated by commas (either width), 顿号 or spaces."""
    return [n for n in re.split(r"[,，、\s]+", text) if n]


class People(Tables):
    """Groups, memberships and e-mail addresses in the site's database (``engine``)."""

    metadata = _Base.metadata

    # --- groups -----------------------------------------------------------------------------
    def groups(self) -> list[Group]:
        with self._session() as s:
            counts = dict(s.execute(select(_Member.group_name, func.count(func.distinct(_Member.account)))
                                    .group_by(_Member.group_name)).all())
            rows = s.scalars(select(_Group).order_by(_Group.name)).all()
            managers: dict[str, set[str]] = {}
            for account, group in s.execute(select(_Manager.account, _Manager.group_name)):
                managers.setdefault(group, set()).add(account)
            return [Group(r.name, r.source, counts.get(r.name, 0), tuple(sorted(managers.get(r.name, ()))))
                    for r in rows]

    def add_group(self, name: str, source: str = LOCAL) -> str:
        name = check_group_name(name)
        with self._session() as s:
            if s.scalar(select(_Group).where(_Group.name == name)) is None:
                s.add(_Group(name=name, source=source))
                try:
                    s.commit()
                except IntegrityError:  # made meanwhile by another worker
                    s.rollback()
        return name

    def remove_group(self, name: str) -> None:
        with self._session() as s:
            if s.scalar(select(_Group).where(_Group.name == name)) is None:
                raise AccountError(f"没有组 “{name}”")
            s.execute(delete(_Member).where(_Member.group_name == name))
            s.execute(delete(_Manager).where(_Manager.group_name == name))
            s.execute(delete(_Group).where(_Group.name == name))
            s.commit()

    def members(self, group: str) -> list[str]:
        with self._session() as s:
            return sorted(set(s.scalars(select(_Member.account).where(_Member.group_name == group))))

    def groups_of(self, account: str) -> frozenset[str]:
        if not account:
            return frozenset()
        with self._session() as s:
            return frozenset(s.scalars(select(_Member.group_name).where(_Member.account == account)))

    def memberships(self) -> dict[str, dict[str, str]]:
        """account -> {group: source} for every account that has groups."""
        out: dict[str, dict[str, str]] = {}
        with self._session() as s:
            for account, group, source in s.execute(select(_Member.account, _Member.group_name, _Member.source)):
                if out.setdefault(account, {}).get(group) != LOCAL:  # given here: the admin can take it away
                    out[account][group] = source
        return out

    def join(self, group: str, accounts: list[str]) -> None:
        group = self.add_group(group)
        with self._session() as s:
            have = set(s.scalars(select(_Member.account).where(_Member.group_name == group, _Member.source == LOCAL)))
            for account in dict.fromkeys(accounts):
                if account not in have:
                    s.add(_Member(account=account, group_name=group, source=LOCAL))
            s.commit()

    def leave(self, group: str, accounts: list[str]) -> None:
        with self._session() as s:
            s.execute(delete(_Member).where(_Member.group_name == group, _Member.account.in_(accounts),
                                            _Member.source == LOCAL))
            s.commit()

    def set_groups(self, account: str, groups: list[str], source: str = LOCAL) -> None:
        """``account``'s groups of ``source`` are ``groups`` from now on (those of the other
        source stay: an admin's groups survive a directory login and the other way round)."""
        self._replace(_Member, account, groups, source)

    def _replace(self, table, account: str, groups: list[str], source: str) -> None:
        """``account``'s rows of ``source`` in ``table`` (memberships, managers) name ``groups``."""
        names = list(dict.fromkeys(check_group_name(g) for g in groups))
        for name in names:
            self.add_group(name, source)
        with self._session() as s:
            s.execute(delete(table).where(table.account == account, table.source == source))
            for name in names:
                s.add(table(account=account, group_name=name, source=source))
            s.commit()

    # --- managers (负责人) -----------------------------------------------------------------
    def managers(self, group: str, source: str | None = None) -> list[str]:
        query = select(_Manager.account).where(_Manager.group_name == group)
        if source is not None:
            query = query.where(_Manager.source == source)
        with self._session() as s:
            return sorted(set(s.scalars(query)))

    def managed_by(self, account: str) -> frozenset[str]:
        """The groups ``account`` manages (from either source)."""
        if not account:
            return frozenset()
        with self._session() as s:
            return frozenset(s.scalars(select(_Manager.group_name).where(_Manager.account == account)))

    def set_managers(self, group: str, accounts: list[str]) -> None:
        """``group``'s managers given here are ``accounts`` from now on (the directory's stay)."""
        with self._session() as s:
            if s.scalar(select(_Group).where(_Group.name == group)) is None:
                raise AccountError(f"没有组 “{group}”")
            s.execute(delete(_Manager).where(_Manager.group_name == group, _Manager.source == LOCAL))
            for account in dict.fromkeys(accounts):
                s.add(_Manager(account=account, group_name=group, source=LOCAL))
            s.commit()

    def set_managed(self, account: str, groups: list[str], source: str = DIRECTORY) -> None:
        """The groups ``account`` manages according to ``source`` (the directory's, at each
        login) are ``groups`` from now on."""
        self._replace(_Manager, account, groups, source)

    # --- e-mail -----------------------------------------------------------------------------
    def email_of(self, account: str) -> str:
        with self._session() as s:
            row = s.get(_Contact, account)
            return row.email if row else ""

    def emails(self) -> dict[str, str]:
        """account -> address, for the accounts that have one."""
        with self._session() as s:
            return {r.account: r.email for r in s.scalars(select(_Contact)) if r.email}

    def set_email(self, account: str, email: str, source: str = LOCAL) -> None:
        email = check_email(email)
        with self._session() as s:
            row = s.get(_Contact, account)
            if row is None:
                s.add(_Contact(account=account, email=email, source=source))
            else:
                row.email, row.source = email, source
            s.commit()

    def forget(self, account: str) -> None:
        """An account was removed: its memberships, the groups it managed and its address go with it."""
        with self._session() as s:
            s.execute(delete(_Member).where(_Member.account == account))
            s.execute(delete(_Manager).where(_Manager.account == account))
            s.execute(delete(_Contact).where(_Contact.account == account))
            s.commit()
