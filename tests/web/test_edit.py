import re


def csrf(client, url):
    return re.search(r'name="csrf" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def form(client, url, **fields):
    page = client.get(url).get_data(as_text=True)
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page))
    return {**hidden, **fields}


def test_a_failed_save_keeps_the_previous_text_and_says_why(client, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    before = path.read_text(encoding="utf-8")
    response = client.post("/a/ten-awareness/edit", data=form(client, "/a/ten-awareness/edit", text="---\ntitle: [坏\n---\n正文"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "没有保存" in page and "YAML 格式错误" in page
    assert path.read_text(encoding="utf-8") == before


def test_an_edit_is_searchable_at_once(client, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    text = path.read_text(encoding="utf-8") + "\n\n## 十一、新增小节\n\n一个独特的词语戊己庚。\n"
    response = client.post("/a/ten-awareness/edit", data=form(client, "/a/ten-awareness/edit", text=text))
    assert response.status_code == 303 and response.headers["Location"].endswith("/a/ten-awareness")
    data = client.get("/api/search?q=戊己庚").get_json()
    assert data["results"][0]["url"] == "/a/ten-awareness#新增小节"


def test_changing_a_slug_without_an_alias_is_refused(client, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    text = path.read_text(encoding="utf-8").replace("slug: ten-awareness", "slug: ten-ideas")
    page = client.post("/a/ten-awareness/edit", data=form(client, "/a/ten-awareness/edit", text=text)).get_data(as_text=True)
    assert "aliases" in page and "ten-awareness" in page
    assert "slug: ten-awareness" in path.read_text(encoding="utf-8")


def test_new_article_from_the_form(client, content_dir):
    token = csrf(client, "/new")
    response = client.post("/new", data={
        "csrf": token, "title": "会议纪要写法", "slug": "meeting-minutes", "type": "procedure",
        "category": "办会", "tags": "会务，纪要", "summary": "怎样写会议纪要。", "body": "## 一、格式\n\n纪要要写清时间地点壬癸。\n",
    })
    assert response.status_code == 303
    assert (content_dir / "guides" / "meeting-minutes.md").is_file()
    page = client.get("/a/meeting-minutes").get_data(as_text=True)
    assert "会议纪要写法" in page and "流程" in page
    assert client.get("/api/search?q=壬癸").get_json()["results"][0]["slug"] == "meeting-minutes"


def test_new_article_with_a_taken_slug_is_refused(client, content_dir):
    token = csrf(client, "/new")
    page = client.post("/new", data={
        "csrf": token, "title": "重复", "slug": "ten-awareness", "type": "guide", "category": "x", "summary": "x", "body": "x",
    }).get_data(as_text=True)
    assert "没有保存" in page and "已被" in page


def test_posts_without_the_form_token_are_rejected(client):
    assert client.post("/new", data={"title": "x"}).status_code == 400


def test_a_save_never_overwrites_a_change_made_meanwhile(client, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    mine = form(client, "/a/ten-awareness/edit", text=path.read_text(encoding="utf-8") + "\n我的修改。\n")
    theirs = path.read_text(encoding="utf-8") + "\n别人的修改。\n"
    path.write_text(theirs, encoding="utf-8")
    client.application.extensions["kb"]["store"].invalidate()
    page = client.post("/a/ten-awareness/edit", data=mine).get_data(as_text=True)
    assert "已被别人修改" in page and "我的修改。" in page
    assert path.read_text(encoding="utf-8") == theirs
