"""Directory login (LDAP, Active Directory): people sign in with the password they use everywhere
in the office, and their groups and e-mail address come from the directory.

With ``ldap_url`` set, a login that is not a local account's (kb.users: one made with a password
by ``kb user add`` or on the 用户 page) is checked against the directory:

1. the person's entry: ``ldap_user_dn`` with the name in it (``uid={name},ou=people,dc=…``), or a
   search under ``ldap_base_dn`` with ``ldap_user_filter`` (``(uid={name})``; Active Directory:
   ``(sAMAccountName={name})``) bound as ``ldap_bind_dn`` (anonymously when not set);
2. a bind as that entry with the password typed — the directory decides, we keep no password;
3. the groups whose ``ldap_group_filter`` matches the entry (``(member={dn})``), named by their
   ``ldap_group_attribute`` (``cn``), and the address in ``ldap_email_attribute`` (``mail``).

ldap3 speaks the protocol: pure Python (no OpenLDAP client library to build), it escapes filter
values and DNs, does StartTLS and LDAPS with certificate checks, and has timeouts. An empty
password is refused before anything is sent: LDAP takes a simple bind without a password as an
anonymous bind, and would "succeed". Names and values put into filters and DNs are escaped.
"""
from __future__ import annotations

import logging
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
            groups = self._search(reader, c.ldap_group_base_dn or c.ldap_base_dn, group_filter, [c.ldap_group_attribute])
            names = sorted({_first(a.get(c.ldap_group_attribute)) for _, a in groups} - {""})
        finally:
            person.unbind()
            if finder is not None:
                finder.unbind()
        # one account however the name is typed (ZhangSan, zhangsan): the directory matched both
        return Person(name.lower() if name.isascii() else name, dn, email, tuple(names))

    def _search(self, conn, where: str, query: str, attributes: list[str],
                entry_only: bool = False) -> list[tuple[str, dict]]:
        from ldap3 import BASE, SUBTREE

        conn.search(where, query, search_scope=BASE if entry_only else SUBTREE, attributes=attributes,
                    size_limit=1000, time_limit=self.config.ldap_timeout)
        return [(e["dn"], e.get("attributes", {})) for e in conn.response or () if e.get("type") == "searchResEntry"]


def _first(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").strip()
