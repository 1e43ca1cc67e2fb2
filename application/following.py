"""Following as the site does it (kb.follows): an account follows an article, a category or a
reading path; its updates are the history's changes (kb.history, as application.changes lets
the person know them) to the articles those name — so a restricted article changed in a
followed category reaches only those who may read it. Without a history (no git), an article's
``updated`` date stands for its change.

The same updates make the home page's 「我关注的更新」, the private feed (an unguessable address a
feed reader can use without logging in, application-checked as the account it belongs to) and
the e-mail digest that `kb digest` sends from a scheduled job: each person once, with what
changed since their last digest.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from kb.article import Article
from kb.follows import KINDS, Follow, Follows
from kb.mail import Mail, Mailer, MailError

from .access import Reader

log = logging.getLogger(__name__)
FIRST_DIGEST = dt.timedelta(days=7)  # a first digest tells the week before


@dataclass(frozen=True)
class Update:
    article: Article
    when: dt.datetime  # UTC, naive
    message: str
    rev: str | None
    because: Follow


def _utc(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None) if when.tzinfo else when


class Following:
    def __init__(self, site):
        self.site = site

    @property
    def store(self) -> Follows:
        return self.site.tables(Follows)

    def follows(self, reader: Reader, kind: str, target: str) -> bool:
        return bool(reader.name) and any(f.kind == kind and f.target == target for f in self.store.of(reader.name))

    def of(self, reader: Reader) -> list[Follow]:
        """What ``reader`` follows and may still see (a category whose articles were all restricted
        since is not named to them)."""
        return [f for f in self.store.of(reader.name) if self._exists(reader, f.kind, f.target)] if reader.name else []

    def set(self, reader: Reader, kind: str, target: str, on: bool) -> bool:
        """Follow (or stop following) what ``reader`` may see; False when there is no such thing."""
        if not reader.name or kind not in KINDS or (on and not self._exists(reader, kind, target)):
            return False
        (self.store.follow if on else self.store.unfollow)(reader.name, kind, target)
        return True

    def _exists(self, reader: Reader, kind: str, target: str) -> bool:
        cat = self.site.catalog_for(reader)
        if kind == "article":
            return cat.get(target) is not None
        if kind == "category":
            return any(a.category == target for a in cat.articles)
        return any(p.slug == target for p in cat.paths)

    def followed_articles(self, reader: Reader) -> dict[str, Follow]:
        """slug -> the follow that takes in each article ``reader`` follows (may see)."""
        cat = self.site.catalog_for(reader)
        out: dict[str, Follow] = {}
        for f in self.store.of(reader.name) if reader.name else []:
            if f.kind == "article" and cat.get(f.target) is not None:
                out.setdefault(f.target, f)
            elif f.kind == "category":
                for a in cat.articles:
                    if a.category == f.target:
                        out.setdefault(a.slug, f)
            elif f.kind == "path":
                for p in cat.paths:
                    if p.slug == f.target:
                        for item in p.items:
                            if cat.get(item.slug) is not None:
                                out.setdefault(item.slug, f)
        return out

    def updates_for(self, reader: Reader, limit: int = 20, since: dt.datetime | None = None) -> list[Update]:
        """Changes of what ``reader`` follows, newest first (after ``since``, UTC)."""
        followed = self.followed_articles(reader)
        if not followed:
            return []
        out: list[Update] = []
        if self.site.history.mode() == "none":
            cat = self.site.catalog_for(reader)
            for slug, follow in followed.items():
                a = cat.get(slug)
                when = dt.datetime.combine(a.updated, dt.time()) if a.updated else None
                if when is not None and (since is None or when > since) and when.date() >= follow.since.date():
                    out.append(Update(a, when, "", None, follow))
            return sorted(out, key=lambda u: u.when, reverse=True)[:limit]
        for change, articles, _ in self.site.changes_for(reader, limit=max(200, limit * 5)):
            when = _utc(change.when)
            if since is not None and when <= since:
                break
            for a in articles:  # changes since the person began to follow it
                if a.slug in followed and when >= followed[a.slug].since.replace(microsecond=0):
                    out.append(Update(a, when, change.message, change.rev, followed[a.slug]))
            if len(out) >= limit:
                break
        return out[:limit]

    # --- digests ------------------------------------------------------------------------------
    def send_digests(self, base_url: str, now: dt.datetime | None = None) -> tuple[int, list[str]]:
        """E-mail each follower with an address what changed since their last digest: (messages
        sent, followers without an address). Raises MailError."""
        mailer = Mailer(self.site.config)
        if not mailer.enabled:
            raise MailError("没有设置邮件服务器（smtp_host），摘要没有发出")
        now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        emails, sent, missing = self.site.people.emails(), 0, []
        for account in self.store.accounts():
            user = self.site.users.get(account)
            if user is None:
                continue
            if not emails.get(account):
                missing.append(account)
                continue
            since = self.store.last_digest(account) or now - FIRST_DIGEST
            updates = self.updates_for(self.site.reader_for(user), 50, since)
            if updates:
                lines = [f"- {u.article.title}：{u.message}（{u.when:%m-%d %H:%M} UTC）\n  {base_url}{u.article.url}"
                         for u in updates]
                mailer.send(Mail((emails[account],), f"{self.site.config.site_name}：您关注的 {len(updates)} 处更新",
                                 f"{account}，您好：\n\n自上次摘要以来，您关注的文章有这些修改：\n\n" + "\n".join(lines)
                                 + f"\n\n管理关注：{base_url}/me/follows\n"))
                sent += 1
            self.store.digest_sent(account, now)
        return sent, missing
