"""Directory login (LDAP, Active Directory): people sign in with the password they use everywhere
in the office, and their groups and e-mail address come from the directory.

With ``ldap_url`` set, a login that is not a local account's (kb.users: one made with a password
by ``kb user add`` or on the 用户 page) is checked against the directory:

1. the person's entry: ``ldap_user_dn`` with the name in it (``uid={name},ou=people,dc=…``), or a
   search under ``ldap_base_dn`` with ``ldap_user_filter`` (``(uid={name})``; Active Directory:
   ``(sAMAccountName={name})``) bound as ``ldap_bind_dn`` (anonymously when not set);
2. a bind as that entry with the password typed — the directory decides, we keep no password;
3. the groups whose ``ldap_group_filter`` matches the entry (``(member={dn})``), named by their
   ``ldap_group_attribute`` (``cn``), and the address in ``ldap_email_attribute`` (``mail``);
   with ``ldap_manager_attribute`` set (``owner``, Active Directory's ``managedBy``), also the
   groups whose entries name the person there: they are those groups' 负责人 (kb.people).

ldap3 speaks the protocol: pure Python (no OpenLDAP client library to build), it escapes filter
values and DNs, does StartTLS and LDAPS with certificate checks, and has timeouts. An empty
password is refused before anything is sent: LDAP takes a simple bind without a password as an
anonymous bind, and would "succeed". Names and values put into filters and DNs are escaped.

Read and confirm also needs the staff who never signed in here (they have no account yet):
``roster`` lists the directory's people and the groups whose entries list them as members, in two
bounded searches (at most ``ROSTER_LIMIT`` entries each; a directory that stops earlier, as
OpenLDAP's default ``sizelimit 500`` does, makes the roster say it is cut short).
"""
from __future__ import annotations

import logging
import re
import ssl
from dataclasses import dataclass

from .config import Config

log = logging.getLogger(__name__)


class DirectoryError(RuntimeError):
    """The directory could not be asked (down, misconfigured); the message is for the user."""


@dataclass(frozen=True)
class Person:
    """Who the directory says signed in."""

    name: str
    dn: str
    email: str = ""
    groups: tuple[str, ...] = ()
    manages: tuple[str, ...] = ()  # groups whose ldap_manager_attribute names this person


ROSTER_LIMIT = 5000  # entries per search: an office's staff, with room to spare
MEMBER_ATTRIBUTES = ("member", "uniqueMember", "memberUid")  # the default ldap_group_filter's three
_NAME_IN_FILTER = re.compile(r"\(([A-Za-z][\w-]*)=\{name\}\)")


@dataclass(frozen=True)
class Roster:
    """Everyone the directory lists as a person, with their groups and addresses."""

    people: tuple[Person, ...]
    cut_short: bool = False  # the directory returned fewer entries than it has


def account_name(name: str) -> str:
    """The account a directory name signs in as: one account however a Latin name is typed
    (ZhangSan, zhangsan), since the directory matches both."""
    return name.lower() if name.isascii() else name


class Directory:
    def __init__(self, config: Config):
        self.config = config

    @property
    def enabled(self) -> bool:
        return bool(self.config.ldap_url)

    def _server(self):
        from ldap3 import NONE, Server, Tls

        c = self.config
        tls = None
        if c.ldap_url.lower().startswith("ldaps://") or c.ldap_starttls:
            tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=c.ldap_ca_file or None)
        return Server(c.ldap_url, get_info=NONE, tls=tls, connect_timeout=c.ldap_timeout)

    def _connection(self, server, user: str | None, password: str | None):
        """An open, bound connection; None when the directory refused the credentials."""
        from ldap3 import Connection

        c = self.config
        conn = Connection(server, user=user, password=password, receive_timeout=c.ldap_timeout, read_only=True,
                          raise_exceptions=False)
        conn.open()
        if c.ldap_starttls and not c.ldap_url.lower().startswith("ldaps://"):
            conn.start_tls()
        if not conn.bind():
            conn.unbind()
            return None
        return conn

    def authenticate(self, name: str, password: str) -> Person | None:
        """The person ``name`` if ``password`` is theirs in the directory, else None. Raises
        DirectoryError when the directory cannot be asked."""
        from ldap3.core.exceptions import LDAPException

        if not name or not password:
            return None
        try:
            return self._authenticate(name, password)
        except (LDAPException, OSError, ssl.SSLError) as exc:
            log.error("directory login of %r failed: %s", name, exc)
            raise DirectoryError(f"无法连接目录服务器（{self.config.ldap_url}）：{exc}") from exc

    def _authenticate(self, name: str, password: str) -> Person | None:
        from ldap3.utils.conv import escape_filter_chars
        from ldap3.utils.dn import escape_rdn

        c = self.config
        server = self._server()
        finder = None
        if c.ldap_user_dn:
            dn, email = c.ldap_user_dn.format(name=escape_rdn(name)), ""
        else:
            finder = self._connection(server, c.ldap_bind_dn or None, c.ldap_bind_password or None)
            if finder is None:
                raise DirectoryError("目录服务器拒绝了设置里的查询账号（ldap_bind_dn、ldap_bind_password）")
            found = self._search(finder, c.ldap_base_dn, c.ldap_user_filter.format(name=escape_filter_chars(name)),
                                 [c.ldap_email_attribute])
            if len(found) != 1:
                finder.unbind()
                return None  # nobody, or a name that is not one person's
            dn, attributes = found[0]
            email = _first(attributes.get(c.ldap_email_attribute))
        person = self._connection(server, dn, password)
        if person is None:
            if finder is not None:
                finder.unbind()
            return None
        try:
            reader = finder or person
            if not email:
                entry = self._search(reader, dn, "(objectClass=*)", [c.ldap_email_attribute], entry_only=True)
                email = _first(entry[0][1].get(c.ldap_email_attribute)) if entry else ""
            group_filter = c.ldap_group_filter.format(dn=escape_filter_chars(dn), name=escape_filter_chars(name))
            names = self._group_names(reader, group_filter)
            manages = self._group_names(reader, f"({c.ldap_manager_attribute}={escape_filter_chars(dn)})") \
                if c.ldap_manager_attribute else []
        finally:
            person.unbind()
            if finder is not None:
                finder.unbind()
        return Person(account_name(name), dn, email, tuple(names), tuple(manages))

    def _group_names(self, conn, query: str) -> list[str]:
        c = self.config
        groups = self._search(conn, c.ldap_group_base_dn or c.ldap_base_dn, query, [c.ldap_group_attribute])
        return sorted({_first(a.get(c.ldap_group_attribute)) for _, a in groups} - {""})

    def roster(self) -> Roster:
        """Every person under ``ldap_base_dn`` (or beside ``ldap_user_dn``'s entries) with their
        address and groups, found as the settings' reader account (``ldap_bind_dn``). Raises
        DirectoryError when the directory cannot be asked."""
        from ldap3.core.exceptions import LDAPException

        try:
            return self._roster()
        except (LDAPException, OSError, ssl.SSLError) as exc:
            log.error("cannot list the directory's people: %s", exc)
            raise DirectoryError(f"无法连接目录服务器（{self.config.ldap_url}）：{exc}") from exc

    def _people_query(self) -> tuple[str, str, str, bool]:
        """(where, filter, the attribute that is the login name, whole subtree) of the people."""
        c = self.config
        if c.ldap_user_dn:
            first, _, parent = c.ldap_user_dn.partition(",")
            attribute, _, value = first.partition("=")
            if value.strip() == "{name}" and parent:
                return parent.strip(), f"({attribute.strip()}=*)", attribute.strip(), False
            raise DirectoryError("ldap_user_dn 的第一段应为 属性={name}，例如 uid={name},ou=people,dc=example,dc=cn")
        found = _NAME_IN_FILTER.search(c.ldap_user_filter)
        if found is None:
            raise DirectoryError("ldap_user_filter 里看不出哪个属性是登录名，应有 (uid={name}) 这样的一项")
        return c.ldap_base_dn, c.ldap_user_filter.replace("{name}", "*"), found.group(1), True

    def _roster(self) -> Roster:
        from ldap3 import LEVEL, SUBTREE

        c = self.config
        where, query, name_attribute, subtree = self._people_query()
        conn = self._connection(self._server(), c.ldap_bind_dn or None, c.ldap_bind_password or None)
        if conn is None:
            raise DirectoryError("目录服务器拒绝了设置里的查询账号（ldap_bind_dn、ldap_bind_password）")
        try:
            people, cut = self._search_many(conn, where, query, [name_attribute, c.ldap_email_attribute],
                                            SUBTREE if subtree else LEVEL)
            groups, cut_groups = self._search_many(
                conn, c.ldap_group_base_dn or c.ldap_base_dn, "(|" + "".join(f"({a}=*)" for a in MEMBER_ATTRIBUTES) + ")",
                [c.ldap_group_attribute, *MEMBER_ATTRIBUTES], SUBTREE)
        finally:
            conn.unbind()
        names = {_dn_key(dn): account_name(_first(a.get(name_attribute))) for dn, a in people}
        names = {dn: name for dn, name in names.items() if name}
        belongs: dict[str, set[str]] = {}
        for _, attributes in groups:
            group = _first(attributes.get(c.ldap_group_attribute))
            for name in _members(attributes, names):
                belongs.setdefault(name, set()).add(group)
        found = [Person(names[_dn_key(dn)], dn, _first(a.get(c.ldap_email_attribute)),
                        tuple(sorted(belongs.get(names[_dn_key(dn)], set()) - {""})))
                 for dn, a in people if _dn_key(dn) in names]
        return Roster(tuple(sorted(found, key=lambda p: p.name)), cut or cut_groups)

    def _search_many(self, conn, where: str, query: str, attributes: list[str], scope) -> tuple[list[tuple[str, dict]], bool]:
        """The entries found, and whether the directory stopped before giving them all."""
        conn.search(where, query, search_scope=scope, attributes=attributes, size_limit=ROSTER_LIMIT,
                    time_limit=self.config.ldap_timeout)
        result = (conn.result or {}).get("result", 0)
        if result not in (0, 4):  # 4: sizeLimitExceeded, what was found so far is given
            raise DirectoryError(f"目录服务器拒绝了查询（{(conn.result or {}).get('description', result)}）：{where}")
        entries = [(e["dn"], e.get("attributes", {})) for e in conn.response or () if e.get("type") == "searchResEntry"]
        return entries, result == 4

    def _search(self, conn, where: str, query: str, attributes: list[str],
                entry_only: bool = False) -> list[tuple[str, dict]]:
        from ldap3 import BASE, SUBTREE

        conn.search(where, query, search_scope=BASE if entry_only else SUBTREE, attributes=attributes,
                    size_limit=1000, time_limit=self.config.ldap_timeout)
        return [(e["dn"], e.get("attributes", {})) for e in conn.response or () if e.get("type") == "searchResEntry"]


def _dn_key(dn: str) -> str:
    """A DN as groups' member values may spell it (case and spaces after commas aside)."""
    return re.sub(r"\s*,\s*", ",", dn.strip()).lower()


def _members(attributes: dict, names: dict[str, str]) -> set[str]:
    """The account names a group entry lists: by DN (member, uniqueMember) or by name (memberUid)."""
    out = set()
    for attribute in MEMBER_ATTRIBUTES:
        values = attributes.get(attribute) or []
        for value in values if isinstance(values, (list, tuple)) else [values]:
            value = str(value)
            if attribute == "memberUid":
                out.add(account_name(value.strip()))
            elif _dn_key(value) in names:
                out.add(names[_dn_key(value)])
    return out


def _first(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").strip()
