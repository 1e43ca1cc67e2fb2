"""Who logs in: an account's own password, or the office directory's (kb.directory).

A local account with a password (``kb user add``, the 用户 page) is checked here and never by the
directory, so a directory entry of the same name — however cased — cannot take over ``admin``.
Any other name, with ``ldap_url`` set, is checked by the directory: its account is made at the
first login (role ``ldap_role``) and its groups, address and (with ``ldap_manager_attribute``)
the groups it is 负责人 of are the directory's from each login on, beside what an admin gave (kb.people).
"""
from __future__ import annotations

import logging

from kb.directory import Directory
from kb.people import DIRECTORY

log = logging.getLogger(__name__)


def authenticate(site, name: str, password: str):
    """The account (kb.users.User) ``name`` logs in as with ``password``, or None. Raises
    kb.directory.DirectoryError when the directory cannot be asked."""
    name = name.strip()
    user = site.users.verify(name, password)
    directory = Directory(site.config)
    if user is not None or not directory.enabled or site.users.has_password(name):
        return user
    person = directory.authenticate(name, password)
    if person is None:
        return None
    if site.users.has_password(person.name):  # "ADMIN" typed, "admin" a local account: not theirs
        log.warning("directory login %r refused: %r is a local account", name, person.name)
        return None
    user = site.users.ensure(person.name, site.config.ldap_role)
    site.people.set_groups(user.name, list(person.groups), DIRECTORY)
    if site.config.ldap_manager_attribute:
        site.people.set_managed(user.name, list(person.manages), DIRECTORY)
    if person.email:
        site.people.set_email(user.name, person.email, DIRECTORY)
    log.info("%s logged in through the directory (%s), groups: %s", user.name, person.dn, ", ".join(person.groups))
    return user
