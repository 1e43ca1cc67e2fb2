"""The onboarding kit: reading paths edited in the browser through the folder's save path, a
printable handout with a QR code per item, progress kept on the server for staff with an
account, and the managers' page of who finished which path."""
import re
import subprocess

from tests.web.conftest import log_in
from tests.web.test_edit import form


def fields(page: str) -> dict:
    """The path editor's fields as the page has them."""
    data = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page))
    data.update(dict(re.findall(r'<input id="[^"]*" name="((?:target|title|note)-\d+|title)" (?:required )?value="([^"]*)"', page)))
    data["summary"] = re.search(r'name="summary" rows="3">([^<]*)</textarea>', page).group(1)
    return data


def edit_form(client, url="/paths/newcomer/edit", **changes):
    return {**fields(client.get(url).get_data(as_text=True)), **changes}


def test_a_path_is_edited_in_the_browser_and_committed(client, content_dir):
    page = client.post("/paths/newcomer/edit", data=edit_form(client, action="up:1")).get_data(as_text=True)
    assert page.index('value="daily-admin-work"') < page.index('value="office-service-work"')  # moved, not saved
    assert "1. [怎样搞好办公室服务工作]" in (content_dir / "_paths" / "newcomer.md").read_text(encoding="utf-8")
    data = fields(page)
    data.update({"title-0": "日常行政工作", "target-7": "http://127.0.0.1:5000/a/office-service-work/安全保密原则",
                 "title-7": "", "note-7": "保密是底线", "action": "save", "message": "先读日常工作"})
    response = client.post("/paths/newcomer/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    text = (content_dir / "_paths" / "newcomer.md").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if re.match(r"^\d+\. ", line)]
    assert lines[0] == "1. [日常行政工作](daily-admin-work) —— 掌握“三办”和参谋助手、综合协调、对外联络等日常职能"
    assert lines[1].startswith("2. [怎样搞好办公室服务工作](office-service-work)")
    assert lines[-1] == "8. [怎样搞好办公室服务工作 › （四）安全保密原则](office-service-work#安全保密原则) —— 保密是底线"
    log = subprocess.run(["git", "-C", str(content_dir), "log", "-1", "--format=%an|%s", "--name-only"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert log == ["editor|先读日常工作", "_paths/newcomer.md"]
    page = client.get("/paths/newcomer").get_data(as_text=True)
    assert page.index("日常行政工作") < page.index("怎样搞好办公室服务工作") and "保密是底线" in page


def test_an_item_that_names_nothing_is_refused_and_nothing_is_written(client, content_dir):
    before = (content_dir / "_paths" / "newcomer.md").read_text(encoding="utf-8")
    data = edit_form(client, **{"target-7": "no-such-article", "rows": "9", "action": "save"})
    response = client.post("/paths/newcomer/edit", data=data)
    assert response.status_code == 400 and "第 8 项 “no-such-article” 没有对应的文章" in response.get_data(as_text=True)
    assert (content_dir / "_paths" / "newcomer.md").read_text(encoding="utf-8") == before


def test_a_new_path_from_short_addresses(client, content_dir):
    import yaml

    number = next(e["number"] for e in yaml.safe_load((content_dir / "_addresses.yaml").read_text(encoding="utf-8"))
                  if e["slug"] == "confidentiality")
    page = client.get("/paths/new").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    response = client.post("/paths/new", data={"csrf": token, "rows": "2", "slug": "baomi", "title": "保密入门", "summary": "",
                                               "target-0": f"/k/{number}", "title-0": "", "note-0": "先看清单",
                                               "target-1": "", "title-1": "", "note-1": "", "action": "save"})
    assert response.status_code == 303
    assert "1. [保密工作清单](confidentiality) —— 先看清单" in (content_dir / "_paths" / "baomi.md").read_text(encoding="utf-8")
    assert "保密入门" in client.get("/paths").get_data(as_text=True)
    refused = client.post("/paths/new", data={"csrf": token, "rows": "1", "slug": "progress", "title": "x",
                                              "target-0": "confidentiality", "action": "save"})
    assert refused.status_code == 400 and "不能是 new 或 progress" in refused.get_data(as_text=True)


def test_the_handout_has_each_item_with_its_short_address_and_a_qr_code(anonymous):
    page = anonymous.get("/paths/newcomer/print").get_data(as_text=True)
    addresses = re.findall(r'<div class="handout-qr" data-address="([^"]+)">\s*<svg', page)
    assert len(addresses) == 7 and all(re.match(r"http://127\.0\.0\.1:5000/k/\d+", a) for a in addresses)
    assert addresses[-1].endswith("/%E8%AE%B2%E8%A7%84%E8%8C%83%E5%AE%88%E7%BA%AA%E5%BE%8B%E4%B8%BA%E4%BA%BA%E5%A4%84%E4%BA%8B%E9%9D%9E%E5%B8%B8%E4%B8%A5%E8%B0%A8%E7%9A%84%E4%BA%BA")
    printed = re.findall(r'<p class="handout-address">([^<]+)</p>', page)
    assert printed[-1].endswith("/讲规范守纪律为人处事非常严谨的人")  # on paper as people read and type it
    assert "先了解办公室的职能、工作特点和工作原则" in page  # why to read it
    assert "style=" not in page.split('<article class="handout">')[1]  # the CSP: no inline style


def test_the_path_page_offers_a_link_to_send(anonymous, client):
    page = anonymous.get("/paths/newcomer").get_data(as_text=True)
    assert 'data-copy-path="http://127.0.0.1:5000/paths/newcomer"' in page
    assert "mailto:?subject=" in page and "登录</a>后进度保存在服务器上" in page
    assert "编辑路径" not in page and "编辑路径" in client.get("/paths/newcomer").get_data(as_text=True)


def test_progress_is_kept_for_an_account_and_managers_see_who_finished(app, client, anonymous, content_dir):
    assert anonymous.get("/api/paths/newcomer/progress").status_code == 401
    newcomer = log_in(app.test_client(), "reader")
    page = newcomer.get("/paths/newcomer").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    keys = re.findall(r'<input type="checkbox" data-key="([^"]+)">', page)
    assert len(keys) == 7

    def mark(key, read=True):
        return newcomer.post("/api/paths/newcomer/progress", json={"item": key, "read": read},
                             headers={"X-CSRFToken": token})

    for key in keys[:3]:
        assert mark(key).status_code == 200
    assert mark("not-on-the-path").status_code == 400
    assert sorted(newcomer.get("/api/paths/newcomer/progress").get_json()["items"]) == sorted(keys[:3])
    standings = client.get("/paths/progress").get_data(as_text=True)
    assert re.search(r'<th scope="row">reader</th>\s*<td>.*3 / 7</td>\s*<td><span class="muted">还没读完</span>', standings, re.S)
    for key in keys[3:]:
        mark(key)
    standings = client.get("/paths/progress").get_data(as_text=True)
    assert re.search(r'<th scope="row">reader</th>\s*<td>.*7 / 7</td>\s*<td><time datetime="\d{4}-', standings, re.S)
    assert newcomer.get("/paths/progress").status_code == 403  # for managers (editors) only
    assert newcomer.post("/api/paths/newcomer/progress", json={"reset": True}).status_code == 400  # no token


def test_a_path_lists_no_article_the_reader_may_not_see(site, content_dir, anonymous, client):
    from application.access import Access
    from tests.application.test_access import OnlyEditors

    path = content_dir / "guides" / "daily-admin-work.md"
    path.write_text(path.read_text(encoding="utf-8").replace("tags: [", "tags: [内部, ", 1), encoding="utf-8")
    site.access = Access([OnlyEditors()])
    site.store.invalidate()  # an edit by hand: a look at the folder
    for url in ("/paths/newcomer", "/paths/newcomer/print"):
        assert "日常行政工作" not in anonymous.get(url).get_data(as_text=True), url
    assert "日常行政工作" in client.get("/paths/newcomer").get_data(as_text=True)
