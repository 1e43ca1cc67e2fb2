"""Reminders to read and confirm (阅读确认), as they were sent: who sent one, when, for which
article and group (or all of them), and whom it reached about which article.

A sending is one row (``kb_read_reminders``), with a row per person and article it reminded of
(``kb_read_reminded``): the managers' page says 「上次提醒：…」 per article and per person from
them, and a second reminder to the same person about the same article within the site's
``remind_interval_hours`` is skipped (application.reading), so two managers pressing the button on
one morning do not mail everybody twice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, Index, Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .confirmations import now
from .database import Tables


class _Base(DeclarativeBase):
    pass


class _Sending(_Base):
    __tablename__ = "kb_read_reminders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)
    by: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(120), default="")  # "": every article
    group_name: Mapped[str] = mapped_column(String(64), default="")  # "": everybody
    sent: Mapped[int] = mapped_column(Integer, default=0)  # messages that went out
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # people reminded within the interval
    missing: Mapped[int] = mapped_column(Integer, default=0)  # people without an address


class _Reminded(_Base):
    __tablename__ = "kb_read_reminded"
    __table_args__ = (Index("ix_kb_read_reminded_slug_account", "slug", "account"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sending: Mapped[int] = mapped_column(Integer, index=True)
    account: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


@dataclass(frozen=True)
class Sending:
    id: int
    at: dt.datetime
    by: str
    slug: str
    group: str
    sent: int
    skipped: int
    missing: int
    people: int = 0  # for one article: how many it reminded of that article


class Reminders(Tables):
    """The sendings of reminders in the site's database (``engine``)."""

    metadata = _Base.metadata

    def record(self, by: str, slug: str | None, group: str | None, reminded: dict[str, list[str]],
               skipped: int, missing: int) -> Sending:
        """A sending by ``by`` (for one article and/or group, else all), which reminded each
        account of ``reminded`` of those slugs."""
        at = now()
        with self._session() as s:
            row = _Sending(at=at, by=by[:64], slug=(slug or "")[:120], group_name=(group or "")[:64],
                           sent=len(reminded), skipped=skipped, missing=missing)
            s.add(row)
            s.flush()
            for account, slugs in reminded.items():
                s.add_all(_Reminded(sending=row.id, account=account, slug=slug_, at=at) for slug_ in slugs)
            s.commit()
            return _sending(row)

    def reminded_since(self, since: dt.datetime, slugs: list[str]) -> set[tuple[str, str]]:
        """(account, slug) of everyone reminded of one of ``slugs`` since ``since``."""
        query = select(_Reminded.account, _Reminded.slug).where(_Reminded.at >= since, _Reminded.slug.in_(slugs))
        with self._session() as s:
            return {(account, slug) for account, slug in s.execute(query)}

    def last_per_article(self, slugs: list[str]) -> dict[str, Sending]:
        """slug -> the latest sending that reminded somebody of it, counting those it reminded."""
        if not slugs:
            return {}
        with self._session() as s:
            latest = dict(s.execute(select(_Reminded.slug, func.max(_Reminded.sending))
                                    .where(_Reminded.slug.in_(slugs)).group_by(_Reminded.slug)).all())
            if not latest:
                return {}
            rows = {r.id: r for r in s.scalars(select(_Sending).where(_Sending.id.in_(set(latest.values()))))}
            counted = s.execute(select(_Reminded.slug, _Reminded.sending, func.count())
                                .where(_Reminded.sending.in_(set(latest.values())), _Reminded.slug.in_(slugs))
                                .group_by(_Reminded.slug, _Reminded.sending)).all()
            people = {slug: n for slug, sending, n in counted if latest.get(slug) == sending}
        return {slug: _sending(rows[sending], people.get(slug, 0)) for slug, sending in latest.items() if sending in rows}

    def last_per_person(self, slug: str) -> dict[str, dt.datetime]:
        """account -> when they were last reminded of ``slug``."""
        query = select(_Reminded.account, func.max(_Reminded.at)).where(_Reminded.slug == slug).group_by(_Reminded.account)
        with self._session() as s:
            return dict(s.execute(query).all())

    def recent(self, limit: int = 10) -> list[Sending]:
        with self._session() as s:
            return [_sending(r) for r in s.scalars(select(_Sending).order_by(_Sending.id.desc()).limit(limit))]


def _sending(row: _Sending, people: int = 0) -> Sending:
    return Sending(row.id, row.at, row.by, row.slug, row.group_name, row.sent, row.skipped, row.missing, people)
