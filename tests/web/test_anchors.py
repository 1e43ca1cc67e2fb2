"""Section anchors that last: a heading renamed in the editor keeps its old anchor as a way in,
recorded with no help from the editor; links from other articles still arrive and can be
updated in one go; `kb check` lists anchors that are gone and who links to them."""
import re
import subprocess
from urllib.parse import unquote

import yaml

from cli.main import main
from tests.web.test_edit import form

OLD, NEW = "安全保密原则", "安全与保密原则"
ARTICLE = "/a/office-service-work"


def rename_heading(client, content_dir, new_heading="（四）安全与保密原则", message="标题改得更准确"):
    path = content_dir / "guides" / "office-service-work.md"
    text = path.read_text(encoding="utf-8")
    assert "（四）安全保密原则" in text
    text = text.replace("（四）安全保密原则", new_heading)
    return client.post(f"{ARTICLE}/edit", data=form(client, f"{ARTICLE}/edit", text=text, message=message))


def entry(content_dir, slug="office-service-work"):
    data = yaml.safe_load((content_dir / "_addresses.yaml").read_text(encoding="utf-8"))
    return next(e for e in data if e["slug"] == slug)


def test_a_renamed_heading_keeps_its_old_anchor_recorded_in_the_same_commit(client, content_dir):
    assert rename_heading(client, content_dir).status_code == 303
    assert entry(content_dir)["anchors"] == {OLD: NEW}
    changed = subprocess.run(["git", "-C", str(content_dir), "show", "--name-only", "--format=", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert set(changed) == {"guides/office-service-work.md", "_addresses.yaml"}
    page = client.get(ARTICLE).get_data(as_text=True)
    assert f"小节 #{OLD} 改名为 #{NEW}" in page  # the editor is told, nothing asked of them
    assert 'data-moved-anchors="{&#34;安全保密原则&#34;: &#34;安全与保密原则&#34;}"' in page


def test_the_old_section_address_answers_301_to_the_new_one(client, anonymous, content_dir):
    rename_heading(client, content_dir)
    response = anonymous.get(f"{ARTICLE}/{OLD}")
    assert response.status_code == 301 and unquote(response.headers["Location"]) == f"{ARTICLE}/{NEW}"
    page = anonymous.get(f"{ARTICLE}/{NEW}").get_data(as_text=True)
    assert f'data-section="{NEW}"' in page


def test_links_from_other_articles_still_arrive_and_kb_check_has_no_errors(client, anonymous, content_dir, tmp_path, capsys):
    rename_heading(client, content_dir)
    checklist = anonymous.get("/a/confidentiality").get_data(as_text=True)
    assert f'href="{ARTICLE}#{NEW}"' in checklist and "broken-link" not in checklist
    code = main(["check", "--content", str(content_dir), "--index", str(tmp_path / "i2")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "改名的小节（1）" in out and f"office-service-work#{OLD} 改名为 #{NEW}" in out
    assert "checklists/confidentiality.md:18" in out


def test_the_editor_is_offered_to_update_the_links_and_they_are_updated(client, anonymous, content_dir):
    rename_heading(client, content_dir)
    page = client.get(ARTICLE).get_data(as_text=True)
    assert "把这些链接更新为新的小节地址" in page and "保密工作清单" in page
    assert "把这些链接更新为新的小节地址" not in anonymous.get(ARTICLE).get_data(as_text=True)
    token = re.search(r'action="/a/office-service-work/relink">\s*<input type="hidden" name="csrf" value="([^"]+)"', page).group(1)
    response = client.post(f"{ARTICLE}/relink", data={"csrf": token})
    assert response.status_code == 303
    text = (content_dir / "checklists" / "confidentiality.md").read_text(encoding="utf-8")
    assert f"office-service-work#{NEW}" in text and f"office-service-work#{OLD})" not in text
    assert "把这些链接更新为新的小节地址" not in client.get(ARTICLE).get_data(as_text=True)
    log = subprocess.run(["git", "-C", str(content_dir), "log", "-5", "--format=%an|%s"], capture_output=True,
                         text=True, check=True).stdout
    assert "editor|更新链接：《怎样搞好办公室服务工作》的小节改了名" in log


def test_kb_check_lists_a_gone_section_and_who_linked_to_it(client, anonymous, content_dir, tmp_path, capsys):
    path = content_dir / "guides" / "office-service-work.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("### （四）安全保密原则")
    end = text.index("\n### ", start + 5)
    response = client.post(f"{ARTICLE}/edit", data=form(client, f"{ARTICLE}/edit", text=text[:start] + text[end + 1:]))
    assert response.status_code == 303
    assert entry(content_dir)["anchors"] == {OLD: ""}
    assert f"小节 #{OLD} 没有了" in client.get(ARTICLE).get_data(as_text=True)
    code = main(["check", "--content", str(content_dir), "--index", str(tmp_path / "i2")])
    out = capsys.readouterr().out
    assert code == 1  # the links in the checklists are broken now
    line = next(x for x in out.splitlines() if x.strip().startswith(f"office-service-work#{OLD} 已不存在"))
    assert "checklists/confidentiality.md:18" in line and "checklists/visitor-reception.md:21" in line
    assert "_paths" not in line
    assert "消失的小节（1）" in out


def test_a_section_address_whose_section_is_gone_shows_the_article_with_a_note(anonymous):
    response = anonymous.get(f"{ARTICLE}/没有这一节")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-missing-anchor="没有这一节"' in page
    assert "<h1>怎样搞好办公室服务工作</h1>" in page


def test_a_section_link_has_its_own_preview_for_chat_tools(anonymous):
    page = anonymous.get(f"{ARTICLE}/{OLD}").get_data(as_text=True)
    assert '<meta property="og:title" content="怎样搞好办公室服务工作 › （四）安全保密原则">' in page
    description = re.search(r'<meta property="og:description" content="([^"]*)">', page).group(1)
    assert "保密" in description and len(description) <= 161
    assert re.search(r'<meta property="og:site_name" content="办公室知识库">', page)
    assert f'<meta property="og:url" content="http://127.0.0.1:5000{ARTICLE}/' in page
    article = anonymous.get(ARTICLE).get_data(as_text=True)
    assert '<meta property="og:title" content="怎样搞好办公室服务工作">' in article


def test_a_heading_renamed_by_hand_is_recorded_by_the_site(anonymous, content_dir):
    """Outside the editor (a file edited in place, a git pull): the index keeper compares the
    file with what it saw before and records the rename, committed as the site."""
    import time

    path = content_dir / "guides" / "ten-awareness.md"
    path.write_text(path.read_text(encoding="utf-8").replace("## 三、大局意识", "## 三、全局意识"), encoding="utf-8")
    deadline = time.monotonic() + 30
    while entry(content_dir, "ten-awareness").get("anchors") != {"大局意识": "全局意识"} and time.monotonic() < deadline:
        time.sleep(0.1)
    assert entry(content_dir, "ten-awareness").get("anchors") == {"大局意识": "全局意识"}
    response = anonymous.get("/a/ten-awareness/大局意识")
    assert response.status_code == 301 and unquote(response.headers["Location"]) == "/a/ten-awareness/全局意识"
