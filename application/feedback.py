"""Feedback to an article's owner as the site takes and shows it (kb.feedback): anyone who may
read an article may say whether it helped and leave a short note — without an account where
the site lets anonymous visitors read —, at most a few times a minute from one address and a
bounded number in all (kb.throttle, as the search log's beacon); the article's owner and the
editors read the notes and mark them handled.

The owner is the article's ``owner`` field (kb.fields, 责任部门): an account belonging to a group
of that name owns the article; editors see every article's notes. Nobody sees notes of an
article they may not read (application.access).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kb.article import Article
from kb.feedback import Counts, Feedback, Note
from kb.throttle import Throttle

from .access import Reader

# notes a second on average, and at once, from one address (per worker): a reader sends a few
# notes, never hundreds — one address can never use up the day's MAX_PER_DAY for everyone
# (one every 5 minutes is under 300 a day a worker; it was one every 20 s, 4,300)
PER_ADDRESS = (1 / 300, 5)
TOTAL = (1.0, 60)  # from every address together (per worker)

ACCEPTED, TOO_MANY, FULL, EMPTY = "accepted", "too_many", "full", "empty"


@dataclass(frozen=True)
class OwnedNote:
    note: Note
    article: Article


def owns(reader: Reader, article: Article) -> bool:
    """The article's 责任部门 is one of the reader's groups, or names the reader themselves (the
    field takes a department or a person)."""
    owner = article.meta.get("owner") or ""
    return bool(owner) and (owner in reader.groups or owner == reader.name)


class FeedbackDesk:
    def __init__(self, site):
        self.site = site
        self._throttle = Throttle(PER_ADDRESS, TOTAL)

    @property
    def store(self) -> Feedback:
        return self.site.tables(Feedback)

    def give(self, article: Article, helpful: bool | None, reason: str | None, text: str, address: str | None) -> str:
        """Take a reader's feedback on ``article`` (one they could open): ACCEPTED, EMPTY (nothing
        said), TOO_MANY (this address, or everyone, past the limits) or FULL (today's kept)."""
        if helpful is None and not reason and not text.strip():
            return EMPTY
        if not self._throttle.allow(address or ""):
            return TOO_MANY
        return ACCEPTED if self.store.give(article.slug, helpful, reason, text) is not None else FULL

    def may_handle(self, reader: Reader, article: Article) -> bool:
        return reader.at_least("editor") or owns(reader, article)

    def articles_for(self, reader: Reader, owner: str | None = None) -> list[Article]:
        """The articles whose notes ``reader`` reads: all they may see (an editor) or those they
        own, of one ``owner`` when given."""
        articles = [a for a in self.site.catalog_for(reader).articles if self.may_handle(reader, a)]
        return [a for a in articles if owner is None or (a.meta.get("owner") or "") == owner]

    def notes_for(self, reader: Reader, owner: str | None = None, handled: bool | None = False) -> list[OwnedNote]:
        articles = {a.slug: a for a in self.articles_for(reader, owner)}
        return [OwnedNote(n, articles[n.slug]) for n in self.store.notes(list(articles), handled)]

    def handle(self, reader: Reader, note_id: int, handled: bool = True) -> Note | None:
        """Mark a note handled (or open again); None when there is no such note ``reader`` may handle."""
        note = self.store.get(note_id)
        article = self.site.catalog_for(reader).get(note.slug) if note else None
        if article is None or not self.may_handle(reader, article):
            return None
        self.store.handle(note_id, reader.name, handled)
        return note

    def counts_for(self, reader: Reader, days: int) -> list[tuple[Article, Counts]]:
        """Per article ``reader`` may see, its counts over the last ``days`` (the analytics page),
        the least helpful first."""
        articles = {a.slug: a for a in self.site.catalog_for(reader).articles}
        since = dt.datetime.now() - dt.timedelta(days=days)
        counts = self.store.counts(since=since)
        rows = [(articles[slug], c) for slug, c in counts.items() if slug in articles]
        return sorted(rows, key=lambda r: (-r[1].not_helpful, -r[1].open, -r[1].helpful, r[0].title))
