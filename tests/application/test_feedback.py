"""「这篇有帮助吗？」: a reader's note — anonymous where anonymous reading is allowed — reaches the
article's owner (an account of the group its 责任部门 names) and the editors, who mark it
handled; counts on the analytics page; bounded per address and safe from other sites' forms."""
import pytest

from tests.conftest import write_article
from tests.web.conftest import log_in, token, wait_ready

PASSWORD = "long-enough-1"
TITLE = "公文流转办法"


@pytest.fixture
def owned(site, content_dir):
    write_article(content_dir, "guides/docs-flow.md", "## 一、收文\n\n收文登记。\n", slug="docs-flow", title=TITLE,
                  owner="综合科")
    for name, groups in (("科长", ["综合科"]), ("旁人", ["财务处"])):
        site.users.add(name, PASSWORD, "reader")
        site.people.set_groups(name, groups)
    return site


def give(client, slug="docs-flow", address="10.0.0.1", **form):
    return client.post(f"/a/{slug}/feedback", data={"csrf": token(client, f"/a/{slug}"), **form},
                       environ_base={"REMOTE_ADDR": address})


def test_an_anonymous_note_reaches_the_owner_who_marks_it_handled(owned, app):
    wait_ready(app.test_client())
    visitor = app.test_client()
    page = visitor.get("/a/docs-flow").get_data(as_text=True)
    assert "这篇有帮助吗？" in page and "想告诉负责人（综合科）的" in page
    response = give(visitor, helpful="no", reason="outdated", note="收文登记已改用新系统")
    assert response.status_code == 303
    assert "已转给这篇文章的负责人" in visitor.get(response.headers["Location"]).get_data(as_text=True)
    owner = log_in(app.test_client(), "科长", PASSWORD)
    assert "读者反馈</a>" in owner.get("/").get_data(as_text=True)
    notes = owner.get("/feedback").get_data(as_text=True)
    assert TITLE in notes and "内容过时" in notes and "收文登记已改用新系统" in notes and "没帮助" in notes
    other = log_in(app.test_client(), "旁人", PASSWORD)
    assert "读者反馈</a>" not in other.get("/").get_data(as_text=True)
    assert "收文登记已改用新系统" not in other.get("/feedback").get_data(as_text=True)
    (note,) = owned.feedback.store.notes(["docs-flow"])
    assert other.post(f"/feedback/{note.id}/handled", data={"csrf": token(other, "/feedback")}).status_code == 404
    owner.post(f"/feedback/{note.id}/handled", data={"csrf": token(owner, "/feedback")})
    assert "收文登记已改用新系统" not in owner.get("/feedback").get_data(as_text=True)
    handled = owner.get("/feedback?state=handled").get_data(as_text=True)
    assert "收文登记已改用新系统" in handled and "科长 于" in handled
    assert "收文登记已改用新系统" in log_in(app.test_client(), "editor").get("/feedback?state=all").get_data(as_text=True)
    assert app.test_client().get("/feedback").status_code == 302  # to the login page


def test_counts_on_the_analytics_page(owned, app):
    visitor = app.test_client()
    give(visitor, helpful="yes", address="10.0.0.1")
    give(visitor, helpful="no", address="10.0.0.2")
    give(visitor, helpful="no", note="看不懂", address="10.0.0.3")
    page = log_in(app.test_client(), "editor").get("/analytics").get_data(as_text=True)
    row = next(r for r in page.split("<tr>") if TITLE in r)
    assert "<td>1</td><td>2</td><td>1</td>" in row


def test_notes_are_bounded_per_address(owned, app):
    visitor = app.test_client()
    answers = [give(visitor, helpful="yes", address="10.0.0.9").status_code for _ in range(7)]
    assert answers[:5] == [303] * 5 and answers[5:] == [429, 429]
    assert give(visitor, helpful="yes", address="10.0.0.10").status_code == 303  # another colleague
    assert sum(c.helpful for c in owned.feedback.store.counts().values()) == 6


def test_nothing_said_keeps_nothing_and_other_sites_cannot_post(owned, app):
    visitor = app.test_client()
    assert "请先选「有帮助」或「没帮助」" in visitor.get(give(visitor).headers["Location"]).get_data(as_text=True)
    assert visitor.post("/a/docs-flow/feedback", data={"helpful": "yes"}).status_code == 400  # no form token
    forged = visitor.post("/a/docs-flow/feedback", data={"csrf": token(visitor, "/a/docs-flow"), "helpful": "no"},
                          headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert owned.feedback.store.counts() == {}


def test_no_anonymous_notes_where_reading_needs_an_account(content_dir, tmp_path):
    from application import Site
    from tests.web.conftest import settings
    from web.app import create_app

    site = Site(settings(content_dir, tmp_path, require_login=True))
    try:
        client = create_app(site).test_client()
        response = client.post("/a/office-service-work/feedback", data={"helpful": "yes"})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    finally:
        site.close()


def test_an_owner_named_as_a_person_reads_the_notes_too(site, content_dir, app):
    write_article(content_dir, "guides/seal-use.md", "## 一、用印\n\n用印登记。\n", slug="seal-use", title="用印办法",
                  owner="王主任")
    site.users.add("王主任", PASSWORD, "reader")
    wait_ready(app.test_client())
    assert give(app.test_client(), slug="seal-use", helpful="no", reason="unclear", note="登记簿在哪里").status_code == 303
    notes = log_in(app.test_client(), "王主任", PASSWORD).get("/feedback").get_data(as_text=True)
    assert "用印办法" in notes and "登记簿在哪里" in notes
