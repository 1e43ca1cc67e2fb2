"""Serving the site for real: gunicorn, one threaded worker process per core, and the index
keeper in a process of its own.

- Workers share the index on disk; each follows new index versions by itself (search.engine).
  A worker never writes the index except to make a save from its editor searchable at once
  (the writer lock keeps one writer at a time).
- The keeper (``kb index --watch``) builds the index at start if needed and re-indexes what the
  file watcher reports. It is started by the arbiter, restarted if it dies, and dies with the
  arbiter (``PR_SET_PDEATHSIG``), as do the workers (gunicorn's parent check): a killed server
  leaves nothing behind holding the port or the index lock.
- Idle and slow clients cannot exhaust the threads: a new connection waits for its first bytes
  in the event loop, not in a thread, and a request or response that stalls times out.
- A query typed into a script as raw UTF-8 works, as in a browser.
"""
from __future__ import annotations

import contextlib
import gc
import logging
import os
import re
import selectors
import signal
import socket
import struct
import time
from functools import partial

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter as GunicornArbiter
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser
from gunicorn.workers.gthread import TConn, ThreadWorker

from kb.config import Config

log = logging.getLogger(__name__)

FIRST_BYTES = 10.0  # seconds a new connection may take to begin its request
STALL = 30.0  # seconds a request may take to arrive, or a response to be taken, without progress
THREADS = 8


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


class Worker(ThreadWorker):
    """gunicorn's threaded worker, except that a new connection waits for its request in the
    event loop (with the pending connections) rather than holding a thread for five seconds:
    a hundred idle connections from one client no longer lock everyone out.

    A worker dies with the arbiter: gunicorn's own check of the parent runs only once the
    worker has loaded the app (seconds) and then lets it drain for up to ten; killed meanwhile,
    the server left workers holding the port. SIGQUIT is gunicorn's immediate stop: requests
    in flight finish, nothing new is taken."""

    def init_process(self):
        _die_with_parent(self.ppid, signal.SIGQUIT)
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
        conn.timeout = time.monotonic() + FIRST_BYTES
        self.pending_conns.append(conn)
        self.poller.register(client, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))


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
        settings = {
            "bind": f"{config.host}:{config.port}",
            "workers": self.workers,
            "worker_class": "web.server.Worker",
            "threads": THREADS,
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
