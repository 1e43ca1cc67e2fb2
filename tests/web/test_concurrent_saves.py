"""Two people saving at the same moment, through real HTTP requests to the running app
(issue 8.5): one save lands, the other gets the conflict page with its text; never a 500,
never a silent loss."""
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server

from tests.web.conftest import PASSWORDS

ROUNDS = 8


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Editor:
    """One person with their own browser session, logged in as an editor."""

    def __init__(self, base: str, name: str = "editor"):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect)
        status, _ = self.post("/login", {**self.open_form("/login"), "name": name, "password": PASSWORDS[name]})
        assert status == 303

    def open_form(self, url: str) -> dict:
        page = self.opener.open(self.base + url).read().decode("utf-8")
        return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page))

    def post(self, url: str, fields: dict) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        try:
            response = self.opener.open(self.base + url, data=data)
            return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def at_once(*calls):
    """Run the calls in threads released together; return their results in order."""
    gate = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        gate.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_simultaneous_edits_of_one_article_one_lands_the_other_keeps_its_text(server, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    editors = [Editor(server), Editor(server)]
    for n in range(ROUNDS):
        forms = [e.open_form("/a/ten-awareness/edit") for e in editors]
        base = path.read_text(encoding="utf-8")
        texts = [f"{base}\n第 {n} 轮，第 {i} 位编辑的修改。\n" for i in range(2)]
        results = at_once(*[lambda e=e, f=f, t=t: e.post("/a/ten-awareness/edit", {**f, "text": t})
                            for e, f, t in zip(editors, forms, texts)])
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 303], (n, statuses)
        winner = next(i for i, (status, _) in enumerate(results) if status == 303)
        loser_page = results[1 - winner][1]
        assert "已被别人修改" in loser_page and f"第 {n} 轮，第 {1 - winner} 位编辑的修改。" in loser_page
        assert f"第 {n} 轮，第 {winner} 位编辑的修改。" in path.read_text(encoding="utf-8")
    assert not list(path.parent.glob(".*.saving"))


def test_simultaneous_new_articles_with_one_slug_one_lands_the_other_is_told(server, content_dir):
    editors = [Editor(server), Editor(server)]
    for n in range(ROUNDS):
        forms = [e.open_form("/new") for e in editors]
        fields = [{**f, "title": f"新文章 {n}-{i}", "slug": f"same-new-{n}", "type": "guide", "category": "测试",
                   "summary": "同时新建。", "body": f"## 一、正文\n\n第 {i} 位编辑写的。\n"} for i, f in enumerate(forms)]
        results = at_once(*[lambda e=e, f=f: e.post("/new", f) for e, f in zip(editors, fields)])
        assert sorted(status for status, _ in results) == [200, 303], n
        winner = next(i for i, (status, _) in enumerate(results) if status == 303)
        loser_page = results[1 - winner][1]
        assert "没有保存" in loser_page and "已被" in loser_page and f"第 {1 - winner} 位编辑写的。" in loser_page
        saved = (content_dir / "guides" / f"same-new-{n}.md").read_text(encoding="utf-8")
        assert f"第 {winner} 位编辑写的。" in saved
