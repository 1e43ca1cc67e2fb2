"""Addresses that last (kb.addresses): a short address per article, and old addresses that keep
leading to the article after its slug changed in the editor or its file was renamed outside the
site — recorded in content/_addresses.yaml with no help from the editor."""
import subprocess
import time
from urllib.parse import unquote

import yaml

from tests.conftest import write_article
from tests.web.test_edit import form

ADDRESSES = "_addresses.yaml"


def git(content_dir, *args) -> str:
    return subprocess.run(["git", "-C", str(content_dir), *args], check=True, capture_output=True,
                          text=True).stdout


def registry(content_dir) -> dict:
    return {e["slug"]: e for e in yaml.safe_load((content_dir / ADDRESSES).read_text(encoding="utf-8"))}


def eventually(check, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_every_article_has_a_short_address_that_leads_to_it(anonymous, content_dir):
    number = registry(content_dir)["office-service-work"]["number"]
    response = anonymous.get(f"/k/{number}")
    assert response.status_code == 302 and response.headers["Location"] == "/a/office-service-work"
    page = anonymous.get("/a/office-service-work").get_data(as_text=True)
    assert f'data-copy-short="http://127.0.0.1:5000/k/{number}"' in page and "复制短地址" in page
    assert unquote(anonymous.get(f"/k/{number}/安全保密原则").headers["Location"]) == "/a/office-service-work/安全保密原则"
    assert anonymous.get("/k/9999").status_code == 404


def test_a_slug_changed_in_the_editor_keeps_the_old_address_in_the_same_commit(client, content_dir):
    number = registry(content_dir)["ten-awareness"]["number"]
    path = content_dir / "guides" / "ten-awareness.md"
    text = path.read_text(encoding="utf-8").replace("slug: ten-awareness", "slug: ten-ideas")
    response = client.post("/a/ten-awareness/edit", data=form(client, "/a/ten-awareness/edit", text=text,
                                                                message="改一个好记的地址"))
    assert response.status_code == 303
    page = client.get("/a/ten-ideas").get_data(as_text=True)
    assert "旧地址 /a/ten-awareness 会永久跳转到这里" in page  # what the editor is told
    old = client.get("/a/ten-awareness")
    assert old.status_code == 301 and old.headers["Location"] == "/a/ten-ideas"
    assert client.get(f"/k/{number}").headers["Location"] == "/a/ten-ideas"
    entry = registry(content_dir)["ten-ideas"]
    assert entry["number"] == number and entry["old_slugs"] == ["ten-awareness"]
    assert "aliases: []" in path.read_text(encoding="utf-8")  # nobody wrote an alias
    changed = git(content_dir, "show", "--name-only", "--format=%an|%s", "HEAD").split()
    assert changed[0] == "editor|改一个好记的地址"
    assert set(changed[1:]) == {"guides/ten-awareness.md", ADDRESSES}


def test_a_slug_taken_back_is_no_longer_an_old_address(client, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    original = path.read_text(encoding="utf-8")
    client.post("/a/ten-awareness/edit", data=form(client, "/a/ten-awareness/edit",
                                                   text=original.replace("slug: ten-awareness", "slug: ten-ideas")))
    current = path.read_text(encoding="utf-8")
    client.post("/a/ten-ideas/edit", data=form(client, "/a/ten-ideas/edit",
                                               text=current.replace("slug: ten-ideas", "slug: ten-awareness")))
    assert registry(content_dir)["ten-awareness"]["old_slugs"] == ["ten-ideas"]
    assert client.get("/a/ten-awareness").status_code == 200
    assert client.get("/a/ten-ideas").headers["Location"] == "/a/ten-awareness"


def test_another_article_cannot_take_an_old_address(client, content_dir):
    path = content_dir / "guides" / "ten-awareness.md"
    client.post("/a/ten-awareness/edit", data=form(client, "/a/ten-awareness/edit",
                                                   text=path.read_text(encoding="utf-8").replace("slug: ten-awareness", "slug: ten-ideas")))
    from tests.web.test_edit import csrf

    page = client.post("/new", data={"csrf": csrf(client, "/new"), "title": "抢地址", "slug": "ten-awareness",
                                     "type": "checklist", "category": "x", "summary": "x", "body": "x"}).get_data(as_text=True)
    assert "没有保存" in page and "以前的地址" in page


def test_a_new_article_gets_the_next_number_in_its_own_commit(client, content_dir):
    from tests.web.test_edit import csrf

    highest = max(e["number"] for e in registry(content_dir).values())
    client.post("/new", data={"csrf": csrf(client, "/new"), "title": "会议纪要写法", "slug": "meeting-minutes",
                              "type": "procedure", "category": "办会", "summary": "怎样写。", "body": "## 格式\n\n正文。\n"})
    assert registry(content_dir)["meeting-minutes"]["number"] == highest + 1
    assert ADDRESSES in git(content_dir, "show", "--name-only", "--format=", "HEAD").split()
    assert client.get(f"/k/{highest + 1}").headers["Location"] == "/a/meeting-minutes"


def test_a_file_renamed_with_git_mv_keeps_its_old_address(anonymous, content_dir):
    """A plain Markdown file's slug comes from its name: renaming the file changes its address."""
    write_article(content_dir, "guides/huiyi-jiyao.md", "## 格式\n\n会议纪要要写清时间、地点和议定事项。\n",
                  title="会议纪要写法", slug="")
    text = (content_dir / "guides" / "huiyi-jiyao.md").read_text(encoding="utf-8").replace("slug: \n", "")
    (content_dir / "guides" / "huiyi-jiyao.md").write_text(text, encoding="utf-8")
    git(content_dir, "add", "-A")
    git(content_dir, "commit", "-qm", "add")
    assert eventually(lambda: "huiyi-jiyao" in registry(content_dir))
    number = registry(content_dir)["huiyi-jiyao"]["number"]
    git(content_dir, "mv", "guides/huiyi-jiyao.md", "guides/meeting-minutes.md")
    git(content_dir, "commit", "-qm", "rename")
    moved = eventually(lambda: anonymous.get("/a/huiyi-jiyao").status_code == 301)
    assert moved, anonymous.get("/a/huiyi-jiyao").status_code
    assert anonymous.get("/a/huiyi-jiyao").headers["Location"] == "/a/meeting-minutes"
    entry = registry(content_dir)["meeting-minutes"]
    assert entry["number"] == number and entry["old_slugs"] == ["huiyi-jiyao"]
    assert entry["path"] == "guides/meeting-minutes.md"
    # the registry is written, then committed: wait for the commit
    assert eventually(lambda: git(content_dir, "log", "-1", "--format=%an %s").startswith("办公室知识库 记录永久地址"))
    assert git(content_dir, "status", "--porcelain") == ""


def test_a_file_moved_by_hand_is_recognised_by_its_text(anonymous, content_dir):
    """Not committed, and its title changed too: the text says it is the same article."""
    source = content_dir / "guides" / "office-director-four-haves.md"
    number = registry(content_dir)["office-director-four-haves"]["number"]
    text = source.read_text(encoding="utf-8")
    text = text.replace("slug: office-director-four-haves", "slug: four-haves")
    text = text.replace("title: ", "title: 新的标题 ", 1)
    (content_dir / "checklists" / "four-haves.md").write_text(text, encoding="utf-8")
    source.unlink()
    assert eventually(lambda: anonymous.get("/a/office-director-four-haves").status_code == 301)
    assert anonymous.get("/a/office-director-four-haves").headers["Location"] == "/a/four-haves"
    assert registry(content_dir)["four-haves"]["number"] == number


def test_a_short_address_leaves_no_trace_of_an_article_the_reader_may_not_see(content_dir, site, app, anonymous, client):
    from application.access import Access
    from tests.application.test_access import OnlyEditors

    write_article(content_dir, "guides/inner.md", "## 一、范围\n\n内部规程。\n", slug="inner-rule", title="内部办法",
                  tags="[内部]")
    site.access = Access([OnlyEditors()])
    assert eventually(lambda: "inner-rule" in registry(content_dir))
    number = registry(content_dir)["inner-rule"]["number"]
    response = anonymous.get(f"/k/{number}")
    assert response.status_code == 404 and "inner-rule" not in response.get_data(as_text=True)
    assert "Location" not in response.headers
    assert client.get(f"/k/{number}").headers["Location"] == "/a/inner-rule"
