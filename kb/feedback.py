"""What readers tell an article's owner: 「这篇有帮助吗？」 and an optional short note.

A note is a row: the article's slug, helpful or not (or neither), a reason chosen from three
(内容过时, 说得不清楚, 找不到想要的), free text of at most ``MAX_NOTE`` characters, and the
minute it came. Never who sent it (readers may send one without an account, and an owner
reads a note better not knowing whose it is), nor their address. An owner or editor marks a
note handled, with their name and the time.

Bounded: the web layer takes at most a few notes per address and per worker before it answers
429 (kb.throttle), and at most ``MAX_PER_DAY`` notes are kept per day across every worker and
machine, so a script posting notes cannot fill the database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Boolean, DateTime, Integer, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .analytics import now
from .database import Tables

REASONS = {"outdated": "内容过时", "unclear": "说得不清楚", "missing": "找不到想要的"}
MAX_NOTE = 500
MAX_PER_DAY = 2000


class _Base(DeclarativeBase):
    pass


class _Note(_Base):
    __tablename__ = "kb_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), index=True)
    helpful: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    reason: Mapped[str | None] = mapped_column(String(16), nullable=True)
    text: Mapped[str] = mapped_column(String(MAX_NOTE), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    handled_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


@dataclass(frozen=True)
class Note:
    id: int
    slug: str
    helpful: bool | None
    reason: str | None
    text: str
    at: dt.datetime
    handled_at: dt.datetime | None = None
    handled_by: str | None = None

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason or "", "")

    @property
    def says_something(self) -> bool:
        return bool(self.reason or self.text)


@dataclass
class Counts:
    helpful: int = 0
    not_helpful: int = 0
    open: int = 0  # notes with a reason or text, not handled yet


def _plain(r: _Note) -> Note:
    return Note(r.id, r.slug, r.helpful, r.reason, r.text, r.at, r.handled_at, r.handled_by)


class Feedback(Tables):
    """The notes in the site's database (``engine``)."""

    metadata = _Base.metadata

    def give(self, slug: str, helpful: bool | None, reason: str | None, text: str) -> Note | None:
        """Keep a note; None when today's ``MAX_PER_DAY`` are kept already."""
        text = " ".join(text.split())[:MAX_NOTE] if text else ""
        reason = reason if reason in REASONS else None
        today = dt.datetime.combine(now().date(), dt.time())
        with self._session() as s:
            if (s.scalar(select(func.count()).select_from(_Note).where(_Note.at >= today)) or 0) >= MAX_PER_DAY:
                return None
            row = _Note(slug=slug[:120], helpful=helpful, reason=reason, text=text, at=now())
            s.add(row)
            s.commit()
            return _plain(row)

    def notes(self, slugs: list[str], handled: bool | None = False, limit: int = 500) -> list[Note]:
        """Notes that say something (a reason or text) about ``slugs``, newest first; ``handled``
        None for both kinds."""
        if not slugs:
            return []
        query = select(_Note).where(_Note.slug.in_(slugs), (_Note.reason.is_not(None)) | (_Note.text != ""))
        if handled is not None:
            query = query.where(_Note.handled_at.is_not(None) if handled else _Note.handled_at.is_(None))
        with self._session() as s:
            return [_plain(r) for r in s.scalars(query.order_by(_Note.at.desc(), _Note.id.desc()).limit(limit))]

    def get(self, note_id: int) -> Note | None:
        with self._session() as s:
            row = s.get(_Note, note_id)
            return _plain(row) if row else None

    def handle(self, note_id: int, by: str, handled: bool = True) -> None:
        with self._session() as s:
            row = s.get(_Note, note_id)
            if row is not None:
                row.handled_at, row.handled_by = (now(), by[:64]) if handled else (None, None)
                s.commit()

    def counts(self, slugs: list[str] | None = None, since: dt.datetime | None = None) -> dict[str, Counts]:
        """slug -> its counts (of ``slugs``; since ``since``)."""
        says = (_Note.reason.is_not(None)) | (_Note.text != "")
        query = select(_Note.slug, _Note.helpful, says.label("said"), (_Note.handled_at.is_(None)).label("unhandled"),
                       func.count()).group_by(_Note.slug, _Note.helpful, "said", "unhandled")
        if slugs is not None:
            query = query.where(_Note.slug.in_(slugs))
        if since is not None:
            query = query.where(_Note.at >= since)
        out: dict[str, Counts] = {}
        with self._session() as s:
            for slug, helpful, said, still_open, n in s.execute(query):
                c = out.setdefault(slug, Counts())
                if helpful is True:
                    c.helpful += n
                elif helpful is False:
                    c.not_helpful += n
                if said and still_open:
                    c.open += n
        return out
