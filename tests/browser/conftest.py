"""Browser tests: the real site served by `kb serve` in a subprocess, driven in Debian's
Chromium through Playwright's Python API (never a downloaded browser)."""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import CONTENT, REPO

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"

PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ACCOUNTS = {"editor": "editor-password", "admin": "admin-password"}


def log_in(page, base: str, name: str = "editor", password: str | None = None) -> None:
    """Log in through the login page, as a person does."""
    page.goto(base + "/login")
    page.fill("#name", name)
    page.fill("#password", password or ACCOUNTS[name])
    page.click("form.edit-form button[type=submit]")
    page.wait_for_url(base + "/")


def open_page(browser, site, **options):
    """A page in a fresh context (its own localStorage) with the clipboard allowed."""
    context = browser.new_context(locale="zh-CN", **options)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site[0])
    pg = context.new_page()
    pg.set_default_timeout(15000)
    return pg


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path, prepare=None):
    """`kb serve` over a private copy of the bundled content under ``root`` (``prepare(content)``
    may change it first), with the editor and admin accounts: (base URL, content folder,
    process)."""
    content = root / "content"
    shutil.copytree(CONTENT, content)
    if prepare is not None:
        prepare(content)
    base, server = launch(root, content, ACCOUNTS)
    return base, content, server


@contextlib.contextmanager
def serving(root: Path, content: Path, accounts: dict, env: dict | None = None):
    """A real `kb serve` over ``content`` with these accounts (name -> password, the role is the
    name's), its instance folder in ``root``; the base URL."""
    base, server = launch(root, content, accounts, env)
    try:
        yield base
    finally:
        stop_server(server)


def launch(root: Path, content: Path, accounts: dict, env: dict | None = None):
    """(base URL, process) of `kb serve` over ``content``, once it answers /healthz."""
    port = _free_port()
    instance = root / "instance"
    env = {**os.environ, "KB_SECRET_KEY": "browser-tests", "KB_INSTANCE_DIR": str(instance), **(env or {})}
    from kb.users import Users

    instance.mkdir()
    users = Users(f"sqlite:///{instance / 'kb.sqlite3'}")  # the accounts `kb user add` would make
    for name, account in accounts.items():  # a password (the role is the name), or (password, role)
        password, role = account if isinstance(account, tuple) else (account, name)
        users.add(name, password, role)
    users.close()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--content", str(content), "--index", str(root / "index"),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=open(root / "server.log", "w"), stderr=subprocess.STDOUT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise AssertionError("server did not start:\n" + (root / "server.log").read_text())
        time.sleep(0.2)
    return base, server


def stop_server(server) -> None:
    server.terminate()
    server.wait(10)


def _with_an_alias(content: Path) -> None:
    alias_target = content / "guides" / "ten-awareness.md"
    text = alias_target.read_text(encoding="utf-8").replace("aliases: []", "aliases: [ten-consciousness]", 1)
    alias_target.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """(base URL, content folder) of a running server over a private copy of the content."""
    base, content, server = start_server(tmp_path_factory.mktemp("site"), _with_an_alias)
    yield base, content
    stop_server(server)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed; .ci/test installs it")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


def _page_for_a_test(browser, site, options):
    pg = open_page(browser, site, **options)
    yield pg
    pg.context.close()


@pytest.fixture
def page(browser, site):
    """A 1280 px desktop window."""
    yield from _page_for_a_test(browser, site, DESKTOP)


@pytest.fixture
def editor(browser, site):
    """A 1280 px desktop window logged in as an editor."""
    for pg in _page_for_a_test(browser, site, DESKTOP):
        log_in(pg, site[0])
        yield pg


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def phone(browser, site):
    """A 375 px touch screen, as a phone."""
    yield from _page_for_a_test(browser, site, PHONE)


@pytest.fixture(scope="session")
def axe_source():
    """axe-core's script, installed from the npm registry by `npm ci` in tests/browser (.ci/test)."""
    if not AXE.exists():
        message = "axe-core is not installed: run `npm ci --prefix tests/browser` (.ci/test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")
