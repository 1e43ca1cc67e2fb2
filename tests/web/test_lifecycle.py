"""Guidelines that live, over HTTP: search leaves repealed articles out unless asked (and says how
many match), a document number finds its article however typed, drafts stay hidden, pages say
what replaced what, 待复审 with its actions and feed, delete, and the text in force on a day."""
import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import write_article
from tests.web.conftest import log_in

TODAY = dt.date.today()
SOON = (TODAY + dt.timedelta(days=60)).isoformat()
ATOM = "{http://www.w3.org/2005/Atom}"


def write_rules(content_dir):
    """A repealed rule and its replacement, a trial rule taking effect in 60 days, a draft, and a
    rule 3 days past its review date (tests/browser/test_lifecycle.py walks them too)."""
    write_article(content_dir, "rules/seal-2019.md", "## 第一条\n\n用印须经办公室主任审批。\n", slug="seal-rules-2019",
                  title="印章管理办法（2019 年）", type="rule", category="行政", tags="[印章]", doc_no="办发〔2019〕7号",
                  status="废止", effective="2019-03-01", repealed_on="2024-07-01", superseded_by="seal-rules")
    write_article(content_dir, "rules/seal.md", "## 第一条\n\n用印须经办公室主任审批并登记。\n", slug="seal-rules",
                  title="印章管理办法", type="rule", category="行政", tags="[印章]", doc_no="办发〔2024〕12号",
                  owner="办公室综合科", effective="2024-07-01", review_by=(TODAY + dt.timedelta(days=300)).isoformat(),
                  supersedes="[seal-rules-2019]")
    write_article(content_dir, "rules/leave.md", "## 第一条\n\n请假一天以内由科长批准。\n", slug="leave-rules",
                  title="请假管理办法", type="rule", category="行政", status="试行", effective=SOON)
    write_article(content_dir, "rules/car.md", "## 第一条\n\n公车使用实行登记。\n", slug="car-rules",
                  title="公务用车办法（征求意见稿）", type="rule", category="行政", status="草稿")
    write_article(content_dir, "rules/docs.md", "## 第一条\n\n公文由秘书科统一收发。\n", slug="document-handling",
                  title="公文处理办法", type="rule", category="行政", owner="秘书科",
                  review_by=(TODAY - dt.timedelta(days=3)).isoformat())


@pytest.fixture
def rules(content_dir):
    write_rules(content_dir)
    return content_dir


def slugs(data) -> list[str]:
    return [r["slug"] for r in data["results"]]


def text(response) -> str:
    return response.get_data(as_text=True)


# --- search -------------------------------------------------------------------------------

def test_default_search_leaves_repealed_articles_out_and_says_how_many_match_too(rules, anonymous):
    data = anonymous.get("/api/search?q=用印").get_json()
    assert slugs(data) == ["seal-rules"] and data["total"] == 1 and data["repealed_hidden"] == 1
    assert "repealed" not in data["facets"]["status"]


def test_a_status_filter_shows_the_repealed_or_every_status(rules, anonymous):
    for url in ("/api/search?q=用印 状态:废止", "/api/search?q=用印 status:repealed", "/api/search?q=用印&status=repealed",
                "/api/search?q=用印&status=废止"):
        data = anonymous.get(url).get_json()
        assert slugs(data) == ["seal-rules-2019"] and "repealed_hidden" not in data, url
    for url in ("/api/search?q=用印 状态:全部", "/api/search?q=用印 status:all", "/api/search?q=用印&status=全部"):
        data = anonymous.get(url).get_json()
        assert set(slugs(data)) == {"seal-rules", "seal-rules-2019"} and data["total"] == 2, url
    listed = anonymous.get("/api/search?status=repealed").get_json()  # a filter alone lists
    assert slugs(listed) == ["seal-rules-2019"]


def test_drafts_stay_hidden_from_readers_whatever_status_is_asked(rules, anonymous, client):
    for url in ("/api/search?q=公车", "/api/search?q=公车 状态:全部", "/api/search?q=公车&status=draft",
                "/api/search?q=公车 状态:草稿", "/api/suggest?q=公务用车"):
        assert "car-rules" not in text(anonymous.get(url)), url
    assert anonymous.get("/a/car-rules").status_code == 404
    assert slugs(client.get("/api/search?q=公车 状态:全部").get_json()) == ["car-rules"]  # editors see drafts


def test_suggestions_leave_repealed_articles_out(rules, anonymous):
    urls = [s["url"] for s in anonymous.get("/api/suggest?q=印章管理").get_json()]
    assert "/a/seal-rules" in urls and "/a/seal-rules-2019" not in urls


@pytest.mark.parametrize("typed", ["办发〔2024〕12号", "办发[2024]12号", "办发【2024】12号", "办发（2024）12号",
                                   "办发〔２０２４〕１２号", "办发〔2024〕第12号", "办发〔2024〕12", "办发 〔2024〕 12 号"])
def test_a_document_number_finds_its_article_exactly_however_typed(rules, anonymous, typed):
    data = anonymous.get("/api/search", query_string={"q": typed}).get_json()
    assert slugs(data) == ["seal-rules"] and data["total"] == 1, typed


def test_a_repealed_rules_number_finds_it_when_the_repealed_are_asked_for(rules, anonymous):
    data = anonymous.get("/api/search", query_string={"q": "办发[2019]7号"}).get_json()
    assert data["total"] == 0 and data["repealed_hidden"] == 1 and "partial" not in data
    asked = anonymous.get("/api/search", query_string={"q": "办发[2019]7号 状态:废止"}).get_json()
    assert slugs(asked) == ["seal-rules-2019"]


def test_the_search_page_says_how_many_repealed_match_and_links_them(rules, anonymous):
    page = text(anonymous.get("/search?q=用印"))
    assert "另有 1 篇已废止的文章也符合" in page
    link = re.search(r'<a href="([^"]+)">查看已废止的文章</a>', page).group(1).replace("&amp;", "&")
    shown = text(anonymous.get(link))
    assert "status=repealed" in link and "印章管理办法（2019 年）" in shown and 'life-repealed">已废止' in shown
    assert "另有" not in shown


def test_results_mark_trial_and_a_future_effective_date(rules, anonymous):
    page = text(anonymous.get("/search?q=请假管理办法"))
    meta = page.split('class="result-meta"', 1)[1].split("</div>", 1)[0]
    assert "试行" in meta and f"将于 {SOON} 起施行" in meta
    hit = next(r for r in anonymous.get("/api/search?q=请假管理办法").get_json()["results"] if r["slug"] == "leave-rules")
    assert hit["status"] == "trial"


# --- pages ----------------------------------------------------------------------------------

def test_a_repealed_rule_says_so_at_the_top_and_links_its_replacement_and_stays_readable(rules, anonymous):
    response = anonymous.get("/a/seal-rules-2019")
    page = text(response)
    assert response.status_code == 200 and "用印须经办公室主任审批" in page
    notice = re.search(r'<p class="life-notice life-repealed"[^>]*>(.*?)</p>', page).group(1)
    assert "本文已于 2024-07-01 废止" in notice and '<a href="/a/seal-rules">《印章管理办法》</a>取代' in notice
    assert page.index("life-notice") < page.index("<h1>")  # at the top
    replacement = text(anonymous.get("/a/seal-rules"))
    assert re.search(r'本文取代了<a href="/a/seal-rules-2019">《印章管理办法（2019 年）》</a>', replacement)


def test_the_header_lists_number_owner_and_dates_and_the_page_offers_a_day(rules, anonymous):
    page = text(anonymous.get("/a/seal-rules"))
    header = page.split('<dl class="meta">', 1)[1].split("</dl>", 1)[0]
    fields = dict(re.findall(r'data-field="(\w+)"><dt>([^<]+)</dt>', header))
    assert fields["doc_no"] == "文号" and fields["owner"] == "责任部门" and fields["effective"] == "施行日期"
    assert fields["review_by"] == "下次复审日期" and "办发〔2024〕12号" in header and "办公室综合科" in header
    assert list(fields)[:4] == ["doc_no", "owner", "effective", "review_by"]  # before author and dates
    assert 'life-current">现行' in page and 'name="on"' in page
    trial = text(anonymous.get("/a/leave-rules"))
    assert f"本文将于 {SOON} 起施行" in trial and "本文为试行版本" in trial and 'life-trial">试行' in trial


def test_related_articles_and_lists_leave_repealed_out_and_lists_link_them(rules, anonymous):
    page = text(anonymous.get("/a/seal-rules"))
    related = page.split('id="related-h"', 1)[1] if 'id="related-h"' in page else ""
    assert "seal-rules-2019" not in related and "document-handling" in related
    listing = text(anonymous.get("/category/行政"))
    assert "/a/seal-rules-2019" not in listing and "另有 1 篇已废止" in listing
    assert "/search?status=repealed&amp;category=" in listing
    assert "seal-rules-2019" not in text(anonymous.get("/browse"))
    assert {a["slug"]: a["status"] for a in anonymous.get("/api/articles").get_json()}["seal-rules-2019"] == "repealed"


# --- in force on a day ------------------------------------------------------------------------

def commit(folder, message, date):
    env = {"GIT_AUTHOR_DATE": f"{date}T10:00:00+08:00", "GIT_COMMITTER_DATE": f"{date}T10:00:00+08:00",
           "GIT_AUTHOR_NAME": "李四", "GIT_AUTHOR_EMAIL": "li@example.cn", "GIT_COMMITTER_NAME": "李四",
           "GIT_COMMITTER_EMAIL": "li@example.cn", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "-C", str(folder), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(folder), "commit", "-q", "-m", message], check=True, env=env)


def test_a_day_shows_the_text_then_in_force_marked_as_not_current(site, anonymous, content_dir):
    write_article(content_dir, "rules/leave.md", "## 第一条\n\n请假一天以内由科长批准。\n", slug="leave-rules",
                  title="请假管理办法", type="rule", effective="2024-01-01")
    commit(content_dir, "第一版", "2024-01-05")
    write_article(content_dir, "rules/leave.md", "## 第一条\n\n请假两天以内由科长批准。\n", slug="leave-rules",
                  title="请假管理办法", type="rule", effective="2025-02-01")
    commit(content_dir, "修订", "2025-01-10")
    site.store.invalidate()
    old = text(anonymous.get("/a/leave-rules?on=2025-01-25"))
    assert "这是本文在 2025-01-25 施行的文本，不是现行文本" in old and "一天以内" in old and "两天以内" not in old
    assert "2024-01-05 李四 保存的版本" in old and '<a href="/a/leave-rules">查看现行文本</a>' in old
    now = text(anonymous.get("/a/leave-rules?on=2025-03-01"))
    assert "2025-03-01 施行的就是本文现在的文本" in now and "两天以内" in now
    assert "2023-06-01 时本文尚未施行（最早的版本自 2024-01-01 起施行）" in text(anonymous.get("/a/leave-rules?on=2023-06-01"))
    bad = anonymous.get("/a/leave-rules?on=2025-13-01")
    assert bad.status_code == 400 and "YYYY-MM-DD" in text(bad)


# --- 待复审 ---------------------------------------------------------------------------------

def _forms(page: str, slug: str) -> dict:
    """The review page's forms for one article: action -> hidden fields."""
    out = {}
    for action, body in re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S):
        if f"/a/{slug}/" in action:
            out[action.rsplit("/", 1)[1]] = dict(re.findall(r'name="(\w+)" value="([^"]*)"', body))
    return out


def test_the_review_page_is_for_editors_grouped_by_owner(rules, app, anonymous, client):
    assert anonymous.get("/review").status_code == 302  # to the login page
    reader = log_in(app.test_client(), "reader")
    assert reader.get("/review").status_code == 403
    page = text(client.get("/review"))
    assert "秘书科" in page and "公文处理办法" in page and "已过期 3 天" in page
    assert "印章管理办法" not in page.split("review-summary", 1)[1]  # due in 300 days
    assert "确认仍然有效" in page and "开始修订" in page


def test_confirming_from_the_review_page_is_one_commit_by_that_editor(rules, client, content_dir):
    forms = _forms(text(client.get("/review")), "document-handling")
    response = client.post("/a/document-handling/review/confirm", data=forms["confirm"])
    assert response.status_code == 303 and response.headers["Location"].endswith("/review")
    page = text(client.get(response.headers["Location"]))
    assert "已确认《公文处理办法》仍然有效" in page and "公文处理办法" not in page.split("review-summary", 1)[1]
    log = subprocess.run(["git", "-C", str(content_dir), "log", "-1", "--format=%an|%s"], capture_output=True, text=True).stdout
    assert log.startswith("editor|确认仍然有效：公文处理办法")
    stale = client.post("/a/document-handling/review/confirm", data=forms["confirm"])  # the digest of before
    assert "没有保存" in text(client.get(stale.headers["Location"]))


def test_starting_a_revision_from_the_review_page(rules, client):
    forms = _forms(text(client.get("/review")), "document-handling")
    client.post("/a/document-handling/review/revise", data=forms["revise"])
    assert 'life-revising">修订中' in text(client.get("/a/document-handling"))
    assert "本文正在修订" in text(client.get("/a/document-handling"))


def test_the_review_feed_answers_an_editor_and_a_personal_key_only(rules, app, site, client):
    feed = ET.fromstring(client.get("/review.atom").get_data())
    titles = [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")]
    assert titles == ["公文处理办法：已过期 3 天"]
    key_url = re.search(r'value="[^"]*(/review\.atom\?key=[^"]+)"', text(client.get("/review"))).group(1)
    outsider = app.test_client()
    assert outsider.get("/review.atom").status_code == 403
    assert outsider.get(key_url).status_code == 200 and "公文处理办法" in text(outsider.get(key_url))
    assert outsider.get(key_url[:-3] + "abc").status_code == 403
    site.users.set_role("editor", "reader")
    assert outsider.get(key_url).status_code == 403  # the key dies with the role


def test_the_review_feed_key_works_under_require_login(rules, content_dir, tmp_path):
    from application import Site
    from tests.web.conftest import settings, wait_ready
    from web.app import create_app

    s = Site(settings(content_dir, tmp_path, require_login=True))
    s.prepare()
    s.users.add("editor", "editor-password", "editor")
    app = create_app(s)
    s.start_keeper()
    try:
        editor = log_in(app.test_client(), "editor")
        wait_ready(editor)
        key_url = re.search(r'(/review\.atom\?key=[^"]+)"', text(editor.get("/review"))).group(1)
        outsider = app.test_client()
        assert outsider.get("/review").status_code == 302
        assert outsider.get(key_url).status_code == 200
    finally:
        s.close()


# --- delete ---------------------------------------------------------------------------------

def test_an_editor_deletes_an_article_with_a_reason_and_a_replacement(rules, client, anonymous, content_dir):
    phrase = {"q": '"秘书科统一收发"'}
    assert anonymous.get("/api/search", query_string=phrase).get_json()["total"] == 1
    assert '<a href="/a/document-handling/delete">删除</a>' in text(client.get("/a/document-handling"))
    assert "删除" not in text(anonymous.get("/a/document-handling")).split('class="article-actions', 1)[1].split("</p>", 1)[0]
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', text(client.get("/a/document-handling/delete"))))
    refused = client.post("/a/document-handling/delete", data={**fields, "reason": "合并", "replaced_by": "no-such-rule"})
    assert refused.status_code == 200 and "替代文章 “no-such-rule” 不存在" in text(refused)
    response = client.post("/a/document-handling/delete", data={**fields, "reason": "并入印章管理办法", "replaced_by": "seal-rules"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/a/seal-rules")  # to its replacement
    assert "已删除《公文处理办法》" in text(client.get(response.headers["Location"]))
    assert anonymous.get("/api/search", query_string=phrase).get_json()["total"] == 0
    assert "document-handling" not in text(anonymous.get("/category/行政"))
    log = subprocess.run(["git", "-C", str(content_dir), "log", "-1", "--format=%an|%s"], capture_output=True, text=True).stdout
    assert log.startswith("editor|删除 公文处理办法：并入印章管理办法")
    assert "replaced_by: seal-rules" in (content_dir / "_removed.yaml").read_text(encoding="utf-8")
    refused = anonymous.post("/a/seal-rules/delete", data={"reason": "x"})  # never for readers: to the login page
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert (content_dir / "rules" / "seal.md").exists()
