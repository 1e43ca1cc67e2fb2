"""Restarts in seconds: a site with an index opens its catalog from the articles kept with the
index's current version instead of reading every file, serves that consistent version at once,
and takes what changed in the folder while it was down incrementally, once the keeper has looked."""
from application import Site
from search.interface import Query
from tests.web.conftest import settings


def _indexed(content_dir, tmp_path) -> Site:
    site = Site(settings(content_dir, tmp_path))
    site.prepare()
    site.index()
    site.close()
    return Site(settings(content_dir, tmp_path))


def _retitle(path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(f"title: {old}", f"title: {new}", 1), encoding="utf-8")


def test_a_restarted_site_opens_the_indexed_version_and_takes_a_change_made_while_it_was_down(content_dir, tmp_path):
    site = _indexed(content_dir, tmp_path)
    try:
        article = site.catalog().get("ten-awareness")
        assert site.store.opened, "the catalog was read from the folder, not opened from the index"
        # changed while the site was down: search has it once the keeper has looked; a worker
        # told that the folder changed looks at the folder itself (sizes and times after one read)
        _retitle(article.path, article.title, "十种意识（修订）")
        assert site.search.search(Query("修订")).total == 0
        keeper = site.keeper_for()
        keeper.update_now(None)  # the keeper's first look at the folder, after serving began
        site.follow_changes()
        assert site.catalog().get("ten-awareness").title == "十种意识（修订）"
        assert [h.slug for h in site.search.search(Query("十种意识 修订")).hits][:1] == ["ten-awareness"]
    finally:
        site.close()


def test_a_file_broken_while_the_site_was_down_leaves_the_others_listed(content_dir, tmp_path):
    site = _indexed(content_dir, tmp_path)
    try:
        before = {a.slug for a in site.catalog().articles}
        broken = site.catalog().get("ten-awareness").path
        broken.write_bytes(b"---\ntitle: [unclosed\n---\n\nbody\n")
        site.keeper_for().update_now(None)
        site.follow_changes()
        assert {a.slug for a in site.catalog().articles} == before - {"ten-awareness"}
        problems = [p for p in site.check().problems if p.path == "guides/ten-awareness.md"]
        assert problems and problems[0].severity == "error"
    finally:
        site.close()


def test_a_save_is_listed_at_once_from_the_index_it_updated(site):
    from kb.history import Author

    site.index()
    article = site.catalog().get("ten-awareness")
    assert site.store.opened
    text = article.path.read_text(encoding="utf-8").replace(f"title: {article.title}", "title: 十种意识新版", 1)
    saved = site.save(article.rel_path, text, article.digest, Author.named("editor"), "改标题")
    assert saved.done
    assert site.catalog().get("ten-awareness").title == "十种意识新版"
    assert site.store.opened


def test_the_first_look_at_the_folder_reads_only_the_files_changed_since_they_were_indexed(content_dir, tmp_path,
                                                                                           monkeypatch):
    """A file changed by hand (or by another process) that the index does not have yet makes a
    worker look at the folder; it reads that file, not every file (16 s at 10,000 articles, in
    an editor's request), and still sees the change and keeps every other article."""
    from kb import store

    site = _indexed(content_dir, tmp_path)
    try:
        before = {a.slug: a.title for a in site.catalog().articles}
        assert site.store.opened
        article = site.catalog().get("ten-awareness")
        _retitle(article.path, article.title, "十种意识（手改）")
        read = []
        real = store.load_article
        monkeypatch.setattr(store, "load_article", lambda path, *a, **k: read.append(path.name) or real(path, *a, **k))
        site.follow_changes()  # told the folder changed; the index has no new version
        after = {a.slug: a.title for a in site.catalog().articles}
        assert read == [article.path.name]
        assert after == {**before, "ten-awareness": "十种意识（手改）"}
    finally:
        site.close()
