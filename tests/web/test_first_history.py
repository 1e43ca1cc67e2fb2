"""History from the first command: `kb serve` on a content folder inside another git repository
(the bundled content/ in this project's repository) serves a copy with its own history, so that
a newcomer's first web save is a commit shown in 修改历史 with their name and message, the
article's history holds no development commits, and the project's repository is left as it was."""
import http.cookiejar
import re
import shutil
import subprocess
import urllib.parse
import urllib.request

import pytest

from tests.conftest import CONTENT
from tests.serving import Server, editors_instance
from tests.web.conftest import PASSWORDS

DEV_MESSAGE = "Tests for search and web; CSRF token required"


def git(folder, *args) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def project(tmp_path):
    """A repository with the content inside it, as a clone of this project is."""
    root = tmp_path / "project"
    shutil.copytree(CONTENT, root / "content")
    (root / "README.md").write_text("项目\n", encoding="utf-8")
    git(tmp_path, "init", "-q", str(root))
    git(root, "add", "-A")
    git(root, "-c", "user.name=开发者", "-c", "user.email=dev@example.invalid", "commit", "-qm", DEV_MESSAGE)
    return root


class Browser:
    """A client with cookies, as a person's browser is."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path) -> str:
        with self.opener.open(self.base + urllib.parse.quote(path, safe="/?=&#%")) as r:
            return r.read().decode()

    def post(self, path, fields) -> str:
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + path, data=data) as r:
            return r.read().decode()

    def token(self, path) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.get(path)).group(1)


def test_a_first_web_save_is_in_the_history_and_the_project_repository_is_untouched(project, tmp_path):
    instance = tmp_path / "instance"
    server = Server(project / "content", tmp_path / "index", tmp_path / "server.log", workers=1,
                    env=editors_instance(instance))
    try:
        server.wait_ready()
        browser = Browser(server.base)
        browser.post("/login", {"csrf": browser.token("/login"), "name": "editor", "password": PASSWORDS["editor"]})
        page = browser.get("/a/ten-awareness/edit")
        digest = re.search(r'name="digest" value="([^"]*)"', page).group(1)
        text = (instance / "content" / "guides" / "ten-awareness.md").read_text(encoding="utf-8")
        browser.post("/a/ten-awareness/edit", {"csrf": browser.token("/a/ten-awareness/edit"), "digest": digest,
                                               "text": text + "\n补充一句话。\n", "message": "补充一句"})
        history = browser.get("/a/ten-awareness/history")
        assert "补充一句" in history and "editor" in history
        assert DEV_MESSAGE not in history  # the project's development is not this article's history
        assert "补充一句话" in browser.get("/a/ten-awareness")
    finally:
        server.stop()
    assert git(project, "status", "--porcelain", "--ignored") == ""  # no site edit, no lock folder
    assert git(project, "log", "--format=%s") == DEV_MESSAGE + "\n"
    copy = instance / "content"
    assert git(copy, "log", "-1", "--format=%an|%s", "--", "guides/ten-awareness.md") == "editor|补充一句\n"
    assert "补充一句话" not in (project / "content" / "guides" / "ten-awareness.md").read_text(encoding="utf-8")


def test_later_changes_of_the_folder_are_taken_in_and_the_sites_own_kept(project, tmp_path):
    from application.content import served
    from kb.config import load_config

    config = load_config(content_dir=project / "content", instance_dir=tmp_path / "instance", index_dir=tmp_path / "i")
    copy = served(config).content_dir
    assert copy == tmp_path / "instance" / "content"
    article = copy / "guides" / "ten-awareness.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n网站上的修改。\n", encoding="utf-8")
    git(copy, "-c", "user.name=editor", "-c", "user.email=e@x", "commit", "-qam", "网站上的修改")
    other = project / "content" / "guides" / "daily-admin-work.md"
    other.write_text(other.read_text(encoding="utf-8") + "\n项目里的修改。\n", encoding="utf-8")
    git(project, "-c", "user.name=开发者", "-c", "user.email=d@x", "commit", "-qam", "项目里的修改")
    assert served(config).content_dir == copy  # the next start
    assert "项目里的修改" in (copy / "guides" / "daily-admin-work.md").read_text(encoding="utf-8")
    assert "网站上的修改" in article.read_text(encoding="utf-8")
    assert git(copy, "status", "--porcelain") == ""
    assert served(config).content_dir == copy and git(copy, "log", "-1", "--format=%s").startswith("并入")  # nothing new


def test_conflicting_changes_keep_the_sites_version(project, tmp_path):
    from application.content import served
    from kb.config import load_config

    config = load_config(content_dir=project / "content", instance_dir=tmp_path / "instance", index_dir=tmp_path / "i")
    copy = served(config).content_dir
    for folder, words in ((copy, "网站"), (project / "content", "项目")):
        path = folder / "guides" / "ten-awareness.md"
        path.write_text(path.read_text(encoding="utf-8").replace("## 一、参谋意识", f"## 一、{words}的参谋意识"), encoding="utf-8")
        git(folder, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", words)
    served(config)
    assert "## 一、网站的参谋意识" in (copy / "guides" / "ten-awareness.md").read_text(encoding="utf-8")
    assert git(copy, "status", "--porcelain") == ""


def test_a_folder_with_a_repository_of_its_own_is_served_in_place(tmp_path):
    from application.content import served
    from kb.config import load_config

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    git(tmp_path, "init", "-q", str(content))  # a clone of a shared remote is one too
    config = load_config(content_dir=content, instance_dir=tmp_path / "instance", index_dir=tmp_path / "i")
    assert served(config) == config
    inside = load_config(content_dir=content / "guides", instance_dir=tmp_path / "instance2", index_dir=tmp_path / "i",
                         history_in_parent_repo=True)
    assert served(inside) == inside  # the site was asked to commit to the repository around it
