"""Who may read what (application.access ``Readers``): the rule and its search scope agree, a
folder restricted while the site runs is hidden at once, and groups come from kb.people."""
import time

import pytest

from application import Reader
from application.access import Readers
from tests.conftest import write_article
from tests.web.conftest import log_in, wait_ready


def test_the_rule_and_its_scope_agree():
    rule = Readers()
    readers = [Reader(), Reader("a", "reader", frozenset({"财务处"})), Reader("b", "editor", frozenset({"新员工"})),
               Reader("c", "admin")]
    for reader in readers:
        for values in ([], ["财务处"], ["全体"], ["审计处", "财务处"], ["审计处"]):
            assert rule.allows({"readers": values}, reader) == rule.scope(reader).allows({"readers": values}), \
                (reader, values)
    assert not rule.allows({"readers": ["财务处"]}, Reader("e", "editor"))
    assert rule.allows({"readers": ["财务处"]}, Reader("c", "admin"))


def test_an_account_reads_with_its_groups(site):
    site.users.add("cashier", "long-enough", "reader")
    site.people.set_groups("cashier", ["财务处", "新员工"])
    assert site.reader_for(site.users.get("cashier")).groups == {"财务处", "新员工"}
    site.people.forget("cashier")
    assert site.reader_for(site.users.get("cashier")).groups == frozenset()


def test_a_folder_restricted_while_the_site_runs_is_hidden_everywhere_at_once(site, content_dir, app, anonymous):
    write_article(content_dir, "finance/budget.md", "戊午预算编制的要求。", slug="budget-rules", title="戊午预算编制")
    _until(lambda: anonymous.get("/api/search?q=戊午预算").get_json()["total"] == 1)
    (content_dir / "finance" / "_folder.yaml").write_text("readers: [财务处]\n", encoding="utf-8")
    _until(lambda: anonymous.get("/api/search?q=戊午预算").get_json()["total"] == 0)
    assert anonymous.get("/a/budget-rules").status_code == 404
    assert "戊午预算编制" not in anonymous.get("/browse").get_data(as_text=True)


def _until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the site did not follow the change"
        time.sleep(0.1)


@pytest.fixture
def admin(app):
    return log_in(app.test_client(), "admin")


def _post(client, **form):
    from tests.web.conftest import token

    return client.post("/users", data={"csrf": token(client, "/users"), **form})


def test_an_admin_gives_groups_and_addresses_on_the_users_page(site, admin):
    page = _post(admin, action="add", name="新同事", role="reader", password="long-enough", groups="新员工、财务处",
                 email="xin@example.cn").get_data(as_text=True)
    assert "已添加用户 新同事" in page
    assert site.people.groups_of("新同事") == {"新员工", "财务处"}
    assert site.people.email_of("新同事") == "xin@example.cn"
    _post(admin, action="groups", name="新同事", groups="审计处")
    assert site.people.groups_of("新同事") == {"审计处"}
    page = _post(admin, action="email", name="新同事", email="not an address").get_data(as_text=True)
    assert "邮件地址 “not an address” 无效" in page
    page = _post(admin, action="add", name="另一位", role="reader", password="long-enough", groups="全体")
    assert page.status_code == 400 and site.users.get("另一位") is None  # a bad group adds nothing
    page = _post(admin, action="add_group", name="保密委员会").get_data(as_text=True)
    assert "<th scope=\"row\">保密委员会</th><td>0</td>" in page
    _post(admin, action="remove", name="新同事")
    assert site.people.groups_of("新同事") == frozenset()


def test_only_admins_manage_groups(site, app):
    editor = log_in(app.test_client(), "editor")
    assert _post(editor, action="add_group", name="财务处").status_code == 403
    assert [g.name for g in site.people.groups()] == []


def test_a_group_nobody_is_in_is_pointed_out_when_the_article_is_saved(site, content_dir):
    """A typo in 阅读范围 would hide the article from everyone but the admins: the save says so."""
    from kb.history import Author

    site.people.add_group("财务处")
    article = site.catalog().get("ten-awareness")
    text = article.path.read_text(encoding="utf-8").replace("\n---\n", "\nreaders: [财务部]\n---\n", 1)
    saved = site.save(article.rel_path, text, article.digest, Author.named("editor"), "限财务")
    assert saved.done and any("“财务部”" in n and "组名写对了吗" in n for n in saved.notes)
    text = text.replace("readers: [财务部]", "readers: [财务处]")
    saved = site.save(article.rel_path, text, saved.digest, Author.named("editor"), "改正组名")
    assert saved.done and not any("组名写对了吗" in n for n in saved.notes)
