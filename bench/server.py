"""A `kb serve` under measurement, seen from outside: started as a user starts it, its processes
read from /proc (however many workers it runs), and an HTTP client that checks every answer.

Nothing here knows how the server is built (threads, worker processes, gunicorn): the
benchmark measures whatever ``kb serve`` is.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- processes, from /proc -------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (field 3 onwards)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants that are alive."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        if _stat(pid) is not None:
            tree.append(pid)
            todo += children.get(pid, [])
    return tree


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (0 once it is gone)."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else 0.0


def status_mb(pid: int, key: str) -> float | None:
    """A size from /proc/<pid>/status (VmRSS, VmHWM …) in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def rollup_mb(pid: int) -> dict[str, float]:
    """/proc/<pid>/smaps_rollup in MB (as smem reads it): ``pss`` — shared pages divided among
    the processes sharing them, so that the sum over a server's processes is what they take
    together — and ``uss``, the private pages (clean and dirty), what the process alone holds."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return {}
    kb = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            kb[parts[0][:-1]] = int(parts[1])
    return {"pss": round(kb.get("Pss", 0) / 1024, 1),
            "uss": round((kb.get("Private_Clean", 0) + kb.get("Private_Dirty", 0)) / 1024, 1),
            "anon": round(kb.get("Anonymous", 0) / 1024, 1)}


def pss_mb(pid: int) -> float | None:
    """Proportional set size (see ``rollup_mb``)."""
    return rollup_mb(pid).get("pss")


def name_of(pid: int) -> str:
    """/proc/<pid>/comm: kb-keeper and kb-worker are forked from `kb serve` and share its command line."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def command_of(pid: int) -> str:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(a.decode(errors="replace") for a in args if a)
    return text if len(text) <= 120 else text[:117] + "…"


def memory(pids: list[int]) -> dict:
    """RSS, peak RSS (VmHWM), PSS and USS (private) of each process, and their sums."""
    rows = []
    for pid in pids:
        rollup = rollup_mb(pid)
        rows.append({"pid": pid, "name": name_of(pid), "command": command_of(pid), "rss_mb": status_mb(pid, "VmRSS"),
                     "hwm_mb": status_mb(pid, "VmHWM"), "pss_mb": rollup.get("pss"), "uss_mb": rollup.get("uss"),
                     "anon_mb": rollup.get("anon")})
    rows = [r for r in rows if r["rss_mb"] is not None]
    total = lambda k: round(sum(r[k] or 0 for r in rows), 1)  # noqa: E731
    workers = [r["uss_mb"] or 0 for r in rows if r["name"] == "kb-worker"]
    return {"processes": rows, "rss_mb_max": max((r["rss_mb"] for r in rows), default=None),
            "hwm_mb_max": max((r["hwm_mb"] for r in rows), default=None),
            "rss_mb_sum": total("rss_mb"), "pss_mb_sum": total("pss_mb"), "uss_mb_sum": total("uss_mb"),
            "worker_uss_mb_max": max(workers, default=None)}


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent on anything but idle and iowait, since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


class CpuWindow:
    """CPU used by the server's processes, by the benchmark's clients and by everything else on
    the machine (other people's work) between ``start`` and ``stop``."""

    def __init__(self, server: "Server"):
        self.server = server

    def start(self) -> "CpuWindow":
        self.t0, self.busy0 = time.monotonic(), machine_busy_seconds()
        self.server0 = self.server.cpu_by_pid()
        self.end = None
        return self

    def close(self) -> None:
        """End the window now (the figures may be asked for later, when the clients' CPU is known)."""
        self.end = (time.monotonic(), machine_busy_seconds(), self.server.cpu_by_pid())

    def stop(self, clients_cpu_s: float = 0.0) -> dict:
        if self.end is None:
            self.close()
        t1, busy1, server1 = self.end
        wall = t1 - self.t0
        server = sum(server1.get(p, 0.0) - self.server0.get(p, 0.0) for p in server1)
        busy = busy1 - self.busy0
        pct = lambda s: round(100 * s / wall, 1) if wall else None  # noqa: E731
        return {"seconds": round(wall, 1), "server_cpu_percent": pct(server), "clients_cpu_percent": pct(clients_cpu_s),
                "others_cpu_percent": pct(max(0.0, busy - server - clients_cpu_s)),
                "machine_cpu_percent": pct(busy), "cores": os.cpu_count()}


# --- HTTP ----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP/1.1 connection; reconnects (and counts it) when the server closes it."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 30):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.connects = 0

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.connects += 1
            try:
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                body = resp.read()
                if resp.will_close:
                    self.close()
                return resp.status, body
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Answer:
    """One /api/search request as the client saw it."""

    ms: float
    status: int = 0
    problem: str = ""  # why the answer is not a complete search result ("" when it is)
    took_ms: float | None = None
    total: int | None = None
    slugs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.problem


def search_path(query: str, limit: int = 10) -> str:
    return f"/api/search?q={quote(query)}&limit={limit}"


def check_result(data) -> str:
    """"" when ``data`` is a whole /api/search answer: a total, facets of every kind and one
    result per article; otherwise what is wrong. Type facets count every matching article once,
    so they add up to the exact total."""
    if not isinstance(data, dict):
        return "not a JSON object"
    total, facets, results = data.get("total"), data.get("facets"), data.get("results")
    if not isinstance(total, int) or not isinstance(results, list) or not isinstance(facets, dict):
        return "total, results or facets missing"
    if not all(isinstance(facets.get(k), dict) for k in ("type", "tags", "category")):
        return "facets lack type, tags or category"
    slugs = [r.get("slug") for r in results if isinstance(r, dict)]
    if len(set(slugs)) != len(results):
        return "results not grouped by article"
    if total and not results and data.get("page", 1) == 1:
        return "total > 0 but no results"
    if sum(facets["type"].values()) != total:
        return f"type facets add up to {sum(facets['type'].values())}, total is {total}"
    return ""


def ask(client: Client, query: str) -> Answer:
    """Search over HTTP and check the answer; never raises for what the server does."""
    started = time.perf_counter()
    try:
        status, body = client.get(search_path(query))
    except (OSError, http.client.HTTPException) as exc:
        return Answer((time.perf_counter() - started) * 1000, problem=f"{type(exc).__name__}: {exc}")
    ms = (time.perf_counter() - started) * 1000
    if status != 200:
        return Answer(ms, status, f"HTTP {status}: {body[:200].decode(errors='replace')}")
    try:
        data = json.loads(body)
    except ValueError:
        return Answer(ms, status, "not JSON")
    took = data.get("took_ms") if isinstance(data, dict) else None
    problem = check_result(data)
    return Answer(ms, status, problem, float(took) if isinstance(took, (int, float)) else None,
                  data.get("total") if not problem else None,
                  [r.get("slug") for r in data.get("results", [])] if not problem else [])


# --- the server ----------------------------------------------------------------------------------

def kb_command() -> list[str]:
    exe = Path(sys.executable).parent / "kb"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cli"]


class Server:
    """``kb serve`` in its own session (so that all its processes can be stopped together)."""

    def __init__(self, content: Path, index: Path, log: Path, cwd: Path):
        self.port = free_port()
        self.command = kb_command() + ["serve", "--content", str(content), "--index", str(index),
                                       "--host", "127.0.0.1", "--port", str(self.port)]
        self.log, self.cwd = log, cwd
        self.proc: subprocess.Popen | None = None
        self.seen: set[int] = set()

    def start(self, ready_timeout: float) -> float:
        """Start and wait for /healthz 200; seconds it took."""
        started = time.monotonic()
        with open(self.log, "wb") as fh:
            self.proc = subprocess.Popen(self.command, stdout=fh, stderr=subprocess.STDOUT, cwd=self.cwd,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
        client = Client(self.port, timeout=5)
        try:
            while time.monotonic() - started < ready_timeout:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"kb serve exited with code {self.proc.returncode}: {self.log_tail()}")
                try:
                    if client.get("/healthz")[0] == 200:
                        return time.monotonic() - started
                except OSError:
                    client.close()
                time.sleep(0.1)
        finally:
            client.close()
        raise RuntimeError(f"/healthz not 200 after {ready_timeout:.0f} s: {self.log_tail()}")

    def log_tail(self, chars: int = 2000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def pids(self) -> list[int]:
        pids = process_tree(self.proc.pid) if self.proc else []
        self.seen.update(pids)
        return pids

    def cpu_by_pid(self) -> dict[int, float]:
        return {pid: cpu_seconds(pid) for pid in self.pids()}

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """Ctrl+C, as a user stops it; then SIGTERM and SIGKILL to its session if need be."""
        if self.proc is None:
            return
        self.pids()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)  # the session kb serve leads: its own processes only
            except ProcessLookupError:
                break
            time.sleep(2)
        self.proc.wait(10)
