"""Read and confirm (阅读确认): who confirmed they read and understood which version of an
article, and when an editor asked everyone to confirm again.

A confirmation is a row: the account, the article's slug, the version they read (its commit in
the history, kb.history) and the time. Nothing is overwritten: a second confirmation after a
change is a second row, so a manager sees who confirmed which version. A request to confirm
again (an editor's material change) is a row too; a confirmation counts when it was made after
the article's latest request, so the same question is asked once more of everybody at once,
whatever version they confirmed before.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .database import Tables


def now() -> dt.datetime:
    """The server's local time, as the search log and feedback keep it: managers read the
    times of confirmations as the office's."""
    return dt.datetime.now()


class _Base(DeclarativeBase):
    pass


class _Confirmation(_Base):
    __tablename__ = "kb_read_confirmations"
    __table_args__ = (UniqueConstraint("account", "slug", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
    slug: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class _Request(_Base):
    __tablename__ = "kb_read_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[str] = mapped_column(String(64))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


@dataclass(frozen=True)
class Confirmation:
    account: str
    slug: str
    version: str
    at: dt.datetime

    @property
    def short(self) -> str:
        return self.version[:8]


@dataclass(frozen=True)
class Request:
    slug: str
    version: str
    by: str
    at: dt.datetime


class Confirmations(Tables):
    """The confirmations and requests in the site's database (``engine``)."""

    metadata = _Base.metadata

    def confirm(self, account: str, slug: str, version: str) -> Confirmation:
        """Record that ``account`` read ``version`` of ``slug``; confirming the same version
        again keeps the first time unless a request came since (then it is confirmed anew)."""
        with self._session() as s:
            row = s.scalar(select(_Confirmation).where(_Confirmation.account == account, _Confirmation.slug == slug,
                                                       _Confirmation.version == version))
            asked = s.scalar(select(func.max(_Request.at)).where(_Request.slug == slug))
            if row is None:
                row = _Confirmation(account=account, slug=slug, version=version[:64], at=now())
                s.add(row)
            elif asked is not None and row.at < asked:
                row.at = now()
            try:
                s.commit()
            except IntegrityError:  # the same click twice, in two workers
                s.rollback()
                row = s.scalar(select(_Confirmation).where(_Confirmation.account == account,
                                                           _Confirmation.slug == slug, _Confirmation.version == version))
            return Confirmation(row.account, row.slug, row.version, row.at)

    def ask_again(self, slug: str, version: str, by: str) -> Request:
        with self._session() as s:
            row = _Request(slug=slug, version=version[:64], by=by[:64], at=now())
            s.add(row)
            s.commit()
            return Request(row.slug, row.version, row.by, row.at)

    def latest(self, slugs: list[str] | None = None, accounts: list[str] | None = None) -> dict[tuple[str, str], Confirmation]:
        """(account, slug) -> the latest confirmation, of these slugs and accounts (all by default)."""
        query = select(_Confirmation)
        if slugs is not None:
            query = query.where(_Confirmation.slug.in_(slugs))
        if accounts is not None:
            query = query.where(_Confirmation.account.in_(accounts))
        out: dict[tuple[str, str], Confirmation] = {}
        with self._session() as s:
            for r in s.scalars(query.order_by(_Confirmation.at, _Confirmation.id)):
                out[(r.account, r.slug)] = Confirmation(r.account, r.slug, r.version, r.at)
        return out

    def requests(self, slugs: list[str] | None = None) -> dict[str, Request]:
        """slug -> its latest request to confirm again."""
        query = select(_Request)
        if slugs is not None:
            query = query.where(_Request.slug.in_(slugs))
        out: dict[str, Request] = {}
        with self._session() as s:
            for r in s.scalars(query.order_by(_Request.at, _Request.id)):
                out[r.slug] = Request(r.slug, r.version, r.by, r.at)
        return out


def counts(confirmation: Confirmation | None, request: Request | None) -> bool:
    """Whether ``confirmation`` still counts after the article's latest ``request``."""
    return confirmation is not None and (request is None or confirmation.at >= request.at)
