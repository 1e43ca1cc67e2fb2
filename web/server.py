"""Serving the site for real: gunicorn, one threaded worker process per core, and the index
keeper in a process of its own.

- Workers share the index on disk; each follows new index versions by itself (search.engine).
  A worker never writes the index except to make a save from its editor searchable at once
  (the writer lock keeps one writer at a time).
- The keeper (``kb index --watch``) builds the index at start if needed and re-indexes what the
  file watcher reports. It is started by the arbiter, restarted if it dies, and dies with the
  arbiter (``PR_SET_PDEATHSIG``), as do the workers (gunicorn's parent check): a killed server
  leaves nothing behind holding the port or the index lock.
- Idle and slow clients cannot exhaust the threads: a request is received whole in the event
  loop — its head within ``HEAD_SECONDS`` of its first byte, its body at ``MIN_BODY_RATE`` — and
  only then handed to a thread, which never waits on the client (see ``Worker``).
- A query typed into a script as raw UTF-8 works, as in a browser.
"""
from __future__ import annotations

import contextlib
import gc
import logging
import os
import re
import resource
import selectors
import signal
import socket
import struct
import tempfile
import time
from functools import partial

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter as GunicornArbiter
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser
from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers.gthread import TConn, ThreadWorker

from kb.config import Config

log = logging.getLogger(__name__)

FIRST_BYTES = 10.0  # seconds a new connection may take to begin its request
HEAD_SECONDS = 10.0  # seconds a request's head may take to arrive, from its first byte
MIN_BODY_RATE = 20_000  # bytes a second a body must arrive at, on average (after HEAD_SECONDS)
MAX_HEAD = 64 * 1024  # bytes: a longer head is refused (431) without a thread seeing it
MEMORY_BODY = 256 * 1024  # bodies up to this wait in memory, larger ones (uploads) in a temporary file
STALL = 30.0  # seconds a response may take to be taken by the client without progress
THREADS = 8
CONNECTIONS = 4000  # per worker process: idle and slow ones cost a file descriptor, not a thread


def _die_with_parent(parent: int, signum: int = signal.SIGTERM) -> None:
    """Have the kernel send ``signum`` to this process when ``parent`` dies (Linux); if it is
    gone already (it died between the fork and here), exit."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signum)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


_RAW = re.compile(rb"[\x80-\xff]")


class _Request(Request):
    """Scripts and curl send a query as typed (``GET /api/search?q=保密``): raw UTF-8 bytes that
    RFC 9112 does not allow and gunicorn refuses. They are percent-encoded before parsing, which
    is what a browser would have sent."""

    def parse_request_line(self, line_bytes):
        super().parse_request_line(_RAW.sub(lambda m: b"%%%02X" % m.group()[0], bytes(line_bytes)))


class _Parser(RequestParser):
    mesg_class = _Request


class _SpooledUnreader(SocketUnreader):
    """The parser's source for a large body received in the event loop: the temporary file
    first, then the socket (for what the connection brings next)."""

    def __init__(self, sock, spool):
        super().__init__(sock)
        self.spool = spool

    def chunk(self, size_hint=None):
        if self.spool is not None:
            data = self.spool.read(max(size_hint or 0, self.mxchunk))
            if data:
                return data
            self.spool.close()
            self.spool = None
        return super().chunk(size_hint)


_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d{1,15})[ \t]*\r?$")
_CHUNKED = re.compile(rb"(?im)^transfer-encoding[ \t]*:")
_EXPECT = re.compile(rb"(?im)^expect[ \t]*:[ \t]*100-continue[ \t]*\r?$")
REFUSALS = {
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    411: b"HTTP/1.1 411 Length Required\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
}


class _Incoming:
    """A request arriving on a connection, received in the event loop until it is whole."""

    def __init__(self, deadline: float):
        self.deadline = deadline  # the connection is closed if the request is not whole by then
        self.started = False
        self.data = bytearray()
        self.spool = None  # a large body goes to a temporary file
        self.left: int | None = None  # bytes of the body still to come, once the head is in
        self.extra = b""  # bytes beyond this request (a pipelined next one)
        self.expects = False  # the client waits for 「100 Continue」 before sending the body (curl does)

    def wanted(self) -> int:
        return 65536 if self.left is None else max(1, min(65536, self.left))

    def add(self, data: bytes, now: float, max_body: int) -> int | None:
        """Take bytes; None while more are needed, 0 once the request is whole, or an HTTP
        status to refuse it with."""
        if not self.started:
            self.started = True
            self.deadline = now + HEAD_SECONDS
        if self.left is not None:
            return self._body(data)
        self.data += data
        end = self.data.find(b"\r\n\r\n")
        if end < 0:
            return 431 if len(self.data) > MAX_HEAD else None
        head = bytes(self.data[:end])
        if _CHUNKED.search(head):
            return 411  # browsers always say the length; a chunked body could trickle forever
        lengths = _LENGTH.findall(head)
        length = int(lengths[0]) if len(lengths) == 1 else 0  # none, or several: gunicorn answers
        if length > max_body:
            return 0  # the app refuses it (413) without reading it
        whole = end + 4 + length
        self.data, self.extra = self.data[:whole], bytes(self.data[whole:])
        self.left = whole - len(self.data)
        self.expects = self.left > 0 and bool(_EXPECT.search(head))
        self.deadline = max(self.deadline, now + HEAD_SECONDS + length / MIN_BODY_RATE)
        if length > MEMORY_BODY:
            self.spool = tempfile.TemporaryFile()
            self.spool.write(self.data)
            self.data = bytearray()
        return 0 if self.left <= 0 else None

    def _body(self, data: bytes) -> int | None:
        if self.spool is not None:
            self.spool.write(data)
        else:
            self.data += data
        self.left -= len(data)
        return 0 if self.left <= 0 else None

    def hand_over(self, parser) -> None:
        """Give the parser the request, so that it reads none of it from the socket."""
        if self.spool is not None:
            self.spool.seek(0)
            parser.unreader = _SpooledUnreader(parser.unreader.sock, self.spool)
            self.spool = None
        else:
            parser.unreader.unread(bytes(self.data))

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


class Worker(ThreadWorker):
    """gunicorn's threaded worker, except that a request is received whole in the event loop
    before a thread sees it.

    gunicorn's own worker gives a connection to a thread as soon as it has a byte, and the
    thread then waits for the rest: 16–40 clients sending one header line every 5 s held every
    thread, and everyone else waited 60 s (issue 16). Here a connection waits in the event loop
    (a file descriptor, no thread) until its head has arrived — within ``HEAD_SECONDS`` of the
    first byte, whatever the client trickles — and its body, at ``MIN_BODY_RATE`` on average
    (large bodies in a temporary file). Chunked request bodies, which browsers never send, are
    refused (411). Measured with ``bench/slowloris.py``: docs/reliability.md.

    A worker dies with the arbiter: gunicorn's own check of the parent runs only once the
    worker has loaded the app (seconds) and then lets it drain for up to ten; killed meanwhile,
    the server left workers holding the port. SIGQUIT is gunicorn's immediate stop: requests
    in flight finish, nothing new is taken."""

    max_body = 21_000_000  # set from the configuration (Application.load_config)

    def init_process(self):
        _die_with_parent(self.ppid, signal.SIGQUIT)
        _more_files()
        super().init_process()

    def accept(self, listener):
        try:
            client, address = listener.accept()
        except OSError:
            return
        self.nr_conns += 1
        timeout = struct.pack("ll", int(STALL), 0)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeout)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeout)
        client.setblocking(False)
        conn = TConn(self.cfg, client, address, listener.getsockname())
        conn.parser = _Parser(self.cfg, client, address)
        self._receive(conn, time.monotonic() + FIRST_BYTES)

    def _receive(self, conn, deadline: float, already: bytes = b"") -> None:
        """Wait in the event loop for ``conn``'s next request."""
        conn.incoming = _Incoming(deadline)
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._readable, conn))
        if already:
            self._take(conn, already)

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection's next request: received in the loop too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._receive(conn, time.monotonic() + HEAD_SECONDS)
        self._readable(conn, client)

    def _readable(self, conn, client) -> None:
        try:
            data = client.recv(conn.incoming.wanted())
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        self._take(conn, data)

    def _take(self, conn, data: bytes) -> None:
        incoming = conn.incoming
        verdict = incoming.add(data, time.monotonic(), self.max_body)
        if incoming.expects:  # it waits for this before sending the body we wait for
            incoming.expects = False
            with contextlib.suppress(OSError):
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        if verdict is None:
            return
        if verdict:
            with contextlib.suppress(OSError):
                conn.sock.send(REFUSALS[verdict])
            self._drop(conn)
            return
        self.poller.unregister(conn.sock)
        self.pending_conns.remove(conn)
        incoming.hand_over(conn.parser)
        conn.leftover, conn.incoming = incoming.extra, None
        conn.data_ready = True
        self.enqueue_req(conn)

    def _drop(self, conn) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        with contextlib.suppress(ValueError):
            self.pending_conns.remove(conn)
        if getattr(conn, "incoming", None) is not None:
            conn.incoming.close()
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        """Close the connections whose request has not arrived whole in time, and, once the
        worker is stopping, every one still waiting for its request (nothing was asked yet)."""
        now = time.monotonic()
        for conn in [c for c in self.pending_conns if c.incoming.deadline <= now or not self.alive]:
            self._drop(conn)

    def finish_request(self, conn, fs):
        """After a response: bytes of a next request that came with this one are received in
        the loop like any other (gunicorn would hand them to a thread that then waits)."""
        leftover = getattr(conn, "leftover", b"")
        if leftover and self.alive and not fs.cancelled() and fs.exception() is None and fs.result() is True:
            conn.leftover = b""
            conn.sock.setblocking(False)
            self._receive(conn, time.monotonic() + HEAD_SECONDS, leftover)
            return
        super().finish_request(conn, fs)


def _more_files() -> None:
    """As many open files as allowed: each waiting connection holds one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = CONNECTIONS + 256 if hard == resource.RLIM_INFINITY else min(hard, CONNECTIONS + 256)
    if soft < want:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


KEEPER_NAME = b"kb-keeper"  # /proc/<pid>/comm of the index keeper (its command line is the server's)
WORKER_NAME = b"kb-worker"


def _name_process(name: bytes) -> None:
    """Name this process in /proc/<pid>/comm (``ps -o comm``): forked from the server, the keeper
    and the workers share its command line."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(15, ctypes.c_char_p(name), 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


class Arbiter(GunicornArbiter):
    """gunicorn's arbiter, also minding the index keeper process.

    The keeper is forked from the arbiter after the site was loaded (``preload_app``), like the
    workers, so that it shares what they share — jieba's tables, the index's and the catalog —
    instead of loading its own copy (a process of its own took ~300 MB at 10,000 articles)."""

    keeper: int | None = None  # its pid

    def start(self):
        super().start()
        self._start_keeper()

    def _start_keeper(self) -> None:
        pid = os.fork()
        if pid:
            self.keeper = pid
            return
        status = 1
        try:  # the keeper: never returns into the arbiter's loop
            for signum in (*self.SIGNALS, signal.SIGCHLD):
                signal.signal(signum, signal.SIG_DFL)
            for listener in self.LISTENERS:
                listener.close()
            _die_with_parent(self.pid)
            _name_process(KEEPER_NAME)
            site = self.app.site
            site.after_fork()
            gc.enable()
            site.keeper_for().run_forever()
            status = 0
        except BaseException:  # noqa: BLE001 — logged, and the arbiter starts another
            log.exception("index keeper failed")
        finally:
            os._exit(status)

    def _keeper_exited(self) -> int | None:
        """The keeper's exit status once it has exited (None while it runs); gunicorn's own
        reaping of unknown children may have collected it first."""
        if self.keeper is None:
            return None
        try:
            pid, status = os.waitpid(self.keeper, os.WNOHANG)
        except ChildProcessError:
            return -1
        return os.waitstatus_to_exitcode(status) if pid else None

    def manage_workers(self):
        super().manage_workers()
        exited = self._keeper_exited()
        if exited is not None:
            log.warning("索引维护进程已退出（%s），正在重新启动", exited)
            self._start_keeper()

    def halt(self, reason=None, exit_status=0):
        self._stop_keeper()
        super().halt(reason, exit_status)

    def _stop_keeper(self) -> None:
        keeper, self.keeper = self.keeper, None
        if keeper is None:
            return
        try:
            os.kill(keeper, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if os.waitpid(keeper, os.WNOHANG)[0]:
                    return
            except ChildProcessError:
                return
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            os.kill(keeper, signal.SIGKILL)


class Application(BaseApplication):
    """The site loaded once in the arbiter, before any process is forked (``preload_app``):
    jieba's dictionary, the index's tables and the catalog are then shared by the workers and
    the keeper instead of copied into each (see ``load``)."""

    def __init__(self, site, workers: int | None = None, config_file: str | None = None):
        from application import Site

        self.site = site if isinstance(site, Site) else Site(site)
        self.kb_config = self.site.config
        self.config_file = config_file
        self.workers = workers or os.cpu_count() or 1
        super().__init__()

    def load_config(self):
        config = self.kb_config
        Worker.max_body = config.max_upload_bytes + 1_000_000  # as Flask's MAX_CONTENT_LENGTH (web.app)
        settings = {
            "bind": f"{config.host}:{config.port}",
            "workers": self.workers,
            "worker_class": "web.server.Worker",
            "threads": THREADS,
            "worker_connections": CONNECTIONS,
            "keepalive": 5,
            "timeout": 60,
            "graceful_timeout": 10,
            "proc_name": "office-kb",
            "loglevel": "warning",
            "errorlog": "-",
            "control_socket_disable": True,
            "preload_app": True,
            "post_fork": _after_fork,
            "post_worker_init": _warm,
        }
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self):
        """Build the app and open what every process needs, once, in the arbiter. Python's
        collector is kept off meanwhile and everything loaded is then frozen (``gc.freeze``): a
        collection in a forked process would otherwise write to every object's header and copy
        the pages it shares with the arbiter (the CPython documentation's recipe for fork)."""
        from .app import create_app

        gc.disable()
        try:
            app = create_app(self.site)  # no keeper: the arbiter forks it
            self.site.warm()
            self.site.after_fork()  # nothing open that a forked process could share by mistake
            gc.collect()
            gc.freeze()
        finally:
            gc.enable()
        return app

    def run(self):
        Arbiter(self).run()


def _after_fork(server, worker) -> None:
    """A new worker: its own database connections (none are shared across fork), its name."""
    _name_process(WORKER_NAME)
    server.app.site.after_fork()


def _warm(worker) -> None:
    from .app import warm

    warm(worker.wsgi)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def serve_debug(site) -> None:
    """``kb serve --debug``: Flask's development server, the keeper as a thread."""
    from .app import create_app

    site.start_keeper()
    create_app(site).run(host=site.config.host, port=site.config.port, debug=True, use_reloader=False)


def serve(site, workers: int | None = None, config_file: str | None = None) -> None:
    """``site``: the application.Site (or its Config) to serve."""
    Application(site, workers, config_file).run()
