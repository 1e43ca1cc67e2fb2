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
    data = client.get("/api/search?q=壬癸").get_json()
    assert data["results"][0]["slug"] == "meeting-minutes", data


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
    client.application.extensions["kb"].store.invalidate()
    page = client.post("/a/ten-awareness/edit", data=mine).get_data(as_text=True)
    assert "已被别人修改" in page and "我的修改。" in page
    assert path.read_text(encoding="utf-8") == theirs


def test_a_bad_value_in_the_editor_is_shown_and_the_typed_text_kept(client, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    before = path.read_text(encoding="utf-8")
    text = re.sub(r"^published:.*$", "published: 2024-02-30", before, count=1, flags=re.M) + "\n我刚打的一段话。\n"
    assert "published: 2024-02-30" in text
    response = client.post("/a/ten-awareness/edit", data=form(client, "/a/ten-awareness/edit", text=text))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“2024-02-30” 不是有效的日期" in page and "我刚打的一段话。" in page
    assert path.read_text(encoding="utf-8") == before


def test_an_article_over_the_size_limit_is_refused_on_save(client, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    before = path.read_text(encoding="utf-8")
    text = before + "\n" + "很长的正文。" * 60_000 + "\n"
    page = client.post("/a/ten-awareness/edit", data=form(client, "/a/ten-awareness/edit", text=text)).get_data(as_text=True)
    assert "文件太大" in page and "上限 1,000,000 字节" in page
    assert path.read_text(encoding="utf-8") == before


def test_an_edit_sets_updated_to_today_and_reaches_recent_and_the_feed(client, content_dir):
    import datetime as dt
    import xml.etree.ElementTree as ET

    for other in content_dir.rglob("*.md"):  # every article last changed long ago
        old = re.sub(r"^(published|updated):.*$", r"\1: 2020-01-01", other.read_text(encoding="utf-8"), flags=re.M)
        other.write_text(old, encoding="utf-8")
    client.application.extensions["kb"].store.invalidate()
    path = content_dir / "guides" / "ten-awareness.md"
    text = path.read_text(encoding="utf-8") + "\n\n补充一句。\n"
    assert client.post("/a/ten-awareness/edit", data=form(client, "/a/ten-awareness/edit", text=text)).status_code == 303
    today = dt.date.today().isoformat()
    assert f"\nupdated: {today}\n" in path.read_text(encoding="utf-8")
    home = client.get("/").get_data(as_text=True)
    first_recent = re.search(r'href="(/a/[^"#]+)"', home.split("最近更新", 1)[1]).group(1)
    assert first_recent == "/a/ten-awareness"
    atom = ET.fromstring(client.get("/feed.atom").data)
    first = atom.find("{http://www.w3.org/2005/Atom}entry")
    assert first.find("{http://www.w3.org/2005/Atom}id").text.endswith("/a/ten-awareness")
    assert first.find("{http://www.w3.org/2005/Atom}updated").text == f"{today}T00:00:00Z"


def test_a_new_article_is_written_as_plain_yaml(client, content_dir):
    token = csrf(client, "/new")
    client.post("/new", data={"csrf": token, "title": "值班", "slug": "duty-roster", "type": "guide",
                              "category": "值班", "summary": "值班安排。", "body": "## 一、安排\n\n每天两人。\n"})
    text = (content_dir / "guides" / "duty-roster.md").read_text(encoding="utf-8")
    assert "&id" not in text and "*id" not in text
    assert re.search(r"^published: \d{4}-\d\d-\d\d$", text, re.M) and re.search(r"^updated: \d{4}-\d\d-\d\d$", text, re.M)
