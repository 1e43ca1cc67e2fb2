"""A restricted article leaves no trace for anyone outside its groups — at EVERY endpoint of the
site: the routes are taken from the app's own url_map, so a page added later is asked too (a
route with a variable this suite has no value for fails the test until one is added).

The article is restricted by its folder's ``_folder.yaml`` (``readers: [财务处]``, kb.folders),
its title, text, tag and category are words found nowhere else, and it is everywhere a public
article can be: in a reading path, linked from a public article, related to others by a tag,
changed in the history, in the search log's 「现在能找到几篇」. Outsiders are an anonymous
visitor, a reader of another group and an editor of no group; an account of 财务处 finds it
everywhere they do not."""
import itertools
import re
from urllib.parse import quote, unquote

import pytest

from kb.history import Author
from tests.conftest import write_article
from tests.web.conftest import log_in, wait_ready

TITLE, TEXT, TAG, CATEGORY = "癸亥秘录办法", "庚辰出纳印鉴交接规程", "庚辰专项", "财务密档"
SLUG, QUERY = "guihai-secret", "癸亥秘录"
IMAGE = "5e3c7a1b2d4f6e80.png"  # an image imported with it (content/_media/)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
SECRETS = (TITLE, TEXT, TAG, CATEGORY)
PASSWORD = "long-enough-1"


@pytest.fixture
def restricted(site, content_dir):
    """The restricted article, committed; accounts inside and outside its group."""
    (content_dir / "finance").mkdir()
    (content_dir / "finance" / "_folder.yaml").write_text("# 财务处的文件\nreaders: [财务处]\n", encoding="utf-8")
    (content_dir / "_media").mkdir(exist_ok=True)
    (content_dir / "_media" / IMAGE).write_bytes(PNG)
    write_article(content_dir, "finance/secret.md", f"## 一、范围\n\n{TEXT}，与保密工作有关。\n\n见[办公室服务](office-service-work)。\n\n"
                  f"![印鉴交接表](/media/{IMAGE})\n",
                  slug=SLUG, title=TITLE, tags=f"[{TAG}, 保密]", category=CATEGORY, summary=f"{TEXT}的摘要。",
                  required_for="[全体]", owner="财务处")
    path = content_dir / "_paths" / "newcomer.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n1. [{TITLE}]({SLUG}) —— {TEXT}\n", encoding="utf-8")
    public = content_dir / "guides" / "office-service-work.md"
    public.write_text(public.read_text(encoding="utf-8") + "\n另见[财务的规定](../finance/secret.md)。\n", encoding="utf-8")
    site.history.commit(["finance", "_media", "_paths/newcomer.md", "guides/office-service-work.md"], "admin", "a@x.cn",
                        f"新建 {TITLE}")
    for name, role, groups in (("cashier", "reader", ["财务处"]), ("outsider", "reader", ["新员工"]),
                               ("plain-editor", "editor", [])):
        site.users.add(name, PASSWORD, role)
        site.people.set_groups(name, groups)
    site.feedback.store.give(SLUG, False, "outdated", f"{TEXT}要更新")  # a note to its owner
    for name in ("cashier", "outsider", "plain-editor"):  # everyone follows its category and the path
        site.following.store.follow(name, "category", CATEGORY)
        site.following.store.follow(name, "path", "newcomer")
    site.analytics.search(QUERY, 0)  # a search that found nothing, before the article was written
    site.analytics.flush()
    return site


@pytest.fixture
def saved_change(restricted, app):
    """A change of the restricted article through the site, named in its history."""
    article = restricted.catalog().get(SLUG)
    text = article.path.read_text(encoding="utf-8").replace("与保密工作有关", "与保密工作密切相关")
    saved = restricted.save(article.rel_path, text, article.digest, Author.named("admin"), f"修改 {TITLE}")
    assert saved.done and saved.revision
    return saved.revision


VALUES = {  # a value (or several) for each variable of the site's routes
    "slug": [SLUG, "newcomer", "office-service-work"],
    "name": [TAG, CATEGORY, "guide", "保密", IMAGE],
    "filename": ["app.js"],
    "anchor": ["一范围", "一、范围"],  # the restricted article's section, by its own address
    "number": [str(n) for n in range(1, 24)],  # short addresses (/k/<n>): every article's number, its own among them
}


def urls(app, revision: str, tokens: list[str]) -> list[str]:
    """Every GET address of the site with each value of its variables, asked with the secret
    words as query (search pages) and the change as versions (history pages); ``tokens``: the
    outsiders' private feeds."""
    values = {**VALUES, "rev": [revision], "token": tokens}
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        missing = [a for a in rule.arguments if a not in values]
        assert not missing, f"{rule.rule}: add values for {missing} to VALUES, so that the leak suite asks it"
        names = sorted(rule.arguments)
        for combo in itertools.product(*(values[n] for n in names)):
            path = rule.rule
            for n, v in zip(names, combo):
                path = re.sub(rf"<(?:[^:<>]+:)?{n}>", quote(v), path)
            out.append(f"{path}?q={quote(QUERY)}&old={revision}&new=current&tag={quote(TAG)}&category={quote(CATEGORY)}")
    return out


#: pages whose query names the article, a group or a state (the walk asks every route with ?q= only)
EXTRA = [f"/confirmations?slug={SLUG}", f"/confirmations.csv?slug={SLUG}", "/confirmations?group=财务处",
         "/confirmations.csv", "/confirmations.csv?group=财务处", "/feedback?state=all", "/feedback?state=all&owner=财务处",
         "/me/follows", f"/search?readers=财务处&q={QUERY}", f"/api/search?q=阅读范围:财务处",
         "/folders", "/folders/edit?path=finance", "/folders/edit?path=guides", "/new?folder=finance"]


def outsiders(app):
    yield "anonymous", app.test_client()
    yield "outsider", log_in(app.test_client(), "outsider", PASSWORD)
    yield "plain-editor", log_in(app.test_client(), "plain-editor", PASSWORD)


def test_no_endpoint_shows_an_outsider_anything_of_it(restricted, app, saved_change):
    wait_ready(app.test_client())
    both = restricted.history.log("guides/office-service-work.md", limit=1)[0].rev  # it and a public one changed
    asked = urls(app, saved_change, [restricted.following.store.new_token(n) for n in ("outsider", "plain-editor")]) + \
        EXTRA + [f"/a/office-service-work/history/{both}", f"/a/office-service-work/diff?old={both}&new=current",
                 f"/a/office-service-work/diff?old={both}~1&new={both}", "/a/office-service-work/history"]
    assert len(asked) > 40
    for who, client in outsiders(app):
        for url in asked:
            response = client.get(url)
            body = response.get_data().decode("utf-8", "replace") + str(response.headers.get("Location", ""))
            for secret in SECRETS:  # a page may echo what was asked (a filter typed), nothing more
                assert secret in unquote(url) or secret not in body, f"{who} {url}: {secret}"
            if SLUG not in url:  # a page may repeat the address asked for, nothing more
                assert SLUG not in body, f"{who} {url}"
        for url in (f"/a/{SLUG}", f"/api/articles/{SLUG}", f"/a/{SLUG}.md", f"/a/{SLUG}/history"):
            assert client.get(url).status_code in (404, 302 if who == "anonymous" else 404), (who, url)


def test_an_outsider_can_do_nothing_with_it(restricted, app):
    from tests.web.conftest import token

    client = log_in(app.test_client(), "outsider", PASSWORD)
    form = {"csrf": token(client, "/")}
    assert client.post(f"/a/{SLUG}/feedback", data={**form, "helpful": "no"}).status_code == 404
    assert client.post(f"/a/{SLUG}/confirm", data={**form, "version": "x"}).status_code == 404
    assert client.post("/follow", data={**form, "kind": "article", "target": SLUG, "on": "1"}).status_code == 404
    (note,) = restricted.feedback.store.notes([SLUG])
    assert client.post(f"/feedback/{note.id}/handled", data=form).status_code == 404
    assert restricted.feedback.store.notes([SLUG]) == [note]
    assert all(f.target != SLUG for f in restricted.following.store.of("outsider"))


def test_a_deleted_restricted_article_stays_hidden(restricted, app):
    from kb.history import Author

    article = restricted.catalog().get(SLUG)
    assert restricted.delete(article, article.digest, Author.named("admin"), "不再使用").done
    outsider = restricted.reader_for(restricted.users.get("outsider"))
    assert SLUG not in restricted.catalog_for(outsider).removed
    assert restricted.catalog_for(restricted.reader_for(restricted.users.get("cashier"))).removed[SLUG].title == TITLE
    for client in (app.test_client(), log_in(app.test_client(), "outsider", PASSWORD)):
        for url in ("/changes", "/changes.atom", f"/a/{SLUG}"):
            assert TITLE not in client.get(url).get_data(as_text=True), url
    assert TITLE in log_in(app.test_client(), "cashier", PASSWORD).get("/changes").get_data(as_text=True)


def test_its_own_pages_answer_404_not_403(restricted, app):
    client = log_in(app.test_client(), "outsider", PASSWORD)
    for url in (f"/a/{SLUG}", f"/api/articles/{SLUG}", f"/a/{SLUG}.md", f"/a/{SLUG}/history", f"/a/{SLUG}/diff?old=HEAD"):
        assert client.get(url).status_code == 404, url
    assert log_in(app.test_client(), "plain-editor", PASSWORD).get(f"/a/{SLUG}/edit").status_code == 404


def test_its_image_is_404_for_every_outsider_and_never_kept_by_a_shared_cache(restricted, app):
    """An image imported with it belongs to it (application.media): as unknown as the article to
    everyone outside its group, and sent to its group as private, not to be kept by a proxy."""
    url = f"/media/{IMAGE}"
    missing = "0000000000000000.png"
    for who, client in outsiders(app):
        response = client.get(url)
        assert response.status_code == 404, who  # the very page a missing file gets
        assert response.data.replace(IMAGE.encode(), b"") == client.get(f"/media/{missing}").data.replace(missing.encode(), b""), who
    response = log_in(app.test_client(), "cashier", PASSWORD).get(url)
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Cache-Control"] == "private, no-store"
    restricted.people.set_groups("outsider", ["新员工", "财务处"])  # joins the group: sees it at once
    assert log_in(app.test_client(), "outsider", PASSWORD).get(url).data == PNG


def test_an_image_a_public_article_shows_too_is_public(restricted, app, content_dir):
    article = restricted.catalog().get("office-service-work")
    text = article.path.read_text(encoding="utf-8") + f"\n![印鉴交接表](/media/{IMAGE})\n"
    assert restricted.save(article.rel_path, text, article.digest, Author.named("admin"), "加图").done
    response = app.test_client().get(f"/media/{IMAGE}")
    assert response.status_code == 200 and response.data == PNG
    assert "public" in response.headers["Cache-Control"] and "max-age=86400" in response.headers["Cache-Control"]


def test_an_image_no_article_shows_is_for_editors_only(restricted, app, content_dir):
    """What is left of a deleted restricted article (or of a removed image) belongs to nobody
    anyone can tell: editors may use it again, readers get 404."""
    article = restricted.catalog().get(SLUG)
    assert restricted.delete(article, article.digest, Author.named("admin"), "不再使用").done
    url = f"/media/{IMAGE}"
    assert (content_dir / "_media" / IMAGE).is_file()
    assert app.test_client().get(url).status_code == 404
    assert log_in(app.test_client(), "cashier", PASSWORD).get(url).status_code == 404
    response = log_in(app.test_client(), "plain-editor", PASSWORD).get(url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"


def test_totals_facets_and_suggestions_are_counted_without_it(restricted, app):
    wait_ready(app.test_client())
    inside = log_in(app.test_client(), "cashier", PASSWORD)
    outside = log_in(app.test_client(), "outsider", PASSWORD)
    mine, theirs = (c.get("/api/search?q=保密&limit=100").get_json() for c in (inside, outside))
    assert mine["total"] == theirs["total"] + 1
    assert sum(theirs["facets"]["type"].values()) == theirs["total"]
    assert CATEGORY in mine["facets"]["category"] and CATEGORY not in theirs["facets"]["category"]
    assert TAG in mine["facets"]["tags"] and TAG not in theirs["facets"]["tags"]
    assert outside.get(f"/api/search?q={QUERY}").get_json()["total"] == 0


def test_the_search_log_counts_today_what_the_reader_may_see(restricted, app):
    wait_ready(app.test_client())
    editor = log_in(app.test_client(), "plain-editor", PASSWORD)
    row = _row(editor.get("/analytics").get_data(as_text=True), QUERY)
    assert "仍然没有" in row
    restricted.people.set_groups("plain-editor", ["财务处"])
    assert "能找到 1 篇" in _row(editor.get("/analytics").get_data(as_text=True), QUERY)


def _row(page: str, query: str) -> str:
    return next(r for r in page.split("<tr>") if f">{query}</a>" in r)


def test_someone_of_the_group_finds_it_everywhere(restricted, app, saved_change):
    wait_ready(app.test_client())
    client = log_in(app.test_client(), "cashier", PASSWORD)
    page = client.get(f"/a/{SLUG}").get_data(as_text=True)
    assert TITLE in page and TEXT in page and "财务处" in page  # 阅读范围 in its header
    assert client.get(f"/api/search?q={QUERY}").get_json()["results"][0]["slug"] == SLUG
    assert any(s["url"] == f"/a/{SLUG}" for s in client.get(f"/api/suggest?q={QUERY[:2]}").get_json())
    assert TITLE in client.get("/feed.atom").get_data(as_text=True)
    assert f"/a/{SLUG}" in client.get("/sitemap.xml").get_data(as_text=True)
    assert TITLE in client.get("/paths/newcomer").get_data(as_text=True)
    assert TITLE in client.get(f"/category/{CATEGORY}").get_data(as_text=True)
    assert TITLE in client.get(f"/tag/{TAG}").get_data(as_text=True)
    assert TITLE in client.get("/changes").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "需要我阅读的" in home and TITLE in home.split("需要我阅读的")[1]
    assert TITLE in home.split('id="followed-h"')[1]
    feed = client.get(f"/feeds/{restricted.following.store.new_token('cashier')}.atom").get_data(as_text=True)
    assert TITLE in feed
    assert TEXT in client.get(f"/a/{SLUG}.md").get_data(as_text=True)
    assert "密切相关" in client.get(f"/a/{SLUG}/diff?old={saved_change}~1&new=current").get_data(as_text=True) or \
        client.get(f"/a/{SLUG}/history").status_code == 200
    assert any(a["slug"] == SLUG for a in client.get("/api/articles").get_json())
    links = client.get("/a/office-service-work").get_data(as_text=True)
    assert f'href="/a/{SLUG}"' in links and "broken-link" not in links.split(f'href="/a/{SLUG}"')[0][-200:]


def test_an_admin_sees_it_without_a_group(restricted, app):
    admin = log_in(app.test_client(), "admin")
    assert TITLE in admin.get(f"/a/{SLUG}").get_data(as_text=True)


def test_a_change_of_it_and_a_public_article_keeps_the_public_version_without_its_message(restricted, app):
    from application.changes import HIDDEN_MESSAGE

    both = restricted.history.log("guides/office-service-work.md", limit=1)[0].rev
    outsider = log_in(app.test_client(), "outsider", PASSWORD)
    page = outsider.get(f"/a/office-service-work/history/{both}")
    assert page.status_code == 200 and HIDDEN_MESSAGE in page.get_data(as_text=True)
    assert HIDDEN_MESSAGE in outsider.get("/a/office-service-work/history").get_data(as_text=True)
    assert f"新建 {TITLE}" in log_in(app.test_client(), "cashier", PASSWORD).get(
        f"/a/office-service-work/history/{both}").get_data(as_text=True)


def test_a_slug_it_holds_is_refused_without_saying_where(restricted, app):
    """An outside editor who happens to choose its slug is told the slug is taken, not by what."""
    from tests.web.conftest import token

    editor = log_in(app.test_client(), "plain-editor", PASSWORD)
    response = editor.post("/new", data={"csrf": token(editor, "/new"), "title": "随便一篇", "slug": SLUG, "type": "guide",
                                         "category": "行政", "summary": "x", "body": "## 一\n\n正文。\n", "action": "publish"})
    page = response.get_data(as_text=True)
    assert SLUG in page and "另一篇文章" in page  # refused, and why
    assert "finance/secret.md" not in page and "finance" not in page.split("<main", 1)[1]
