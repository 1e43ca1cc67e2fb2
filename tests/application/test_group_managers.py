"""A group's 负责人 (kb.people managers) who is only a reader sees the read confirmations of their own
group's people, on the page and in the CSV, and may remind them; a reader who manages nothing is
refused as the rest of the site refuses; editors still see everyone."""
import csv
import io

import pytest

from tests.conftest import write_article
from tests.web.conftest import log_in, token

PASSWORD = "long-enough-1"


@pytest.fixture
def office(site, content_dir):
    write_article(content_dir, "guides/newcomer-secrets.md", "不带文件回家。", slug="newcomer-secrets",
                  title="新员工保密须知", required_for="[新员工]")
    write_article(content_dir, "guides/all-hands.md", "按时上班。", slug="all-hands", title="全体须知",
                  required_for="[全体]")
    write_article(content_dir, "finance/seal.md", "印鉴交接。", slug="seal-rules", title="印鉴交接规程",
                  required_for="[全体]", readers="[财务处]")
    for name, groups in (("小新", ["新员工"]), ("老王", ["办公室"]), ("会计", ["财务处"]), ("处长", ["办公室"])):
        site.users.add(name, PASSWORD, "reader")
        site.people.set_groups(name, groups)
    return site


def set_managers(app, group: str, names: str):
    admin = log_in(app.test_client(), "admin")
    return admin.post("/users", data={"csrf": token(admin, "/users"), "action": "managers", "name": group,
                                      "managers": names})


def people_in(page: str) -> set[str]:
    return {row.split('<th scope="row">')[1].split("<")[0] for row in page.split("<tr")[1:] if '<th scope="row">' in row}


def test_the_admin_names_a_groups_managers_on_the_users_page(office, app):
    response = set_managers(app, "新员工", "处长")
    assert response.status_code == 200 and "已把 新员工 的负责人改为 处长" in response.get_data(as_text=True)
    assert office.people.managers("新员工") == ["处长"] and office.people.managed_by("处长") == {"新员工"}
    page = log_in(app.test_client(), "admin").get("/users").get_data(as_text=True)
    assert 'name="managers" value="处长"' in page
    wrong = set_managers(app, "新员工", "处长、没有这人")
    assert wrong.status_code == 400 and "没有这些用户：没有这人" in wrong.get_data(as_text=True)
    assert office.people.managers("新员工") == ["处长"]  # a mistake changes nothing


def test_a_manager_sees_their_own_groups_people_only(office, app):
    set_managers(app, "新员工", "处长")
    head = log_in(app.test_client(), "处长", PASSWORD)
    assert "阅读确认</a>" in head.get("/").get_data(as_text=True)
    summary = head.get("/confirmations").get_data(as_text=True)
    assert "新员工保密须知" in summary and "全体须知" in summary
    assert "印鉴交接规程" not in summary  # an article they may not read
    assert 'href="/confirmations?group=%E5%8A%9E%E5%85%AC%E5%AE%A4"' not in summary  # 办公室: not theirs
    assert people_in(head.get("/confirmations?slug=all-hands").get_data(as_text=True)) == {"小新"}
    assert people_in(head.get("/confirmations?group=新员工").get_data(as_text=True)) == {"小新"}
    assert head.get("/confirmations?group=办公室").status_code == 404
    assert head.get("/confirmations?slug=seal-rules").status_code == 404
    everyone = people_in(log_in(app.test_client(), "editor").get("/confirmations?slug=all-hands").get_data(as_text=True))
    assert {"小新", "老王", "处长", "reader", "editor"} <= everyone  # editors see all


def test_the_managers_csv_is_limited_to_their_groups(office, app):
    set_managers(app, "新员工", "处长")
    head = log_in(app.test_client(), "处长", PASSWORD)
    rows = list(csv.reader(io.StringIO(head.get("/confirmations.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {(r[0], r[2]) for r in rows[1:]} == {("新员工保密须知", "小新"), ("全体须知", "小新")}
    assert head.get("/confirmations.csv?group=财务处").status_code == 404


def test_a_reader_who_manages_nothing_cannot_see_or_remind(office, app):
    set_managers(app, "新员工", "处长")
    reader = log_in(app.test_client(), "老王", PASSWORD)
    assert "阅读确认</a>" not in reader.get("/").get_data(as_text=True)
    for url in ("/confirmations", "/confirmations.csv", "/confirmations?slug=all-hands"):
        response = reader.get(url)
        assert response.status_code == 403 and "某个组的负责人" in response.get_data(as_text=True)
    response = reader.post("/confirmations/remind", data={"csrf": token(reader, "/")})
    assert response.status_code == 403
    assert reader.post("/confirmations/remind", data={}).status_code in (400, 403)  # no form token
    anonymous = app.test_client()
    response = anonymous.get("/confirmations.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_manager_removed_from_the_group_loses_the_view(office, app):
    set_managers(app, "新员工", "处长")
    set_managers(app, "新员工", "")
    assert office.people.managed_by("处长") == frozenset()
    assert log_in(app.test_client(), "处长", PASSWORD).get("/confirmations").status_code == 403


def test_editors_see_every_groups_chip(office, app):
    page = log_in(app.test_client(), "editor").get("/confirmations").get_data(as_text=True)
    assert 'href="/confirmations?group=%E5%8A%9E%E5%85%AC%E5%AE%A4"' in page  # 办公室
