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

import logging
import os
import re
import selectors
import signal
import socket
import struct
import subprocess
import sys
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


class Arbiter(GunicornArbiter):
    """gunicorn's arbiter, also minding the index keeper process."""

    keeper: subprocess.Popen | None = None

    def start(self):
        super().start()
        self._start_keeper()

    def _start_keeper(self) -> None:
        """``kb index --watch`` with the server's settings: its configuration file, and the
        folders as the server resolved them (a flag given to ``kb serve`` included)."""
        config: Config = self.app.kb_config
        command = [sys.executable, "-m", "cli", "index", "--watch", "--quiet",
                   "--content", str(config.content_dir), "--index", str(config.index_path)]
        env = {**os.environ, "KB_INSTANCE_DIR": str(config.instance_path)}
        if self.app.config_file:
            env["KB_CONFIG"] = str(self.app.config_file)
        self.keeper = subprocess.Popen(command, env=env, preexec_fn=partial(_die_with_parent, os.getpid()))

    def manage_workers(self):
        super().manage_workers()
        if self.keeper is not None and self.keeper.poll() is not None:
            log.warning("索引维护进程已退出（%s），正在重新启动", self.keeper.returncode)
            self._start_keeper()

    def halt(self, reason=None, exit_status=0):
        self._stop_keeper()
        super().halt(reason, exit_status)

    def _stop_keeper(self) -> None:
        keeper, self.keeper = self.keeper, None
        if keeper is not None and keeper.poll() is None:
            keeper.terminate()
            try:
                keeper.wait(10)
            except subprocess.TimeoutExpired:
                keeper.kill()


class Application(BaseApplication):
    def __init__(self, config: Config, workers: int | None = None, config_file: str | None = None):
        self.kb_config = config
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
            "post_worker_init": _warm,
        }
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self):
        from .app import create_app
        from application import Site

        return create_app(Site(self.kb_config))  # no keeper: the arbiter runs it as a process

    def run(self):
        Arbiter(self).run()


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


def serve(config: Config, workers: int | None = None, config_file: str | None = None) -> None:
    Application(config, workers, config_file).run()
