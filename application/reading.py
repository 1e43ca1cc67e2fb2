"""Read and confirm (阅读确认) as the site does it: who must read what (kb.fields ``required_for``:
groups, or 全体 for every account), what each person still has to read, their confirmation
of the version they read, an editor's request to confirm again, the managers' report (per
article and per group, and as CSV), and reminders by e-mail.

An article's version is its last commit in the history (kb.history); where the site keeps no
history, the digest of its file. A person must read an article when it is required of one of
their groups (or of 全体) and they may read it at all (application.access): a 财务处 rule
required of 全体 is required of 财务处's people only.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from kb.article import Article
from kb.confirmations import Confirmation, Confirmations, Request, counts, now
from kb.fields import EVERYONE
from kb.mail import Mail, Mailer, MailError
from kb.reminders import Reminders, Sending

from .access import Reader
from .staff import Staff, StaffRoll

log = logging.getLogger(__name__)

CONFIRMED, OUTDATED, MISSING = "confirmed", "outdated", "missing"
STATES = {CONFIRMED: "已确认", OUTDATED: "需重新确认", MISSING: "未确认"}


@dataclass(frozen=True)
class Duty:
    """One person's reading of one required article."""

    account: str
    groups: tuple[str, ...]
    article: Article
    confirmation: Confirmation | None
    request: Request | None
    signed_in: bool = True  # False: a directory entry who never signed in here (application.staff)

    @property
    def state(self) -> str:
        if counts(self.confirmation, self.request):
            return CONFIRMED
        return OUTDATED if self.confirmation is not None else MISSING

    @property
    def state_label(self) -> str:
        return STATES[self.state]


def required_of(article: Article, groups) -> bool:
    wanted = set(article.meta.get("required_for") or ())
    return bool(wanted & ({EVERYONE} | set(groups)))


class Reading:
    def __init__(self, site):
        self.site = site
        self.roll = StaffRoll(site)  # accounts, and the directory's people who never signed in

    @property
    def store(self) -> Confirmations:
        return self.site.tables(Confirmations)

    # --- one person ---------------------------------------------------------------------
    def version(self, article: Article) -> str:
        changes = self.site.history.log(article.rel_path, limit=1)
        return changes[0].rev if changes else article.digest

    def duties_of(self, reader: Reader) -> list[Duty]:
        """The articles ``reader`` must read, with their confirmation (anonymous: none)."""
        if not reader.name:
            return []
        articles = [a for a in self.site.catalog_for(reader).articles if required_of(a, reader.groups)]
        if not articles:
            return []
        slugs = [a.slug for a in articles]
        latest = self.store.latest(slugs, [reader.name])
        requests = self.store.requests(slugs)
        return [Duty(reader.name, tuple(sorted(reader.groups)), a, latest.get((reader.name, a.slug)),
                     requests.get(a.slug)) for a in articles]

    def to_read(self, reader: Reader) -> list[Duty]:
        """What ``reader`` still has to read and confirm (the home page), newest first."""
        duties = [d for d in self.duties_of(reader) if d.state != CONFIRMED]
        return sorted(duties, key=lambda d: (d.article.updated or dt.date.min, d.article.slug), reverse=True)

    def duty(self, reader: Reader, article: Article) -> Duty | None:
        """``reader``'s duty to read ``article`` (the box at the end of its page), or None."""
        if not reader.name or not required_of(article, reader.groups):
            return None
        latest = self.store.latest([article.slug], [reader.name]).get((reader.name, article.slug))
        return Duty(reader.name, tuple(sorted(reader.groups)), article, latest, self.store.requests([article.slug]).get(article.slug))

    def confirm(self, reader: Reader, article: Article, version: str) -> Confirmation | None:
        """Record 「已阅读并理解」 of the ``version`` the page showed; None when the article has
        changed since (the person is asked to read it again) or is not required of them."""
        if self.duty(reader, article) is None or version != self.version(article):
            return None
        return self.store.confirm(reader.name, article.slug, version)

    def ask_again(self, article: Article, version: str, by: str) -> Request:
        """Everyone who must read ``article`` confirms it again (an editor's material change)."""
        log.info("%s asked everyone to confirm %s again (version %s)", by, article.slug, version[:8])
        return self.store.ask_again(article.slug, version, by)

    # --- the managers' report ---------------------------------------------------------------
    def managed(self, manager: Reader) -> frozenset[str] | None:
        """The groups whose people ``manager`` sees in the report: None for everyone (editors and
        above), else the groups they are 负责人 of (kb.people), maybe none."""
        if manager.at_least("editor"):
            return None
        return self.site.people.managed_by(manager.name)

    def may_report(self, manager: Reader) -> bool:
        """Whether ``manager`` may see the report at all: an editor, or a group's 负责人."""
        return bool(manager.name) and self.managed(manager) != frozenset()

    def staff(self) -> Staff:
        """Who may have to read, and a note when the directory could not say (application.staff)."""
        return self.roll.staff()

    def report(self, manager: Reader, slug: str | None = None, group: str | None = None,
               staff: Staff | None = None) -> list[Duty]:
        """Every person's duty for every required article ``manager`` may see (one article,
        and/or the people of one group), by article then person; a group's 负责人 sees their
        groups' people only (``managed``)."""
        site = self.site
        articles = [a for a in site.catalog_for(manager).articles if a.meta.get("required_for")
                    and (slug is None or a.slug == slug)]
        people = [(m, m.reader) for m in (staff or self.staff()).people]
        managed = self.managed(manager)
        if managed is not None:
            people = [(m, r) for m, r in people if r.groups & managed]
        if group is not None:
            people = [(m, r) for m, r in people if group in r.groups]
        slugs = [a.slug for a in articles]
        latest, requests = self.store.latest(slugs), self.store.requests(slugs)
        duties = []
        for article in articles:
            for member, reader in people:
                if required_of(article, reader.groups) and site.access.can_read(article.meta, reader):
                    duties.append(Duty(member.name, tuple(sorted(reader.groups)), article,
                                       latest.get((member.name, article.slug)), requests.get(article.slug),
                                       member.signed_in))
        return duties

    def summary(self, manager: Reader, staff: Staff | None = None) -> list[tuple[Article, dict[str, int]]]:
        """(article, count of people per state) for every required article ``manager`` may see."""
        by_article: dict[str, tuple[Article, dict[str, int]]] = {}
        for article in self.site.catalog_for(manager).articles:
            if article.meta.get("required_for"):
                by_article[article.slug] = (article, {CONFIRMED: 0, OUTDATED: 0, MISSING: 0})
        for duty in self.report(manager, staff=staff):
            by_article[duty.article.slug][1][duty.state] += 1
        if self.managed(manager) is not None:  # a 负责人: only what their people must read
            return [(a, n) for a, n in by_article.values() if any(n.values())]
        return list(by_article.values())

    # --- reminders ----------------------------------------------------------------------------
    @property
    def reminders(self) -> Reminders:
        return self.site.tables(Reminders)

    def remind(self, manager: Reader, base_url: str, slug: str | None = None, group: str | None = None) -> Reminding:
        """E-mail everyone who has articles left to confirm (among those ``manager`` sees: one
        article and/or one group, else all), one message each, except about an article they
        were reminded of within ``remind_interval_hours``; the sending is recorded (kb.reminders).
        Raises MailError when no mail server is set; a server that fails midway ends the sending
        with what went out recorded and the error said."""
        mailer = Mailer(self.site.config)
        if not mailer.enabled:
            raise MailError("没有设置邮件服务器（smtp_host），提醒没有发出")
        staff = self.staff()
        outstanding: dict[str, list[Duty]] = {}
        for duty in self.report(manager, slug, group, staff):
            if duty.state != CONFIRMED:
                outstanding.setdefault(duty.account, []).append(duty)
        hours = self.site.config.remind_interval_hours
        slugs = sorted({d.article.slug for duties in outstanding.values() for d in duties})
        recent = self.reminders.reminded_since(now() - dt.timedelta(hours=hours), slugs) if hours else set()
        emails = {m.name: m.email for m in staff.people if m.email}  # the directory's for those never signed in
        done = Reminding()
        for account, duties in sorted(outstanding.items()):
            duties = [d for d in duties if (account, d.article.slug) not in recent]
            if not duties:
                done.skipped.append(account)
            elif not emails.get(account):
                done.missing.append(account)
            else:
                try:
                    mailer.send(self._reminder(account, emails[account], duties, base_url))
                except MailError as exc:
                    done.error = str(exc)
                    break
                done.sent[account] = [d.article.slug for d in duties]
        done.sending = self.reminders.record(manager.name or "命令行", slug, group, done.sent, len(done.skipped),
                                             len(done.missing))
        log.info("%s sent read reminders (%s, %s): %d sent, %d skipped, %d without an address", manager.name,
                 slug or "all articles", group or "all groups", len(done.sent), len(done.skipped), len(done.missing))
        return done

    def _reminder(self, account: str, email: str, duties: list[Duty], base_url: str) -> Mail:
        lines = [f"- {d.article.title}（{d.state_label}）：{base_url}{d.article.url}" for d in duties]
        return Mail((email,), f"{self.site.config.site_name}：请阅读并确认 {len(duties)} 篇文章",
                    f"{account}，您好：\n\n下面的文章需要您阅读，读完后在文章末尾点「已阅读并理解」：\n\n"
                    + "\n".join(lines) + "\n")


@dataclass
class Reminding:
    """What one sending of reminders did."""

    sent: dict[str, list[str]] = field(default_factory=dict)  # account -> the slugs they were reminded of
    skipped: list[str] = field(default_factory=list)  # reminded of all of theirs within the interval
    missing: list[str] = field(default_factory=list)  # no e-mail address
    error: str | None = None  # the mail server failed: the people after this were not reminded
    sending: Sending | None = None

    def summary(self, hours: int) -> str:
        """For the page and the command line, in Chinese."""
        parts = [f"已给 {len(self.sent)} 人发了提醒邮件。"]
        if self.skipped:
            parts.append(f"{hours} 小时内已提醒过、这次跳过：{'、'.join(self.skipped)}。")
        if self.missing:
            parts.append(f"没有邮件地址、没有发出：{'、'.join(self.missing)}。")
        if self.error:
            parts.append(f"发送中断：{self.error}")
        return "".join(parts)
