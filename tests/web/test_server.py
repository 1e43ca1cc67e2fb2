"""`kb serve` as it runs for staff: gunicorn worker processes and an index keeper process,
driven over real HTTP and real sockets."""
import json
import os
import signal
import socket
import time

import pytest

from tests.conftest import REPO, write_article
from tests.serving import Server, alive, children, command_line, process_name


@pytest.fixture
def server(content_dir, tmp_path):
    running = Server(content_dir, tmp_path / "index", tmp_path / "server.log")
    running.wait_ready()
    yield running
    running.stop()


def test_one_worker_process_per_core_and_a_keeper(server):
    processes = {pid: process_name(pid) for pid in children(server.process.pid)}
    keepers = [p for p, name in processes.items() if name == "kb-keeper"]
    workers = [p for p, name in processes.items() if name == "kb-worker"]
    assert len(keepers) == 1 and len(workers) == 2, processes
    data = json.loads(server.get("/api/search?q=请示汇报")[1])
    assert data["results"][0]["url"] == "/a/office-service-work#请示汇报原则"


def test_a_query_typed_as_raw_utf8_by_a_script_works(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall("GET /api/search?q=保密&limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        response = b""
        while chunk := s.recv(65536):
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    data = json.loads(body)
    assert data["query"] == "保密" and data["total"] > 0


def test_the_linking_guide_says_what_kb_serve_answers_a_raw_request_line():
    """docs/linking.md told script writers that such a request got a 400 from waitress, a server
    the site no longer runs; what it says must be what the test above sees."""
    text = (REPO / "docs" / "linking.md").read_text(encoding="utf-8")
    paragraph = next(p for p in text.split("\n\n") if "请求行" in p)
    assert "waitress" not in text
    assert "gunicorn" in paragraph and "回答 200" in paragraph and "--debug" in paragraph


def test_idle_connections_do_not_lock_anyone_out(server):
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(110)]
    try:
        # locked out, the request would wait until the idle connections close (the timeout fails it)
        status, body = server.get("/api/search?q=会议", timeout=5)
        assert status == 200 and json.loads(body)["total"] > 0
    finally:
        for s in idle:
            s.close()


def trickle(sockets, lines, until: float, every: float = 0.5) -> None:
    """Send each socket the next of ``lines`` every ``every`` seconds until ``until``; a socket
    the server closed is left alone."""
    n = 0
    while time.monotonic() < until:
        for s in sockets:
            try:
                s.sendall(lines(n))
            except OSError:
                pass
        n += 1
        time.sleep(every)


def test_two_hundred_slowloris_connections_leave_a_search_answering(server):
    """Issue 16: 16–40 connections sending a header line every 5 s locked everyone out for
    60 s. 200 of them (one line every half second), 20 half request lines and 20 bodies sent
    a byte at a time: a search answers meanwhile."""
    import threading

    slow = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(240)]
    try:
        for s in slow[:200]:
            s.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for s in slow[200:220]:
            s.sendall(b"GET /api/sea")
        for s in slow[220:]:
            s.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\nname=")
        until = time.monotonic() + 6
        feeders = [threading.Thread(target=trickle, args=(slow[:200], lambda n: b"X-Slow-%d: 1\r\n" % n, until)),
                   threading.Thread(target=trickle, args=(slow[220:], lambda n: b"x", until))]
        for t in feeders:
            t.start()
        time.sleep(1)
        for _ in range(3):
            status, body = server.get("/api/search?q=会议", timeout=5)  # locked out, this times out
            assert status == 200 and json.loads(body)["total"] > 0
        for t in feeders:
            t.join(30)
    finally:
        for s in slow:
            s.close()


def test_a_request_head_that_never_ends_is_closed_by_the_server(server):
    """One header line a second keeps gunicorn's own worker reading for ever; here the head
    must be whole within HEAD_SECONDS of its first byte."""
    from web.server import FIRST_BYTES, HEAD_SECONDS

    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        closed = False
        deadline = time.monotonic() + HEAD_SECONDS + FIRST_BYTES + 5
        n = 0
        while time.monotonic() < deadline and not closed:
            time.sleep(1)
            try:
                s.sendall(b"X-Slow-%d: 1\r\n" % n)
                s.setblocking(False)
                closed = s.recv(1) == b""
            except BlockingIOError:
                pass
            except OSError:
                closed = True
            finally:
                s.setblocking(True)
            n += 1
        assert closed and n <= HEAD_SECONDS + 3
    finally:
        s.close()


def test_a_chunked_request_body_is_refused_and_a_pipelined_request_answered(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nname=")
        assert s.recv(100).startswith(b"HTTP/1.1 411")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        two = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        s.sendall(two + two[:20])
        time.sleep(0.3)
        s.sendall(two[20:-2] + b"Connection: close\r\n\r\n")
        response = b""
        while chunk := s.recv(65536):
            response += chunk
        assert response.count(b"HTTP/1.1 200") == 2


def test_a_client_that_expects_100_continue_is_told_to_send_its_body(server):
    """curl waits for 「100 Continue」 before a larger body; the body is received in the event
    loop, so the loop says it (else every such upload would wait a second)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"POST /api/opened HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 100 Continue")
        s.sendall(b"url=/a/x&")
        response = b""
        while b"\r\n\r\n" not in response.replace(b"HTTP/1.1 100 Continue\r\n\r\n", b""):
            response += s.recv(65536)
        assert b"HTTP/1.1 400" in response  # the beacon names no search: refused, but answered


def test_a_file_changed_on_disk_reaches_every_worker(server, content_dir):
    write_article(content_dir, "guides/dropped-in.md", "## 一、新放入的文件\n\n内容里有词语子丑寅卯。\n", slug="dropped-in")
    deadline = time.monotonic() + 10
    found = 0
    while time.monotonic() < deadline and found < 6:  # new connections land on either worker
        status, body = server.get("/api/search?q=子丑寅卯")
        found = found + 1 if json.loads(body)["total"] == 1 else 0
        time.sleep(0.05)
    assert found >= 6
    for _ in range(6):
        assert "子丑寅卯" in server.get("/a/dropped-in")[1].decode()


def test_a_killed_server_leaves_no_process_behind_and_starts_again(content_dir, tmp_path):
    first = Server(content_dir, tmp_path / "index", tmp_path / "server.log")
    first.wait_ready()
    started = children(first.process.pid)
    assert len(started) >= 3
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in started):
        time.sleep(0.1)
    assert not [p for p in started if alive(p)], [command_line(p) for p in started if alive(p)]
    second = Server(content_dir, tmp_path / "index", tmp_path / "server.log", port=first.port)  # the port is free
    try:
        second.wait_ready()
        assert json.loads(second.get("/api/search?q=保密")[1])["total"] > 0
    finally:
        second.stop()


def test_a_login_survives_a_restart_and_a_save_through_the_workers_is_committed(content_dir, tmp_path):
    """No secret key configured: the one created on first start is kept in the instance folder,
    so a restart (a deploy, a crash) logs nobody out and an open edit form still saves."""
    import subprocess

    from kb.users import Users
    from tests.web.test_concurrent_saves import Editor

    instance = tmp_path / "instance"
    instance.mkdir()
    users = Users(f"sqlite:///{instance / 'kb.sqlite3'}")
    users.add("editor", "editor-password", "editor")
    users.close()
    env = {"KB_SECRET_KEY": "", "KB_INSTANCE_DIR": str(instance)}
    first = Server(content_dir, tmp_path / "index", tmp_path / "server.log", env=env)
    try:
        first.wait_ready()
        person = Editor(first.base)
        fields = person.open_form("/a/ten-awareness/edit")
    finally:
        first.stop()
    second = Server(content_dir, tmp_path / "index", tmp_path / "server.log", env=env, port=first.port)
    try:
        second.wait_ready()
        text = (content_dir / "guides" / "ten-awareness.md").read_text(encoding="utf-8") + "\n重启以后保存的一句话。\n"
        status, _ = person.post("/a/ten-awareness/edit", {**fields, "text": text, "message": "重启后保存"})
        assert status == 303
    finally:
        second.stop()
    log = subprocess.run(["git", "-C", str(content_dir), "log", "-1", "--format=%an|%s"], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert log == "editor|重启后保存"


def _rollup(pid: int) -> dict[str, int]:
    """kB of /proc/<pid>/smaps_rollup (Rss, Pss, Private_Clean, …)."""
    out = {}
    for line in open(f"/proc/{pid}/smaps_rollup").read().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            out[parts[0].rstrip(":")] = int(parts[1])
    return out


def test_workers_and_the_keeper_share_what_the_server_loaded(content_dir, tmp_path):
    """The site is loaded once, before the workers and the keeper are forked (gunicorn's preload,
    ``gc.freeze``): most of each forked process's memory is pages it shares with the server, not
    copies of its own. Before, each worker imported and loaded everything itself and the keeper
    was a program of its own. Searching must not undo it: the first search of a worker once built
    jieba's part-of-speech table (search.coverage asks for it), ~150 MB of its own."""
    first = Server(content_dir, tmp_path / "index", tmp_path / "server.log")
    first.wait_ready()
    first.stop()  # an index exists now: the next start opens it before forking
    server = Server(content_dir, tmp_path / "index", tmp_path / "server.log", port=first.port)
    try:
        server.wait_ready()

        def ours() -> dict[int, str]:
            named = {p: process_name(p) for p in children(server.process.pid)}
            return {p: name for p, name in named.items() if name in ("kb-worker", "kb-keeper")}

        deadline = time.monotonic() + 30  # /healthz answers once one worker is up; gunicorn forks the next after
        while sorted(ours().values()) != ["kb-keeper", "kb-worker", "kb-worker"] and time.monotonic() < deadline:
            time.sleep(0.1)
        for word in ("保密", "会议纪要怎么写", "印章管理", "值班", "接待 来访", "公文格式"):  # each worker answers some
            assert server.get(f"/api/search?q={word}")[0] == 200
        assert json.loads(server.get("/api/search?q=保密")[1])["total"] > 0
        forked = ours()
        assert sorted(forked.values()) == ["kb-keeper", "kb-worker", "kb-worker"], forked
        for pid, name in forked.items():
            memory = _rollup(pid)
            private = memory["Private_Clean"] + memory["Private_Dirty"]
            assert private < memory["Rss"] / 4, f"{name} {pid}: {private} kB of {memory['Rss']} kB its own"
    finally:
        server.stop()
