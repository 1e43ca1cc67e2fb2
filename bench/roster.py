"""What listing the directory's staff costs read and confirm (application.staff): a real OpenLDAP
server (tests/ldapserver.py) filled with ``--people`` people in ``--groups`` groups, then

- ``Directory.roster()``: the two bounded searches and the matching of members to people, as the
  settings' reader account (the rootdn here, which has no size limit) and anonymously (OpenLDAP's
  default ``sizelimit 500`` then cuts the list short: the page says so);
- the managers' summary (``Reading.summary``) over ``--articles`` required articles for everyone,
  with the roster kept (what a page view costs) and asked anew (the first view after 5 minutes).

    python bench/roster.py [--people 2000] [--groups 40] [--articles 10] [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from application import Reader, Site  # noqa: E402
from kb.config import Config  # noqa: E402
from kb.directory import Directory  # noqa: E402
from tests.conftest import write_article  # noqa: E402
from tests.ldapserver import SUFFIX, LdapServer, _entry  # noqa: E402


def fill(server: LdapServer, people: int, groups: int) -> None:
    entries, members = [], {g: [] for g in range(groups)}
    for i in range(people):
        dn = f"uid=staff{i:05d},ou=people,{SUFFIX}"
        entries.append(_entry(dn, objectClass="inetOrgPerson", uid=f"staff{i:05d}", cn=f"职员{i}", sn="职",
                              mail=f"staff{i:05d}@example.cn"))
        members[i % groups].append(dn)
    for g, dns in members.items():
        entries.append(_entry(f"cn=部门{g:02d},ou=groups,{SUFFIX}", objectClass="groupOfNames", cn=f"部门{g:02d}",
                              member=dns))
    server._add("\n\n".join(entries) + "\n")


def timed(call, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, default=2000)
    ap.add_argument("--groups", type=int, default=40)
    ap.add_argument("--articles", type=int, default=10)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    server = LdapServer()
    try:
        start = time.perf_counter()
        fill(server, args.people, args.groups)
        print(f"filled slapd with {args.people} people in {args.groups} groups in {time.perf_counter() - start:.1f} s")
        bound = Directory(Config(**server.settings()))
        ms, roster = timed(bound.roster, args.runs)
        print(f"roster as the reader account: {ms:.0f} ms median of {args.runs}, {len(roster.people)} people, "
              f"cut short: {roster.cut_short}")
        anonymous = Directory(Config(**server.settings(ldap_bind_dn="", ldap_bind_password="")))
        ms, roster = timed(anonymous.roster, args.runs)
        print(f"roster anonymously: {ms:.0f} ms, {len(roster.people)} people, cut short: {roster.cut_short}")
        with tempfile.TemporaryDirectory() as folder:
            content = Path(folder) / "content"
            content.mkdir()
            for i in range(args.articles):
                write_article(content, f"guides/rule-{i}.md", "正文。", slug=f"rule-{i}", title=f"规定{i}",
                              required_for="[全体]" if i % 2 else f"[部门{i % args.groups:02d}]")
            site = Site({"content_dir": content, "index_dir": Path(folder) / "index",
                         "instance_dir": Path(folder) / "instance", "secret_key": "bench", **server.settings()})
            manager = Reader("editor", "editor")
            site.reading.summary(manager)  # the first: tables made, roster kept
            ms, _ = timed(lambda: site.reading.summary(manager), args.runs)
            print(f"summary of {args.articles} required articles, roster kept: {ms:.0f} ms")

            def fresh():
                site.reading.roll._kept = None  # as after KEEP seconds
                return site.reading.summary(manager)
            ms, _ = timed(fresh, args.runs)
            print(f"summary, roster asked anew: {ms:.0f} ms")
            site.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
