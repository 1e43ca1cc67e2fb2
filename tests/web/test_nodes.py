"""Two nodes of one site, as an organisation runs them behind a load balancer: two real `kb serve`
processes on loopback, each with its own content folder cloned from one shared (bare) git
repository, its own index and instance folder, and one real PostgreSQL database for accounts,
sessions, login limits, the search log and the site's key (.ci/test starts PostgreSQL and sets
KB_TEST_POSTGRES_URL; this module makes a database of its own and drops it).

Asserted is what people meet, never how fast: a save on one node is found through the other, two
editors saving one article on the two nodes at once get one save and one conflict page with the
text kept, a node that cannot reach the shared repository says so, and a node killed in the
middle of saving loses nothing and catches up when it returns."""
import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time
import uuid

import pytest

from tests.serving import Server, children, free_port, kill_all
from tests.web.conftest import PASSWORDS
from tests.web.test_concurrent_saves import Editor, at_once

URL = os.environ.get("KB_TEST_POSTGRES_URL", "")
PATIENCE = 90  # seconds to wait for something that must happen (a shared, loaded machine is slow)


def git(folder, *args) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout.strip()


def eventually(check, what: str, seconds: float = PATIENCE):
    """``check()``'s first truthy value; fails naming ``what`` when it never comes."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def in_step(bare, a, b) -> None:
    """Wait until both nodes have the shared repository's last commit."""
    head = git(bare, "rev-parse", "main")
    eventually(lambda: git(a.content, "rev-parse", "HEAD") == head == git(b.content, "rev-parse", "HEAD"),
               "both nodes have the shared repository's last commit")


@pytest.fixture(scope="module")
def database():
    """A database of this module's own on the PostgreSQL of KB_TEST_POSTGRES_URL (parallel runs
    do not collide), dropped afterwards."""
    if not URL:
        if os.environ.get("CI"):
            pytest.fail("KB_TEST_POSTGRES_URL is not set: .ci/test starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL (set KB_TEST_POSTGRES_URL=postgresql+psycopg://user:pw@host/db)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kb_nodes_{uuid.uuid4().hex[:10]}"
    admin = create_engine(URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Node:
    """One machine of the site: its clone, index, instance folder and `kb serve`."""

    def __init__(self, name: str, root, remote, database: str, port: int | None = None, sync_seconds: int = 2):
        self.name, self.root = name, root
        root.mkdir(parents=True, exist_ok=True)
        self.content = root / "content"
        self.env = {"KB_CONTENT_REMOTE": str(remote), "KB_DATABASE_URL": database, "KB_SYNC_SECONDS": str(sync_seconds),
                    "KB_INSTANCE_DIR": str(root / "instance"), "KB_SECRET_KEY": ""}
        self.port = port or free_port()
        self.server: Server | None = None

    def start(self) -> "Node":
        self.server = Server(self.content, self.root / "index", self.root / "server.log", workers=1, env=self.env,
                             port=self.port)
        self.server.wait_ready(180)
        return self

    def get(self, path: str) -> tuple[int, str]:
        status, body = self.server.get(path, timeout=30)
        return status, body.decode("utf-8", "replace")

    def health(self) -> dict:
        return json.loads(self.get("/healthz")[1])

    def finds(self, word: str) -> list[str]:
        status, body = self.get(f"/api/search?q={word}")
        return [hit["slug"] for hit in json.loads(body)["results"]] if status == 200 else []

    def kill(self) -> None:
        """kill -9 of `kb serve` and everything it started, as a machine's crash would."""
        rest = children(self.server.process.pid)
        os.kill(self.server.process.pid, signal.SIGKILL)
        self.server.process.wait()
        kill_all(rest)

    def stop(self) -> None:
        if self.server is not None and self.server.process.poll() is None:
            rest = children(self.server.process.pid)
            self.server.stop()
            kill_all(rest)


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, database):
    """(bare repository, node a, node b): a started with the bundled articles and filled the
    empty shared repository; b started from nothing and cloned it. b looks at the shared
    repository of its own accord only once an hour: whatever it takes from a, it takes because a
    told it (PostgreSQL NOTIFY), at a save and at a's restart."""
    from tests.conftest import CONTENT

    from kb.users import Users

    base = tmp_path_factory.mktemp("nodes")
    bare = base / "shared.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    users = Users(database)
    users.add("editor", PASSWORDS["editor"], "editor")
    users.close()
    a, b = Node("a", base / "a", bare, database), Node("b", base / "b", bare, database, sync_seconds=3600)
    shutil.copytree(CONTENT, a.content)
    try:
        a.start()
        b.start()
        yield bare, a, b
    finally:
        a.stop()
        b.stop()


class Visitor(Editor):
    """A browser of its own, not logged in."""

    def __init__(self, base: str):
        import http.cookiejar
        import urllib.request

        from tests.web.test_concurrent_saves import NoRedirect

        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect)

    def log_in(self, name: str, password: str) -> tuple[int, str]:
        return self.post("/login", {**self.open_form("/login"), "name": name, "password": password})


def _edit(editor: Editor, slug: str, add: str, message: str = "") -> tuple[int, str]:
    """Open the article's source (front matter and body in one box) and save it with ``add``."""
    fields = editor.open_form(f"/a/{slug}/edit?mode=source")
    page = editor.opener.open(editor.base + f"/a/{slug}/edit?mode=source").read().decode("utf-8")
    import html
    import re

    text = html.unescape(re.search(r'<textarea id="text" name="text"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    text = text.lstrip("\n")
    assert text.startswith("---\n"), "not the article's source"
    return editor.post(f"/a/{slug}/edit", {**fields, "text": text + f"\n{add}\n", "message": message or add})


def test_the_second_node_is_a_clone_and_sessions_work_on_both(nodes):
    bare, a, b = nodes
    assert git(b.content, "rev-parse", "HEAD") == git(bare, "rev-parse", "main") == git(a.content, "rev-parse", "HEAD")
    editor = Editor(a.server.base)  # logged in on a; the key and the session are the site's, not a node's
    page = editor.opener.open(b.server.base + "/new").read().decode("utf-8")
    assert 'name="title"' in page
    assert a.health()["status"] == b.health()["status"] == "ok"


def test_login_limits_count_across_the_nodes(nodes, database):
    """Failed logins are counted in the shared database: trying on the other node does not start afresh."""
    from kb.users import Users

    bare, a, b = nodes
    users = Users(database)
    users.add("limited", "limited-password", "editor")
    users.close()
    for node in (a, b, a, b, a):
        status, _ = Visitor(node.server.base).log_in("limited", "wrong-password")
        assert status == 401
    status, page = Visitor(b.server.base).log_in("limited", "limited-password")
    assert status == 429 and "登录失败的次数过多" in page


def test_a_save_on_one_node_is_found_through_the_other(nodes):
    bare, a, b = nodes
    status, _ = _edit(Editor(a.server.base), "ten-awareness", "节点甲保存的词语乾坤坎离。")
    assert status == 303
    assert "ten-awareness" in eventually(lambda: b.finds("乾坤坎离"), "b finds a's save")
    assert "乾坤坎离" in b.get("/a/ten-awareness")[1]
    assert "乾坤坎离" in git(bare, "show", "main:guides/ten-awareness.md")
    # the search log of both nodes is one (analytics in the shared database)
    b.get("/search?q=乾坤坎离")
    a.get("/search?q=乾坤坎离")


def test_two_nodes_saving_one_article_at_once_one_lands_the_other_keeps_its_text(nodes):
    bare, a, b = nodes
    on_a, on_b = Editor(a.server.base), Editor(b.server.base)
    for n in range(3):
        in_step(bare, a, b)
        forms = [e.open_form("/a/ten-awareness/edit") for e in (on_a, on_b)]
        assert forms[0]["digest"] == forms[1]["digest"]
        base = (a.content / "guides" / "ten-awareness.md").read_text(encoding="utf-8")
        texts = [f"{base}\n第 {n} 轮，节点{who}的修改。\n" for who in "甲乙"]
        results = at_once(*[lambda e=e, f=f, t=t: e.post("/a/ten-awareness/edit", {**f, "text": t})
                            for e, f, t in zip((on_a, on_b), forms, texts)])
        assert sorted(status for status, _ in results) == [200, 303], [s for s, _ in results]
        winner = next(i for i, (status, _) in enumerate(results) if status == 303)
        loser = results[1 - winner][1]
        assert "已被别人修改" in loser and f"第 {n} 轮，节点{'甲乙'[1 - winner]}的修改。" in loser
        shared = git(bare, "show", "main:guides/ten-awareness.md")
        assert f"节点{'甲乙'[winner]}的修改。" in shared.split(f"第 {n} 轮，")[-1]
        assert f"第 {n} 轮，节点{'甲乙'[1 - winner]}" not in shared
        for node in (a, b):
            eventually(lambda node=node: f"第 {n} 轮，节点{'甲乙'[winner]}" in node.get("/a/ten-awareness")[1],
                       f"node {node.name} shows the save that landed")


def test_two_editors_creating_an_article_each_on_the_two_nodes_at_once_both_land(nodes):
    """Both nodes number their new article with the next free number on the same new line of
    _addresses.yaml. Neither editor gets the conflict page, and no article is left behind on its
    node: the one that lands second gets the number after, and each number leads to its own
    article through either node."""
    from kb.addresses import parse

    bare, a, b = nodes
    on_a, on_b = Editor(a.server.base), Editor(b.server.base)
    for n in range(3):
        in_step(bare, a, b)
        forms = [e.open_form("/new") for e in (on_a, on_b)]
        slugs = [f"new-{n}-{who}" for who in "ab"]
        fields = [{**f, "title": f"第 {n} 轮新文章{who}", "slug": slug, "type": "guide", "category": "测试",
                   "summary": "两个节点同时新建。", "body": f"## 正文\n\n第 {n} 轮，节点{who}新建。\n"}
                  for f, slug, who in zip(forms, slugs, "甲乙")]
        results = at_once(*[lambda e=e, f=f: e.post("/new", f) for e, f in zip((on_a, on_b), fields)])
        assert [status for status, _ in results] == [303, 303], [body[:300] for _, body in results]
        shared = eventually(lambda: (lambda r: r if all(s in r.by_slug for s in slugs) else None)(
            parse(git(bare, "show", "main:_addresses.yaml"))[0]), "both new articles in the shared registry")
        numbers = [shared.by_slug[slug].number for slug in slugs]
        assert numbers[0] != numbers[1]
        for node in (a, b):
            for field, number in zip(fields, numbers):
                eventually(lambda node=node, title=field["title"], number=number: title in node.get(f"/k/{number}")[1],
                           f"node {node.name} leads /k/{number} to 「{field['title']}」")


def test_a_node_that_cannot_reach_the_shared_repository_says_so(nodes, tmp_path):
    bare, a, b = nodes
    away = bare.with_name("away.git")
    bare.rename(away)
    try:
        health = eventually(lambda: (h := a.health())["remote"] and h, "a's /healthz names the shared repository")
        assert health["status"] == "degraded" and "无法连接共享的内容仓库" in health["remote"]
        editor = Editor(a.server.base)
        page = editor.opener.open(a.server.base + "/").read().decode("utf-8")
        assert "与其他服务器的内容没有同步" in page
        status, page = _edit(editor, "ten-awareness", "断开时在节点甲保存的一句。")
        assert status == 303  # the save stands on this node
    finally:
        away.rename(bare)
    eventually(lambda: a.health()["remote"] is None, "a is in step again")
    assert "断开时在节点甲保存的一句" in git(bare, "show", "main:guides/ten-awareness.md")
    eventually(lambda: "断开时在节点甲保存的一句" in b.get("/a/ten-awareness")[1], "b has the save a kept")


def test_a_node_killed_while_saving_loses_nothing_and_catches_up_when_it_returns(nodes):
    bare, a, b = nodes
    rng = random.Random(int(os.environ.get("KB_KILL_SEED", "21")))
    editor = Editor(a.server.base)
    saving = threading.Thread(target=lambda: _safe(lambda: _edit(editor, "ten-awareness", "被打断的保存：甲子乙丑。")))
    saving.start()
    time.sleep(rng.uniform(0.0, 0.4))
    a.kill()
    saving.join(60)
    # while a is down: b saves, and a's folder holds what a crash leaves (a file written, not committed)
    assert _edit(Editor(b.server.base), "meeting-preparation", "节点甲不在时节点乙保存的丙寅丁卯。")[0] == 303
    stray = a.content / "guides" / "written-before-the-crash.md"
    stray.write_text("---\ntitle: 崩溃前写下的文章\nslug: written-before-the-crash\ntype: guide\ncategory: 测试\n"
                     "summary: 测试。\n---\n\n正文里有戊辰己巳。\n", encoding="utf-8")
    written = "甲子乙丑" in (a.content / "guides" / "ten-awareness.md").read_text(encoding="utf-8")
    a.start()
    assert "meeting-preparation" in eventually(lambda: a.finds("丙寅丁卯"), "a catches up with b's save")
    assert "written-before-the-crash" in eventually(lambda: b.finds("戊辰己巳"), "b finds what a had written")
    if written:  # the interrupted save reached the file: it reaches the shared repository and b too
        eventually(lambda: "甲子乙丑" in git(bare, "show", "main:guides/ten-awareness.md"), "a's interrupted save is shared")
        eventually(lambda: "ten-awareness" in b.finds("甲子乙丑"), "b finds a's interrupted save")
    assert git(a.content, "status", "--porcelain") == ""


def _safe(call):
    try:
        return call()
    except OSError:  # the node died under the request
        return None
