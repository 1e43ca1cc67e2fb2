"""A real OpenLDAP server (Debian's ``slapd``) for the directory-login tests: started as a process
of the test run on a free loopback port with a throw-away configuration in a temporary folder
(``slapd -f``), filled with ``ldapadd`` (ldap-utils), stopped afterwards. No system service is
started or touched. When the tests run as root, slapd drops to the ``openldap`` user the Debian
package made (``-u``/``-g``), and its folder is given to that user."""
from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUFFIX = "dc=example,dc=cn"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "directory-admin"
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")
SLAPD, LDAPADD = "/usr/sbin/slapd", "ldapadd"

#: name -> (display name, password, e-mail, groups)
PEOPLE = {
    "zhangsan": ("张三", "zhangsan-password", "zhangsan@example.cn", ["财务处"]),
    "lisi": ("李四", "lisi-password", "lisi@example.cn", ["新员工", "办公室"]),
    "wangwu": ("王五", "wangwu-password", "", ["新员工"]),
    "zhaoliu": ("赵六", "zhaoliu-password", "zhaoliu@example.cn", ["新员工", "办公室"]),
    "admin": ("冒名的管理员", "directory-admin-password", "", ["财务处"]),
}
#: group -> the people its ``owner`` attribute names (its 负责人 with ldap_manager_attribute = "owner")
OWNERS = {"新员工": ["zhangsan"]}


def available() -> str | None:
    """Why the server cannot run here, or None."""
    if not Path(SLAPD).exists() or shutil.which(LDAPADD) is None:
        return "Debian's slapd and ldap-utils are not installed (.ci/test installs them)"
    return None


def _value(name: str, value: str) -> str:
    """An LDIF line: base64 for what is not plain ASCII (our group names are Chinese)."""
    if value.isascii() and not value.startswith((" ", ":", "<")):
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


def _entry(dn: str, **attributes) -> str:
    lines = [_value("dn", dn)]
    for name, values in attributes.items():
        for v in values if isinstance(values, list) else [values]:
            lines.append(_value(name, v))
    return "\n".join(lines)


def ldif() -> str:
    entries = [_entry(SUFFIX, objectClass=["dcObject", "organization"], o="示例单位", dc="example"),
               _entry(f"ou=people,{SUFFIX}", objectClass="organizationalUnit", ou="people"),
               _entry(f"ou=groups,{SUFFIX}", objectClass="organizationalUnit", ou="groups")]
    groups: dict[str, list[str]] = {}
    for uid, (cn, password, mail, member_of) in PEOPLE.items():
        dn = f"uid={uid},ou=people,{SUFFIX}"
        entries.append(_entry(dn, objectClass="inetOrgPerson", uid=uid, cn=cn, sn=cn[:1], userPassword=password,
                              **({"mail": mail} if mail else {})))
        for g in member_of:
            groups.setdefault(g, []).append(dn)
    for g, members in groups.items():
        owners = [f"uid={uid},ou=people,{SUFFIX}" for uid in OWNERS.get(g, [])]
        entries.append(_entry(f"cn={g},ou=groups,{SUFFIX}", objectClass="groupOfNames", cn=g, member=members,
                              **({"owner": owners} if owners else {})))
    return "\n\n".join(entries) + "\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LdapServer:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="kb-slapd-"))
        self.port = _free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        (self.folder / "data").mkdir()
        (self.folder / "slapd.conf").write_text(self._config(), encoding="utf-8")
        command = [SLAPD, "-f", str(self.folder / "slapd.conf"), "-h", self.url, "-d", "0"]
        if os.geteuid() == 0:  # never run the server as root
            shutil.chown(self.folder, "openldap", "openldap")
            for path in self.folder.rglob("*"):
                shutil.chown(path, "openldap", "openldap")
            command += ["-u", "openldap", "-g", "openldap"]
        self.log = open(self.folder / "slapd.log", "wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait()
            self._add(ldif())
        except BaseException:
            self.stop()
            raise

    def _config(self) -> str:
        schemas = "\n".join(f"include /etc/ldap/schema/{s}.schema" for s in SCHEMAS)
        return f"""{schemas}
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {self.folder}/slapd.pid
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {self.folder}/data
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
"""

    def _wait(self, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("slapd exited:\n" + (self.folder / "slapd.log").read_text(errors="replace"))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("slapd did not start listening")

    def _add(self, text: str, command: str = LDAPADD) -> None:
        subprocess.run([command, "-x", "-H", self.url, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD], input=text.encode(),
                       check=True, capture_output=True, timeout=30)

    def leave(self, uid: str, group: str) -> None:
        """Take ``uid`` out of ``group`` in the directory (ldapmodify), as its admin would."""
        change = "\n".join([_value("dn", f"cn={group},ou=groups,{SUFFIX}"), "changetype: modify", "delete: member",
                            f"member: uid={uid},ou=people,{SUFFIX}", ""])
        self._add(change, "ldapmodify")

    def settings(self, **more) -> dict:
        """Site settings to log in through this server (a search bound as the admin)."""
        return {"ldap_url": self.url, "ldap_base_dn": SUFFIX, "ldap_bind_dn": ADMIN_DN,
                "ldap_bind_password": ADMIN_PASSWORD, "ldap_timeout": 5, **more}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
