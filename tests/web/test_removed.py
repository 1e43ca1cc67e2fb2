"""Removed is not missing: a deleted article's address says what it was, when and why it went,
and leads to what replaces it (kb.removed, Site.delete)."""
import subprocess
import time

from kb.history import Author

EDITOR = Author.named("editor")


def delete(site, slug, **options):
    article = site.catalog().get(slug)
    saved = site.delete(article, article.digest, EDITOR, **options)
    assert saved.done, saved.problems
    return article


def test_a_deleted_article_answers_410_with_what_it_was_when_and_why(site, anonymous):
    delete(site, "office-director-four-haves", reason="内容已过时")
    response = anonymous.get("/a/office-director-four-haves")
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "这篇文章已删除" in page and "《做好机关办公室主任必须做到的几个“有”》" in page
    assert "内容已过时" in page and time.strftime("%Y-%m-%d") in page and "（editor）" in page
    assert 'name="q" value="做好机关办公室主任必须做到的几个“有”"' in page  # a search for its title, filled in
    data = anonymous.get("/api/articles/office-director-four-haves").get_json()
    assert anonymous.get("/api/articles/office-director-four-haves").status_code == 410
    assert data["reason"] == "内容已过时" and data["title"] == "做好机关办公室主任必须做到的几个“有”"


def test_its_short_address_leads_to_the_same_answer(site, anonymous, content_dir):
    import yaml

    number = next(e["number"] for e in yaml.safe_load((content_dir / "_addresses.yaml").read_text(encoding="utf-8"))
                  if e["slug"] == "office-director-four-haves")
    delete(site, "office-director-four-haves")
    assert anonymous.get(f"/k/{number}", follow_redirects=True).status_code == 410


def test_a_merged_article_leads_to_its_replacement_which_says_why(site, anonymous):
    delete(site, "office-director-four-haves", reason="并入《合格的机关办公室主任》", replaced_by="qualified-office-director")
    response = anonymous.get("/a/office-director-four-haves")
    assert response.status_code == 301
    assert response.headers["Location"] == "/a/qualified-office-director?removed=office-director-four-haves"
    page = anonymous.get(response.headers["Location"]).get_data(as_text=True)
    assert "您打开的《做好机关办公室主任必须做到的几个“有”》已于" in page and "并入《合格的机关办公室主任》" in page
    assert "您打开的" not in anonymous.get("/a/qualified-office-director").get_data(as_text=True)


def test_its_sections_follow_the_replacement_where_the_editor_mapped_them(site, anonymous):
    target = site.catalog().get("qualified-office-director")
    anchor = sorted(target.anchors)[0]
    delete(site, "office-director-four-haves", replaced_by="qualified-office-director", anchors={"有为": anchor})
    page = anonymous.get("/a/qualified-office-director?removed=office-director-four-haves").get_data(as_text=True)
    assert f"&#34;有为&#34;: &#34;{anchor}&#34;" in page
    # a section's own address (as 「复制本节链接」 gives it, or under the short address) lands on its new section
    from urllib.parse import quote, unquote

    location = anonymous.get(f"/a/office-director-four-haves/{quote('有为')}").headers["Location"]
    assert unquote(location).startswith(f"/a/qualified-office-director/{anchor}?removed=")
    # a program asking the API for the merged article is sent to the replacement's JSON
    api = anonymous.get("/api/articles/office-director-four-haves")
    assert api.status_code == 301 and api.headers["Location"].startswith("/api/articles/qualified-office-director")


def test_a_chain_of_replacements_is_followed(site, anonymous):
    delete(site, "office-director-four-haves", replaced_by="office-director-basic-conditions")
    delete(site, "office-director-basic-conditions", replaced_by="qualified-office-director")
    location = anonymous.get("/a/office-director-four-haves").headers["Location"]
    assert location.startswith("/a/qualified-office-director?")


def test_a_file_deleted_outside_the_site_answers_410_too(anonymous, content_dir):
    subprocess.run(["git", "-C", str(content_dir), "rm", "-q", "guides/office-director-four-haves.md"], check=True)
    deadline = time.monotonic() + 30
    while anonymous.get("/a/office-director-four-haves").status_code != 410 and time.monotonic() < deadline:
        time.sleep(0.1)
    page = anonymous.get("/a/office-director-four-haves").get_data(as_text=True)
    assert "没有经过网站删除" in page and "做好机关办公室主任必须做到的几个“有”" in page


def test_an_address_never_used_is_still_a_plain_404(anonymous):
    assert anonymous.get("/a/no-such-article").status_code == 404
