import re
import xml.etree.ElementTree as ET

from tests.conftest import write_article


def text(response):
    return response.get_data(as_text=True)


def test_home_has_search_types_with_counts_recent_and_paths(client):
    page = text(client.get("/"))
    assert 'name="q"' in page and "autofocus" in page
    for label in ("原则", "制度", "流程", "清单", "指南"):
        assert label in page
    assert "篇" in page and "最近更新" in page and "新员工入职必读" in page


def test_search_page_groups_results_with_heading_path_and_marks(client):
    page = text(client.get("/search?q=请示汇报"))
    assert "三、办公室工作的原则 › （一）请示汇报原则" in page
    assert "<mark>请示汇报</mark>" in page
    assert "找到" in page and "篇相关文章" in page


def test_zero_results_page_helps(client):
    page = text(client.get("/search?q=量子计算机"))
    assert "没有找到" in page and "浏览全部文章" in page and "/search?tag=" in page


def test_article_page_has_toc_anchors_breadcrumbs_and_meta(client):
    page = text(client.get("/a/office-service-work"))
    assert 'id="请示汇报原则"' in page and 'href="#请示汇报原则"' in page
    assert "首页" in page and "办公室综合" in page and "空谷幽兰" in page and "2024-06-26" in page


def test_checklist_renders_checkboxes_and_progress(client):
    page = text(client.get("/a/meeting-preparation"))
    assert 'type="checkbox"' in page and "checklist-progress" in page and "全部重置" in page


def test_alias_redirects_to_current_slug(client, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    text = re.sub(r"^aliases:.*$", "aliases: [ten-consciousness]", path.read_text(encoding="utf-8"), count=1, flags=re.M)
    assert "aliases: [ten-consciousness]" in text
    path.write_text(text, encoding="utf-8")
    client.application.extensions["kb"].store.invalidate()
    response = client.get("/a/ten-consciousness")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/a/ten-awareness")


def test_not_found_page_is_in_chinese(client):
    response = client.get("/a/no-such-article")
    assert response.status_code == 404
    assert "页面不存在" in text(response) and 'lang="zh-CN"' in text(response)


def test_browse_pages(client):
    assert "全部文章（按标题）" in text(client.get("/browse"))
    assert "会议筹备清单" in text(client.get("/type/清单"))
    assert "会议筹备清单" in text(client.get("/type/checklist"))
    assert client.get("/type/unknown").status_code == 404
    assert "保密工作清单" in text(client.get("/tag/保密"))


def test_reading_path_page(client):
    page = text(client.get("/paths/newcomer"))
    assert "新员工入职必读" in page and "path-progress" in page and "/a/office-service-work" in page


def test_atom_feed_sitemap_and_opensearch_are_valid_xml(client):
    atom = ET.fromstring(client.get("/feed.atom").data)
    entries = atom.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) >= 10
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith("/a/office-service-work") for loc in locs)
    opensearch = text(client.get("/opensearch.xml"))
    assert "{searchTerms}" in opensearch


def test_active_content_in_an_article_is_not_served(client, content_dir):
    write_article(content_dir, "guides/xss.md",
                  '## 一、测试\n\n<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n[点](javascript:alert(1))\n',
                  slug="xss-test")
    client.application.extensions["kb"].store.invalidate()
    page = text(client.get("/a/xss-test"))
    body = page.split('class="article-body"')[1]
    assert "<script>alert" not in body and "onerror" not in body and "javascript:" not in body


def test_a_typo_that_finds_nothing_shows_its_correction_with_a_way_back(client):
    page = text(client.get("/search?q=保秘"))
    assert "没有找到“保秘”，下面是“保密”的结果" in page and "安全保密原则" in page
    assert "仍然搜索“保秘”" in page and "exact=1" in page
    exact = text(client.get("/search?q=保秘&exact=1"))  # the way back: the query as typed
    assert "没有找到与“保秘”相关的内容" in exact
    assert "您是不是要找" in exact and "q=%E4%BF%9D%E5%AF%86" in exact


def test_a_typo_that_finds_less_gets_did_you_mean_above_the_results(client):
    page = text(client.get("/search?q=请视汇报"))
    assert "您是不是要找" in page and "请示汇报" in page


def test_types_without_articles_are_not_empty_cards_and_the_page_says_how_to_add_one(client):
    for path in ("/", "/browse"):
        page = text(client.get(path))
        assert 'href="/type/checklist"' in page and 'href="/type/rule"' not in page
        assert "还没有「制度」「流程」类的文章" in page and 'href="/new"' in page
    listing = text(client.get("/type/rule"))
    assert "还没有这一类的文章" in listing and "共 0 篇" not in listing


def test_the_tag_cloud_has_the_frequent_tags_and_a_link_to_all_tags(client):
    home, overview = text(client.get("/")), text(client.get("/browse"))
    for page in (home, overview):
        assert "全部标签" in page and 'href="/tags"' in page
        assert ">办公室主任<" in page or ">办公室主任 <" in page
    assert "三不争" not in overview  # a tag on one article only: in 全部标签, not the cloud
    every = text(client.get("/tags"))
    assert "三不争" in every and "办公室主任" in every and '<h2 id="tags-S">S</h2>' in every


def test_the_a_to_z_list_is_in_pinyin_order(client):
    page = text(client.get("/browse")).split('id="a-z"')[1]
    titles = re.findall(r'<td><a href="/a/[^"]+">([^<]+)</a></td>', page)
    assert len(titles) >= 15
    # 保 (bǎo) before 会 (huì) before 来 (lái) before 怎 (zěn); in code-point order 会 comes first
    order = [titles.index(t) for t in ("保密工作清单", "会议筹备清单", "来访接待清单", "怎样搞好办公室服务工作")]
    assert order == sorted(order)
    assert '<th scope="rowgroup" colspan="4" id="az-B">B</th>' in page and 'href="#az-Z"' in page


def test_a_search_shows_the_reading_path_it_finds(client):
    page = text(client.get("/search?q=入职"))
    assert 'href="/paths/newcomer"' in page and "新员工入职必读" in page
    suggestions = client.get("/api/suggest?q=新员工").get_json()
    assert {"label": "新员工入职必读", "url": "/paths/newcomer"}.items() <= suggestions[0].items()
