"""One path for every change of an article: the web save, revert, 「新建」, the editor's import,
`kb new` and `kb import` each end in one commit (where history is kept) and one index update,
also while the index keeper watches the folder (a save indexes its file at once; the watcher
then reports the same file, which the index already has)."""
import re
import subprocess
import sys
import time

import pytest

from tests.web.conftest import log_in, token
from search.interface import Query


def _commits(content) -> int:
    run = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=content, capture_output=True, text=True)
    return int(run.stdout.strip())


def _settled(site, seconds: float = 20.0) -> int:
    """The index's version once the keeper has taken every file event (events arrive a moment
    after the write)."""
    time.sleep(0.5)
    deadline = time.monotonic() + seconds
    while not site.keeper.idle():
        assert time.monotonic() < deadline, "the keeper never settled"
        time.sleep(0.05)
    return site.search.health().version


@pytest.fixture
def counted(app, site, content_dir):
    """(count: a function giving the index's version and the commit count now)"""
    client = log_in(app.test_client(), "editor")

    def count():
        return _settled(site), _commits(content_dir)
    return client, count


def _form(client, url: str, **fields):
    return {"csrf": token(client, url), **fields}


def test_a_web_save_is_one_commit_and_one_index_update(counted, content_dir, site):
    client, count = counted
    before = count()
    path = content_dir / "guides" / "ten-awareness.md"
    text = path.read_text(encoding="utf-8").replace("## 一、", "## 一、壬癸 ", 1)
    digest = re.search(r'name="digest" value="([^"]+)"', client.get("/a/ten-awareness/edit").get_data(as_text=True)).group(1)
    response = client.post("/a/ten-awareness/edit", data=_form(client, "/a/ten-awareness/edit", text=text, digest=digest,
                                                              message="改标题"))
    assert response.status_code == 303
    assert count() == (before[0] + 1, before[1] + 1)
    assert site.search.search(Query("壬癸")).hits[0].slug == "ten-awareness"


def test_new_and_revert_and_the_editors_import_are_each_one_commit_and_one_update(counted, content_dir):
    client, count = counted
    before = count()
    client.post("/new", data=_form(client, "/new", title="会议纪要写法", slug="meeting-minutes", type="procedure",
                                   category="办会", tags="", summary="怎样写。", body="## 一、格式\n\n壬癸。\n"))
    after_new = count()
    assert after_new == (before[0] + 1, before[1] + 1)
    history = client.get("/a/meeting-minutes/history").get_data(as_text=True)
    rev = re.findall(r'name="old" value="([0-9a-f]+)"', history)[0]
    digest = re.search(r'name="digest" value="([^"]+)"', client.get("/a/meeting-minutes/edit").get_data(as_text=True)).group(1)
    text = (content_dir / "guides" / "meeting-minutes.md").read_text(encoding="utf-8").replace("壬癸", "甲乙")
    client.post("/a/meeting-minutes/edit", data=_form(client, "/a/meeting-minutes/edit", text=text, digest=digest))
    edited = count()
    digest = re.search(r'name="digest" value="([^"]+)"', client.get("/a/meeting-minutes/edit").get_data(as_text=True)).group(1)
    response = client.post("/a/meeting-minutes/revert", data=_form(client, "/a/meeting-minutes/history", rev=rev, digest=digest))
    assert response.status_code == 303
    assert count() == (edited[0] + 1, edited[1] + 1)
    saved = client.post("/import/save", data=_form(client, "/import", path="guides/imported.md", name="x.md",
                                                   text="---\ntitle: 导入的文章\nslug: imported-one\n---\n\n## 一\n\n正文。\n"))
    assert saved.status_code == 303
    assert count()[1] == edited[1] + 2 and count()[0] == edited[0] + 2


def test_kb_new_and_kb_import_are_each_one_commit_and_one_update(counted, content_dir, tmp_path, site):
    _, count = counted
    before = count()
    index = site.config.index_path

    def kb(*args):
        return subprocess.run([sys.executable, "-m", "cli", *args, "--content", str(content_dir), "--index", str(index)],
                              capture_output=True, text=True, timeout=120,
                              env={"KB_INSTANCE_DIR": str(site.config.instance_path), "PATH": "/usr/bin:/bin",
                                   "HOME": str(tmp_path)})

    made = kb("new", "会议纪要写法", "--slug", "meeting-minutes", "--type", "流程")
    assert made.returncode == 0, made.stderr
    assert count() == (before[0] + 1, before[1] + 1)
    source = tmp_path / "值班制度.md"
    source.write_text("---\ntitle: 值班制度\nslug: duty-rules\n---\n\n## 一、值班\n\n节假日值班。\n", encoding="utf-8")
    imported = kb("import", str(source), "--dir", "rules")
    assert imported.returncode == 0, imported.stderr
    assert count() == (before[0] + 2, before[1] + 2)
    assert site.search.search(Query("值班制度")).hits[0].slug == "duty-rules"
