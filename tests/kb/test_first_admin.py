"""A newcomer's first hour, as the README has it: `.venv/bin/kb serve` in a fresh folder prints
how to add the first admin; that command, copied as printed into another terminal of the same
folder, makes an account the running site logs in with. `kb` itself is not on their PATH."""
import http.cookiejar
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.conftest import CONTENT
from tests.serving import free_port

KB = Path(sys.executable).with_name("kb")  # the console script pip installed beside this Python


def newcomer(tmp_path) -> tuple[Path, dict]:
    """A folder like a fresh clone (``content/`` and ``.venv/bin/kb``), and a shell environment
    whose PATH has no `kb` and whose user data folder is new."""
    folder = tmp_path / "clone"
    shutil.copytree(CONTENT, folder / "content")
    (folder / ".venv" / "bin").mkdir(parents=True)
    (folder / ".venv" / "bin" / "kb").symlink_to(KB)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if not (Path(p) / "kb").exists())
    env = {**os.environ, "PATH": path, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for name in [n for n in env if n.startswith("KB_")]:
        del env[name]
    return folder, env


def wait_for(log: Path, pattern: str, process, seconds: float = 90) -> re.Match:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text(encoding="utf-8"), re.M)
        if found:
            return found
        assert process.poll() is None, log.read_text(encoding="utf-8")
        time.sleep(0.1)
    raise AssertionError(log.read_text(encoding="utf-8"))


def log_in(base: str, name: str, password: str) -> str:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf": token, "name": name, "password": password}).encode()
    return opener.open(base + "/login", data=form).read().decode()


def test_the_printed_hint_copied_as_it_stands_makes_the_first_admin(tmp_path):
    folder, env = newcomer(tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    server = subprocess.Popen([".venv/bin/kb", "serve", "--port", str(port), "--workers", "1"], cwd=folder, env=env,
                              stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        hint = wait_for(log, r"^  (\S.*user add.*)$", server).group(1)
        assert hint == ".venv/bin/kb user add admin --role admin"
        assert "还没有账号" in log.read_text(encoding="utf-8")
        wait_for(log, r"http://127\.0\.0\.1:\d+/", server)
        added = subprocess.run(shlex.split(hint), cwd=folder, env=env, input="first-admin-pw\n",
                               capture_output=True, text=True, timeout=60)
        assert added.returncode == 0, added.stderr
        assert "已添加用户 admin（管理员）" in added.stdout
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
                time.sleep(0.2)
        home = log_in(base, "admin", "first-admin-pw")
        assert 'class="account-name">admin<' in home and "用户名或密码不对" not in home
    finally:
        os.killpg(server.pid, 15)
        server.wait(20)


def test_the_hint_for_another_content_folder_names_that_folder(tmp_path):
    folder, env = newcomer(tmp_path)
    other = tmp_path / "other"
    shutil.copytree(CONTENT, other)
    port = free_port()
    log = tmp_path / "serve.log"
    server = subprocess.Popen([".venv/bin/kb", "serve", "--content", str(other), "--port", str(port), "--workers", "1"],
                              cwd=folder, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        hint = wait_for(log, r"^  (\S.*user add.*)$", server).group(1)
        assert hint == f".venv/bin/kb user add admin --role admin --content {other}"
        listed = subprocess.run(shlex.split(hint.replace("user add admin --role admin", "user list")), cwd=folder,
                                env=env, capture_output=True, text=True, timeout=60)
        assert listed.returncode == 0 and listed.stdout == ""
        assert f"内容目录 {other} 还没有账号" in listed.stderr
        assert str(tmp_path / "data" / "office-kb") in listed.stderr  # where this folder's accounts are kept
    finally:
        os.killpg(server.pid, 15)
        server.wait(20)


def test_the_hint_names_kb_as_the_shell_finds_it(monkeypatch, tmp_path):
    from cli.invocation import program

    monkeypatch.setattr(sys, "argv", [str(KB), "serve"])
    monkeypatch.setenv("PATH", str(KB.parent))
    assert program() == "kb"  # `kb` on the PATH is this very program
    monkeypatch.setenv("PATH", str(tmp_path))
    assert program() == str(KB)  # not on the PATH: the path it was started by
    other = tmp_path / "kb"
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    assert program() == str(KB)  # another `kb` on the PATH is not this one


def test_serving_the_bundled_content_leaves_git_status_clean():
    """The site's lock folder in content/ showed up as untracked after a newcomer's first start."""
    from tests.conftest import REPO

    for made in ("content/.kb-locks/content-changed", "content/guides/office-service-work.md.saving"):
        ignored = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", made])
        assert ignored.returncode == 0, made
