"""Bounded work per request (issue 9.1), through the site."""
import json
import time

from tests.conftest import write_article
from tests.serving import Server
from search.results import INCOMPLETE_NOTE


def test_a_search_out_of_time_tells_the_reader(client, monkeypatch):
    from search.interface import Query

    monkeypatch.setattr(Query, "until", lambda self, budget_ms: time.monotonic() - 1)  # the budget is spent
    page = client.get("/search?q=保密 会议 请示 汇报 接待&limit=7").get_data(as_text=True)
    assert INCOMPLETE_NOTE in page
    assert "找到" in page and 'class="result"' in page  # with what it found


def test_the_210_kb_section_of_one_word_answers_whole_through_the_server(content_dir, tmp_path):
    """The request of issue 9 that took 33 s: a section of 「接待 」 repeated for 210 KB answers,
    complete and with the article, through the real server. (That the snippet's work is bounded
    is counted, not timed, in tests/search/test_highlight.py; speed is measured in bench/.)"""
    write_article(content_dir, "guides/big-reception.md", "## 接待\n\n" + "接待 " * 30_000 + "\n", slug="big-reception")
    assert (content_dir / "guides" / "big-reception.md").stat().st_size > 210_000
    server = Server(content_dir, tmp_path / "index", tmp_path / "server.log")
    try:
        server.wait_ready()
        for limit in range(10, 18):  # other limits: each a search of its own, not a cached answer
            status, body = server.get(f"/api/search?q=接待&limit={limit}")
            data = json.loads(body)
            assert status == 200 and data["total"] >= 1 and "incomplete" not in data
            hit = next(r for r in data["results"] if r["slug"] == "big-reception")
            assert hit["snippet"].count("<mark>") <= 40  # a window of the section, not all of it
    finally:
        server.stop()
