"""Who the staff are, for read and confirm (application.reading): the site's accounts with their
groups and addresses (kb.users, kb.people) and, with directory login (kb.directory), the people
of the directory who never signed in here — an account is made at a first login, so without them
a newcomer who has not logged in yet would be missing from 「谁还没确认」, the CSV and the
reminders, the very people a manager most needs to see.

The directory is asked through one bounded roster (two searches) kept ``KEEP`` seconds, so the
managers' pages do not ask it on every view (bench/roster.py, 2,000 people in a real slapd: the
roster 189 ms, the summary of 10 articles 102 ms with it kept, 296 ms when asked anew); a
directory that cannot be reached is asked again after ``RETRY`` seconds, and meanwhile the page
says so and shows the accounts it knows.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from kb.directory import Directory, DirectoryError, Roster, account_name

from .access import Reader

KEEP = 300.0  # seconds a roster is used (a newcomer added to the directory shows within 5 minutes)
RETRY = 60.0  # seconds before a directory that failed is asked again (each try may wait ldap_timeout)


@dataclass(frozen=True)
class Member:
    """One person who may have to read: an account, or a directory entry without one yet."""

    name: str
    role: str
    groups: frozenset[str]
    email: str = ""
    signed_in: bool = True  # False: known from the directory only

    @property
    def reader(self) -> Reader:
        return Reader(self.name, self.role, self.groups)


@dataclass(frozen=True)
class Staff:
    people: tuple[Member, ...]
    note: str | None = None  # why the list may be incomplete, for the page (Chinese)


class StaffRoll:
    def __init__(self, site, clock=time.monotonic):
        self.site = site
        self.clock = clock
        self._kept: tuple[float, Roster | None, str | None] | None = None  # (until, roster, error)
        self._lock = threading.Lock()

    def staff(self) -> Staff:
        """Every account, then everyone in the directory who has none (when directory login is on)."""
        site = self.site
        memberships, emails = site.people.memberships(), site.people.emails()
        people = [Member(u.name, u.role, frozenset(memberships.get(u.name, {})), emails.get(u.name, ""))
                  for u in site.users.all()]
        roster, note = self._roster()
        if roster is not None:
            known = {account_name(m.name) for m in people}
            people += [Member(p.name, site.config.ldap_role, frozenset(p.groups), p.email, signed_in=False)
                       for p in roster.people if account_name(p.name) not in known]
        return Staff(tuple(people), note)

    def _roster(self) -> tuple[Roster | None, str | None]:
        directory = Directory(self.site.config)
        if not directory.enabled:
            return None, None
        with self._lock:  # one worker thread asks; the others wait for its answer
            now = self.clock()
            if self._kept is None or now >= self._kept[0]:
                try:
                    roster = directory.roster()
                    self._kept = (now + KEEP, roster, None)
                except DirectoryError as exc:
                    self._kept = (now + RETRY, None, str(exc))
            _, roster, error = self._kept
        if error is not None:
            return None, f"{error}。下面只列出在本站登录过的人，目录里从没登录过的人没有算进来。"
        if roster.cut_short:
            return roster, "目录服务器只给出了一部分人（它限制了一次查询的条数），名单可能不全。"
        return roster, None

