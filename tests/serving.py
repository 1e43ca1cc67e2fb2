"""Running `kb serve` as a user does, for tests: a real server in its own process group, the
processes it started, and waiting on it over HTTP."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Some thread of ``pid`` still runs. The main thread of a dying process is a zombie a
    moment before its other threads have let go of its files and locks."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False
    for task in tasks:
        try:
            state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            return True
    return False


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def process_name(pid: int) -> str:
    """/proc/<pid>/comm: the keeper and the workers of `kb serve`, forked from it, share its
    command line and are told apart by name (kb-keeper, kb-worker)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class Server:
    """`kb serve` over a content folder and an index folder, on a free port."""

    def __init__(self, content: Path, index: Path, log: Path, workers: int = 2, env: dict | None = None,
                 port: int | None = None, mounts: str | None = None):
        """``mounts``: shell commands run first in a mount namespace of the server's own
        (``unshare``), to give it a read-only or a full disk that the tests do not share."""
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [sys.executable, "-m", "cli", "serve", "--content", str(content), "--index", str(index),
                   "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        if mounts:
            command = ["unshare", "-Urm", "sh", "-ec", mounts + '\nexec "$@"', "sh", *command]
        self.process = subprocess.Popen(
            command,
            stdout=open(log, "a"), stderr=subprocess.STDOUT, env={**os.environ, "KB_SECRET_KEY": "tests", **(env or {})},
        )

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + quote(path, safe="/?=&:#%+"), timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited ({self.process.returncode}):\n{self.log.read_text()}")
            try:
                if self.get("/healthz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("server never became ready:\n" + self.log.read_text())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def watch_descendants(pid: int, seconds: float, every: float = 0.02) -> set[int]:
    """Every descendant ``pid`` had at some moment during ``seconds`` (build workers come and go)."""
    seen: set[int] = set()
    deadline = time.monotonic() + seconds
    while True:
        seen |= children(pid)
        if time.monotonic() >= deadline:
            return seen
        time.sleep(every)


def survivors(pids: set[int], seconds: float) -> list[str]:
    """Command lines of those of ``pids`` still alive after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [f"{p}: {command_line(p)}" for p in pids if alive(p)]


def holding(folder: Path) -> set[int]:
    """Processes (other than this one) with a file under ``folder`` open: every process a test
    server starts writes to its log there, whether or not it was seen among its descendants."""
    folder, found = str(Path(folder).resolve()), set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            targets = [os.readlink(fd) for fd in (entry / "fd").iterdir()]
        except OSError:
            continue
        if any(t.startswith(folder + "/") for t in targets):
            found.add(int(entry.name))
    return found


def lock_holders(path: Path) -> list[str]:
    """The processes /proc/locks says hold a lock on ``path``, with their command lines."""
    inode = Path(path).stat().st_ino
    holders = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()  # "1: FLOCK ADVISORY WRITE <pid> <dev>:<inode> 0 EOF"; "1: -> …" waits
        waits = fields[1] == "->"
        fields = [f for f in fields if f != "->"]
        if fields[5].endswith(f":{inode}"):
            holders.append(f"{fields[4]} {'waits' if waits else 'holds'}: {command_line(int(fields[4]))}")
    return holders


def lock_is_free(index: Path) -> bool:
    """Nobody holds the index writer's lock (search.storage.writer_lock)."""
    import fcntl

    lock = Path(index) / ".lock"
    if not lock.exists():
        return True
    with open(lock, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(fh, fcntl.LOCK_UN)
    return True


def kill_hard(server: "Server") -> None:
    """kill -9 of `kb serve` itself (the gunicorn arbiter), as a crash or the OOM killer would."""
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()


def kill_all(pids: set[int]) -> None:
    """Kill ``pids`` at once, as a power cut would: each still there is stopped first, then all
    get SIGKILL. Killed one after another, a process could see another die and clean up after it
    (git, its hook killed, removing its index.lock) before its own SIGKILL came."""
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass


def can_mount() -> bool:
    """Mount namespaces are available to this user (``unshare -Urm``)."""
    try:
        return subprocess.run(["unshare", "-Urm", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def editors_instance(folder: Path) -> dict:
    """An instance folder whose accounts include the test editor (tests.web.conftest.PASSWORDS),
    as environment variables for `kb serve`."""
    from kb.users import Users
    from tests.web.conftest import PASSWORDS

    folder.mkdir(parents=True, exist_ok=True)
    users = Users(f"sqlite:///{folder / 'kb.sqlite3'}")
    if users.get("editor") is None:
        users.add("editor", PASSWORDS["editor"], "editor")
    users.close()
    return {"KB_INSTANCE_DIR": str(folder)}


class Browser:
    """One visitor of a real server with a cookie jar of its own, from a loopback address of
    its choosing (127.0.0.2, …: the server sees a different client), following no redirect."""

    def __init__(self, base: str, address: str = "127.0.0.1"):
        from http.cookies import SimpleCookie
        from urllib.parse import urlsplit

        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port
        self.address = address
        self.cookies = SimpleCookie()

    def request(self, method: str, path: str, fields: dict | None = None, headers: dict | None = None,
                timeout: float = 30, body: bytes | None = None) -> tuple[int, dict, str]:
        """(status, headers with lower-case names, body text)."""
        import http.client
        from urllib.parse import urlencode

        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout, source_address=(self.address, 0))
        sent = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())}
        if fields is not None:
            body = urlencode(fields).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        try:
            connection.request(method, quote(path, safe="/?=&:#%+;"), body=body, headers=sent)
            response = connection.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(value)
            return response.status, {k.lower(): v for k, v in response.getheaders()}, \
                response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> tuple[int, dict, str]:
        return self.request("GET", path, **kwargs)

    def form(self, path: str) -> dict:
        """The hidden fields of the first form on the page (the form token among them)."""
        import re

        return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', self.get(path)[2]))

    def post(self, path: str, fields: dict, token_from: str | None = None, **kwargs) -> tuple[int, dict, str]:
        """Post ``fields`` with the form token of ``token_from`` (a page of the site)."""
        token = {"csrf": self.form(token_from)["csrf"]} if token_from else {}
        return self.request("POST", path, {**token, **fields}, **kwargs)

    def upload(self, path: str, filename: str, data: bytes, token_from: str) -> tuple[int, dict, str]:
        """Post a file as a browser's form does (multipart), with the form token of ``token_from``."""
        import uuid

        token = self.form(token_from)["csrf"]
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", path, body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def log_in(self, name: str, password: str) -> int:
        return self.post("/login", {"name": name, "password": password}, token_from="/login")[0]
