"""Following: an account follows an article, a category or a reading path, and hears of changes
on its home page (「我关注的更新」), in a private feed and in e-mail digests.

A follow is a row (account, what kind, which one, since when). A private feed is reached by an
unguessable token in its address — a feed reader cannot log in — of which only a hash is kept:
the address is shown once, when made, and making a new one revokes the old. A digest row keeps
when an account's last digest was sent, so that the next one tells only what came after.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .database import Tables
from .users import now

KINDS = {"article": "文章", "category": "分类", "path": "阅读路径"}


class _Base(DeclarativeBase):
    pass


class _Follow(_Base):
    __tablename__ = "kb_follows"
    __table_args__ = (UniqueConstraint("account", "kind", "target"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(200))
    since: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class _FeedToken(_Base):
    __tablename__ = "kb_feed_tokens"
    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class _Digest(_Base):
    __tablename__ = "kb_digests"
    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    sent: Mapped[dt.datetime] = mapped_column(DateTime)


@dataclass(frozen=True)
class Follow:
    account: str
    kind: str
    target: str
    since: dt.datetime

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Follows(Tables):
    metadata = _Base.metadata

    def follow(self, account: str, kind: str, target: str) -> None:
        if kind not in KINDS or not target:
            raise ValueError(f"unknown follow {kind!r} {target!r}")
        with self._session() as s:
            s.add(_Follow(account=account, kind=kind, target=target[:200], since=now()))
            try:
                s.commit()
            except IntegrityError:  # followed already
                s.rollback()

    def unfollow(self, account: str, kind: str, target: str) -> None:
        with self._session() as s:
            s.execute(delete(_Follow).where(_Follow.account == account, _Follow.kind == kind, _Follow.target == target))
            s.commit()

    def of(self, account: str) -> list[Follow]:
        with self._session() as s:
            rows = s.scalars(select(_Follow).where(_Follow.account == account).order_by(_Follow.since))
            return [Follow(r.account, r.kind, r.target, r.since) for r in rows]

    def accounts(self) -> list[str]:
        """Every account that follows something."""
        with self._session() as s:
            return sorted(set(s.scalars(select(_Follow.account))))

    # --- private feeds -----------------------------------------------------------------------
    def new_token(self, account: str) -> str:
        """A new feed token for ``account`` (the old one stops working)."""
        token = secrets.token_urlsafe(24)
        with self._session() as s:
            row = s.get(_FeedToken, account)
            if row is None:
                s.add(_FeedToken(account=account, token_hash=_hash(token), created=now()))
            else:
                row.token_hash, row.created = _hash(token), now()
            s.commit()
        return token

    def revoke(self, account: str) -> None:
        with self._session() as s:
            s.execute(delete(_FeedToken).where(_FeedToken.account == account))
            s.commit()

    def has_token(self, account: str) -> dt.datetime | None:
        """When ``account``'s feed address was made, or None."""
        with self._session() as s:
            row = s.get(_FeedToken, account)
            return row.created if row else None

    def account_of(self, token: str) -> str | None:
        if not token or len(token) > 100:
            return None
        with self._session() as s:
            return s.scalar(select(_FeedToken.account).where(_FeedToken.token_hash == _hash(token)))

    # --- digests -----------------------------------------------------------------------------
    def last_digest(self, account: str) -> dt.datetime | None:
        with self._session() as s:
            row = s.get(_Digest, account)
            return row.sent if row else None

    def digest_sent(self, account: str, at: dt.datetime) -> None:
        with self._session() as s:
            row = s.get(_Digest, account)
            if row is None:
                s.add(_Digest(account=account, sent=at))
            else:
                row.sent = at
            s.commit()

    def forget(self, account: str) -> None:
        with self._session() as s:
            for table in (_Follow, _FeedToken, _Digest):
                s.execute(delete(table).where(table.account == account))
            s.commit()
