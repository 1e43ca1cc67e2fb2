"""The use cases of a guideline's life, on the application object (``Site`` takes them in):
confirm that a rule is still valid, start revising it, list what is due for review and remind
its owners by e-mail, and find the text that was in force on a day.

Each change of an article is a save (``Site.save``): checked, locked, committed as the editor
who made it, indexed once — a confirmed review is one commit saying so. The rules themselves
(what is due, the next review date, which version applied when) are the domain's
(kb.lifecycle); what is sent goes through kb.mail.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field

from kb import lifecycle
from kb.article import Article, Problem
from kb.fields import LIFECYCLE
from kb.frontmatter import with_field
from kb.history import Author, Change
from kb.mail import Mail, Mailer, MailError
from kb.saving import CHANGED_MEANWHILE
from kb.store import parse_article

log = logging.getLogger(__name__)


@dataclass
class Review:
    """What is due for review on ``today``: articles in force whose review date has passed or
    comes within ``window`` days, grouped by owner."""

    today: dt.date
    window: int
    groups: dict[str, list[lifecycle.Due]] = field(default_factory=dict)

    @property
    def dues(self) -> list[lifecycle.Due]:
        return [d for items in self.groups.values() for d in items]

    @property
    def overdue(self) -> int:
        return sum(d.overdue for d in self.dues)

    def summary(self) -> str:
        n = len(self.dues)
        if not n:
            return f"没有需要复审的文章（复审日期已过或在 {self.window} 天内的）。"
        return f"共 {n} 篇待复审：已过期 {self.overdue} 篇，{self.window} 天内到期 {n - self.overdue} 篇。"


@dataclass
class Sent:
    """What became of one reminder: sent, or the Chinese reason it was not."""

    reminder: lifecycle.Reminder
    error: str | None = None


@dataclass
class AsOf:
    """The text of an article in force on ``day``: ``article`` is that version (None when no
    version applied yet), ``change`` the save it came from (None: the file as it is, without
    history), ``current`` whether it is the text in force now, ``first`` when the earliest
    version applied, ``unrecorded`` when ``day`` comes before the history began (the earliest
    recorded text stands for what applied then)."""

    day: dt.date
    article: Article | None
    change: Change | None = None
    current: bool = False
    first: dt.date | None = None
    unrecorded: bool = False


class LifecycleCases:
    """Mixed into application.Site: uses ``self.save``, ``self.history``, ``self.config``,
    ``self.catalog()`` and ``self.store``."""

    # --- review ---------------------------------------------------------------------------

    def review(self, today: dt.date | None = None, reader=None) -> Review:
        """Every article in force due for review that ``reader`` may see (application.access;
        None: of the whole site, for `kb review` run by whoever runs the site)."""
        today = today or dt.date.today()
        window = self.config.review_window_days
        articles = (self.catalog() if reader is None else self.catalog_for(reader)).articles
        dues = lifecycle.due_for_review(articles, today, window)
        return Review(today, window, lifecycle.by_owner(dues))

    def confirm_review(self, article: Article, base_digest: str, author: Author,
                       today: dt.date | None = None):
        """「确认仍然有效」: the review date moves on by ``review_cycle_months`` from today, in one
        commit by ``author``."""
        next_date = lifecycle.next_review(today or dt.date.today(), self.config.review_cycle_months)
        return self._set_field(article, base_digest, author, "review_by", next_date.isoformat(),
                               f"确认仍然有效：{article.title}（下次复审 {next_date.isoformat()}）")

    def start_revision(self, article: Article, base_digest: str, author: Author):
        """「开始修订」: status 修订中 (still in force while it is revised), in one commit."""
        return self._set_field(article, base_digest, author, "status", LIFECYCLE["revising"],
                               f"开始修订：{article.title}")

    def _set_field(self, article: Article, base_digest: str, author: Author, key: str, value: str, message: str):
        from .site import Saved

        try:
            raw = article.path.read_bytes()
        except OSError:
            return Saved(None, [Problem(article.rel_path, "这篇文章已经不存在（可能刚被别人删除）")], conflict=True)
        if hashlib.sha1(raw).hexdigest() != base_digest:
            return Saved(None, [Problem(article.rel_path, CHANGED_MEANWHILE)], conflict=True,
                         digest=hashlib.sha1(raw).hexdigest())
        text = with_field(raw.decode("utf-8"), key, value)
        return self.save(article.rel_path, text, base_digest, author, message)

    def review_reminders(self, today: dt.date | None = None) -> list[lifecycle.Reminder]:
        """Who would be reminded of what (``review_mail_owners``, else ``review_mail_to``)."""
        owners = {k: tuple(v) for k, v in (self.config.review_mail_owners or {}).items()}
        return lifecycle.reminders(self.review(today).dues, owners, tuple(self.config.review_mail_to))

    def send_review_reminders(self, today: dt.date | None = None) -> list[Sent]:
        """One e-mail per set of recipients through the configured SMTP server (kb.mail); a
        failure is recorded for that message and the others are still sent."""
        mailer, out = Mailer(self.config), []
        for reminder in self.review_reminders(today):
            try:
                mailer.send(self.reminder_mail(reminder))
                out.append(Sent(reminder))
            except MailError as exc:
                log.error("review reminder to %s not sent: %s", ", ".join(reminder.to), exc)
                out.append(Sent(reminder, str(exc)))
        return out

    def reminder_mail(self, reminder: lifecycle.Reminder) -> Mail:
        base = self.config.site_url
        lines = [f"以下 {reminder.count} 篇文章到了复审的时候。请确认是否仍然有效，或开始修订：", f"{base}/review", ""]
        for owner, dues in reminder.groups.items():
            lines.append(f"【{owner}】")
            for due in dues:
                number = due.article.meta.get("doc_no")
                lines.append(f"- {due.article.title}{f'（{number}）' if number else ''}："
                             f"复审日期 {due.review_by.isoformat()}，{due.when}")
                lines.append(f"  {base}{due.article.url}")
            lines.append("")
        return Mail(reminder.to, f"待复审：{reminder.count} 篇文章（{self.config.site_name}）", "\n".join(lines))

    # --- in force on a day -------------------------------------------------------------------

    def version_on(self, article: Article, day: dt.date) -> AsOf:
        """The version of ``article`` that applied on ``day``, from its history (kb.history): by
        the dates its versions were saved and their effective dates (kb.lifecycle.version_on).
        Versions saved after ``day`` are not read.

        The history may begin long after a rule took effect (a folder put into git today): the
        earliest recorded version of a rule with an effective date applies from that date, and
        one without from its first commit."""
        changes = self.history.log(article.rel_path, limit=1000)
        if not changes:
            whole = self.store.full(article)
            applied = lifecycle.version_on([lifecycle.Version(dt.date.min, whole.meta)], day)
            return AsOf(day, whole if applied else None, current=bool(applied), first=_effective(whole),
                        unrecorded=bool(applied))
        found = lifecycle.version_on(self._versions(article, changes, day), day)
        oldest = self._version_article(article, changes[-1])
        first = _saved(changes[-1], oldest, True).applies_from if oldest is not None else None
        if found is None:
            return AsOf(day, None, first=first)
        old, change = found.ref
        return AsOf(day, old, change, current=old.digest == article.digest, first=first,
                    unrecorded=change.when.date() > day)

    def _versions(self, article: Article, changes: list[Change], day: dt.date):
        """(Version, newest first) of the saves that may apply on ``day``, each read from git
        when asked."""
        for change in changes:
            oldest = change is changes[-1]
            if change.when.date() > day and not oldest:
                continue
            old = self._version_article(article, change)
            if old is not None:  # a version with errors was not published
                yield _saved(change, old, oldest)

    def _version_article(self, article: Article, change: Change) -> Article | None:
        text = self.history.show(change.rev, change.paths[0] if change.paths else article.rel_path)
        if text is None:
            return None
        old, _ = parse_article(text.encode("utf-8"), article.path, self.store.root,
                               max_bytes=self.config.max_article_bytes)
        return old



def _saved(change: Change, old: Article, oldest: bool) -> lifecycle.Version:
    """A recorded version; the oldest one of a rule with an effective date stands for the time
    before the history began."""
    saved = dt.date.min if oldest and _effective(old) else change.when.date()
    return lifecycle.Version(saved, old.meta, (old, change))


def _effective(article: Article) -> dt.date | None:
    value = article.meta.get("effective")
    return value if isinstance(value, dt.date) else None

