"""Best bets (推荐答案, issue 20) through the real site: an editor pins a result from the results
page or a query from 搜索统计; it shows first, marked, for that query and queries meaning the same;
the pins are listed, editable and versioned; a pin whose target is deleted, renamed or gone is
reported on the pins page and by `kb check`; a reader never gets a pin they may not see."""
import re
import subprocess
import sys

from application.access import Access
from kb.pins import FILE, parse, with_pin
from search.interface import Scope
from tests.conftest import write_article
from tests.web.conftest import token
from tests.web.test_analytics import page

PIN_FORM = re.compile(r'<form method="post" action="/pins/add" class="inline-form pin-form">(.*?)</form>', re.S)


def _pin_from_results(client, query, nth=0):
    """Press 「设为推荐答案」 on the ``nth`` result of ``query``, as an editor does."""
    _, body = page(client, f"/search?q={query}")
    form = PIN_FORM.findall(body)[nth]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    response = client.post("/pins/add", data={k: v.replace("&amp;", "&") for k, v in fields.items()})
    assert response.status_code == 303, response.get_data(as_text=True)
    return fields["target"]


def _first(client, query):
    return client.get(f"/api/search?q={query}").get_json()["results"][0]


def test_a_result_pinned_from_the_results_page_comes_first_for_its_query_and_its_variants(client, anonymous, site):
    before = [r["slug"] for r in client.get("/api/search?q=写材料").get_json()["results"]]
    target = _pin_from_results(client, "写材料", nth=3)
    slug = target.split("#")[0]
    assert before.index(slug) > 0
    for variant in ("写材料", "材料 写", "寫材料"):
        first = _first(anonymous, variant)
        assert (first["slug"], first["pinned"]) == (slug, True), variant
    _, body = page(anonymous, "/search?q=材料%20写")
    assert re.search(r'<li class="result result-pinned">\s*<div class="result-meta"><span class="badge badge-pinned">推荐</span>', body)
    assert body.count(f'href="/a/{slug}?') == 1  # once, at the top
    assert "设为推荐答案" not in body  # readers get no editing buttons
    text = (site.store.root / FILE).read_text(encoding="utf-8")
    assert f"写材料 -> {target}" in text
    assert site.history.log(FILE, limit=1)[0].message.startswith("推荐答案：写材料")


def test_the_pins_page_lists_edits_and_reports_a_pin_whose_target_is_gone(client, site):
    site.best_bets.pin("接待", "visitor-reception#接待后", site_author())
    site.best_bets.pin("值班", "no-such-article", site_author())
    _, body = page(client, "/pins")
    rows = body.split('id="pins-h"')[1].split('id="edit-pins-h"')[0]
    assert "来访接待清单 › 接待后" in rows and "正常" in rows
    assert "⚠ 没有这篇文章" in rows
    text = site.best_bets.text()[0]
    response = client.post("/pins", data={"csrf": token(client, "/pins"), "digest": site.best_bets.text()[1],
                                          "text": text.replace("值班 -> no-such-article", "值班 -> director-daily-weekly#每日值班与突发事件"),
                                          "message": "改正值班的推荐"})
    assert response.status_code == 303
    assert _first(client, "值班")["url"] == "/a/director-daily-weekly#每日值班与突发事件"
    broken = client.post("/pins", data={"csrf": token(client, "/pins"), "digest": site.best_bets.text()[1],
                                        "text": "这一行没有箭头\n", "message": ""})
    assert broken.status_code == 400 and "这一行缺少箭头" in broken.get_data(as_text=True)
    assert "值班 -> director-daily-weekly" in site.best_bets.text()[0]  # a failed save changes nothing


def test_the_analytics_rows_offer_to_pin_an_answer(client):
    page(client, "/search?q=会议纪要怎么写")
    _, body = page(client, "/analytics")
    link = re.search(r'href="(/pins\?add=[^"]+)">设推荐答案</a>', body).group(1)
    form = page(client, link.replace("&amp;", "&"))[1]
    assert 'id="pin-query" name="query" value="会议纪要怎么写"' in form


def test_a_pin_to_a_deleted_renamed_or_vanished_target_is_reported_by_kb_check(content_dir, site):
    write_article(content_dir, "guides/renamed.md", "## 一节\n\n正文。\n", slug="new-name", title="改了名的文章",
                  aliases="[old-name]")
    write_article(content_dir, "guides/old-rule.md", "## 一节\n\n旧规定。\n", slug="old-rule", title="旧规定",
                  status="repealed", superseded_by="new-name")
    article = site.catalog().get("office-director-coordination")
    assert site.delete(article, _digest(site, article),
                       site_author(), reason="合并").done
    text = ""
    for query, target in (("协调", "office-director-coordination"), ("改名", "old-name"),
                          ("小节", "meeting-preparation#没有这一节"), ("会后", "meeting-preparation#会后"),
                          ("旧规", "old-rule")):
        text = with_pin(text, query, target)
    (content_dir / FILE).write_text(text, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "cli", "check", "--content", str(content_dir)],
                         capture_output=True, text=True, timeout=120)
    lines = [line for line in out.stdout.splitlines() if FILE in line]
    assert any("推荐答案“协调”" in line and "删除（合并）" in line for line in lines), out.stdout
    assert any("推荐答案“改名”" in line and "已改名为 new-name" in line for line in lines)
    assert any("推荐答案“小节”" in line and "没有锚点为 没有这一节 的小节" in line for line in lines)
    assert any("推荐答案“旧规”" in line and "已废止，由 new-name 代替" in line for line in lines)
    assert not any("“会后”" in line for line in lines)
    assert len(parse(text)[0]) == 5


def test_a_pinned_article_a_reader_may_not_see_is_not_shown_to_them(app, site):
    class HideChecklists:
        def allows(self, meta, reader):
            return meta.get("type") != "checklist" or reader.at_least("editor")

        def scope(self, reader):
            return Scope() if reader.at_least("editor") else Scope(hide={"type": ("checklist",)})

    site.access = Access([HideChecklists()])
    site.best_bets.pin("保密", "confidentiality", site_author())
    from application.access import ANONYMOUS, Reader
    from search.interface import Query

    editor = site.search_page(Query("保密"), record=False, reader=Reader("editor", "editor")).result
    assert editor.hits[0].slug == "confidentiality" and editor.hits[0].pinned
    reader = site.search_page(Query("保密"), record=False, reader=ANONYMOUS).result
    assert "confidentiality" not in [h.slug for h in reader.hits] and not any(h.pinned for h in reader.hits)


def site_author():
    from kb.history import Author

    return Author("编辑", "editor@example.cn")


def _digest(site, article):
    import hashlib

    return hashlib.sha1((site.store.root / article.rel_path).read_bytes()).hexdigest()
