"""`kb links` on onboarding material made in the test (.docx, .pdf, .html): each of the five
answers — fine, redirected (with the address to use now), removed (with its replacement),
broken, and a section that no longer exists — and an exit status a scheduled job can use."""
import pytest

from cli.main import main
from kb.history import Author
from tests import link_files
from tests.web.test_edit import form

SITE = "https://kb.example.cn"


@pytest.fixture
def changed(site, content_dir, monkeypatch):
    """The site after a year: a slug changed, a heading renamed, an article merged into another."""
    monkeypatch.setenv("KB_PUBLIC_URL", SITE)
    monkeypatch.setenv("KB_ALLOWED_HOSTS", "kb")
    editor = Author.named("editor")
    article = site.catalog().get("ten-awareness")
    text = article.path.read_text(encoding="utf-8").replace("slug: ten-awareness", "slug: ten-ideas")
    assert site.save(article.rel_path, text, article.digest, editor, "改地址").done
    article = site.catalog().get("office-service-work")
    text = article.path.read_text(encoding="utf-8").replace("（四）安全保密原则", "（四）安全与保密原则")
    assert site.save(article.rel_path, text, article.digest, editor, "改标题").done
    article = site.catalog().get("office-director-four-haves")
    assert site.delete(article, article.digest, editor, "并入", "qualified-office-director").done
    return site


LINKS = [
    ("服务工作", f"{SITE}/a/office-service-work"),  # fine
    ("十种意识", f"{SITE}/a/ten-awareness#参谋意识"),  # redirected: the slug changed
    ("安全保密", "http://kb/a/office-service-work#安全保密原则"),  # redirected: the heading was renamed
    ("四个有", f"{SITE}/a/office-director-four-haves"),  # removed, with its replacement
    ("不存在", f"{SITE}/a/no-such-article"),  # broken
    ("小节", f"{SITE}/a/daily-admin-work#没有这一节"),  # a section that is not there
    ("政府网站", "https://www.gov.cn/"),  # another site: not checked
]


def run(changed, content_dir, tmp_path, capsys, *files):
    code = main(["links", *map(str, files), "--content", str(content_dir), "--index", str(tmp_path / "index")])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("kind", ["docx", "pdf", "html"])
def test_each_of_the_five_answers(kind, changed, content_dir, tmp_path, capsys):
    made = getattr(link_files, kind)(LINKS)
    file = tmp_path / f"入职材料.{kind}"
    file.write_bytes(made)
    code, out = run(changed, content_dir, tmp_path, capsys, file)
    assert code == 1, out
    assert f"本站链接 6 个（正常 1，已改地址 2，已删除 1，失效 1，小节不存在 1），其他网站的链接 1 个未检查" in out, out
    assert f"请改用：{SITE}/a/ten-ideas#参谋意识" in out
    assert f"请改用：{SITE}/a/office-service-work#安全与保密原则" in out
    assert f"替代文章：{SITE}/a/qualified-office-director" in out and "已于" in out
    assert "[失效] " in out and "没有地址为 no-such-article 的文章" in out
    assert "[小节不存在] " in out and "里已没有小节“没有这一节”" in out
    assert "gov.cn" not in out


def test_short_addresses_are_fine_and_a_clean_file_exits_0(changed, content_dir, tmp_path, capsys):
    number = changed.catalog().address(changed.catalog().get("ten-ideas")).number
    file = tmp_path / "list.txt"
    file.write_text(f"{SITE}/k/{number}\n{SITE}/k/{number}#参谋意识\n{SITE}/a/office-service-work/安全与保密原则\n", encoding="utf-8")
    code, out = run(changed, content_dir, tmp_path, capsys, file)
    assert code == 0 and "本站链接 3 个（正常 3）" in out, out


def test_a_redirected_link_fails_only_when_strict(changed, content_dir, tmp_path, capsys):
    file = tmp_path / "list.txt"
    file.write_text(f"{SITE}/a/ten-awareness\n", encoding="utf-8")
    assert run(changed, content_dir, tmp_path, capsys, file)[0] == 0
    code = main(["links", str(file), "--strict", "--content", str(content_dir), "--index", str(tmp_path / "index")])
    assert code == 1


def test_an_unreadable_file_exits_2_and_says_why(changed, content_dir, tmp_path, capsys):
    file = tmp_path / "broken.docx"
    file.write_bytes(b"not a zip")
    code = main(["links", str(file), "--content", str(content_dir), "--index", str(tmp_path / "index")])
    assert code == 2 and "broken.docx：无法读取" in capsys.readouterr().err


def test_the_checker_sees_only_what_the_reader_may(site, content_dir):
    from application.access import Access
    from application import Reader
    from tests.application.test_access import OnlyEditors
    from tests.conftest import write_article

    write_article(content_dir, "guides/inner.md", "## 范围\n\n内部。\n", slug="inner-rule", title="内部办法", tags="[内部]")
    site.access = Access([OnlyEditors()])
    data = b"http://127.0.0.1:5000/a/inner-rule\n"
    assert site.check_links("a.txt", data).links[0].status == "broken"
    assert site.check_links("a.txt", data, Reader("e", "editor")).links[0].status == "ok"
