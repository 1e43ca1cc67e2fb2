"""Search that forgives how people type Chinese, seen through the search page: the issue's
examples (traditional characters, pinyin, a homophone slip, a colloquial word with a synonym)
put the right section in the top three, and an article written in traditional characters is
found by simplified words."""
import re
from urllib.parse import unquote

import pytest

from tests.conftest import write_article
from tests.web.test_indexing import wait_for


def top_three(client, q: str) -> tuple[list[str], str]:
    """The article and section addresses of the first three results (with their 本文还有)."""
    body = client.get(f"/search?q={q}").get_data(as_text=True)
    results = body.split('<ol class="results"')[1].split("</ol>")[0].split('<li class="result">')[1:4]
    links = [unquote(re.sub(r"\?[^#]*", "", link)) for r in results for link in re.findall(r'href="(/a/[^"]+)"', r)]
    return links, body


@pytest.mark.parametrize("q, section", [
    ("保密原則", "/a/office-service-work#安全保密原则"),
    ("baomi", "/a/office-service-work#安全保密原则"),
    ("请视汇报", "/a/office-service-work#请示汇报原则"),
    ("开会", "/a/meeting-preparation"),
])
def test_the_issue_examples_put_the_right_section_in_the_top_three(anonymous, q, section):
    links, body = top_three(anonymous, q)
    assert section in links, links
    if q == "baomi":
        assert "没有找到“baomi”，下面是“保密”的结果" in body
    if q == "请视汇报":
        assert "您是不是要找：<a" in body and "请示汇报</a>" in body
    if q == "开会":
        assert "同义词：会议" in body or "开会" in body


def test_an_article_in_traditional_characters_is_found_by_simplified_words(anonymous, content_dir):
    write_article(content_dir, "guides/hk-rules.md", "## 一、來訪接待規範\n\n來訪賓客須提前登記，會議室鑰匙由辦公室統一保管。\n",
                  slug="hk-rules", title="香港辦事處來訪接待規範")
    assert any(r["slug"] == "hk-rules" for r in wait_for(anonymous, "宾客"))  # indexed (宾客: only there)
    links, body = top_three(anonymous, "钥匙统一保管")
    assert links[0] == "/a/hk-rules#來訪接待規範", links
    assert "香港辦事處來訪接待規範" in body and "<mark>鑰匙</mark>" in body  # shown as written
