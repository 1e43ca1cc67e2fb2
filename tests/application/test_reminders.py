"""Reminders to read and confirm, targeted and recorded: one article and/or one group from the
managers' page (or `kb remind --article --group`), each sending recorded and shown
(「上次提醒：…」), a repeat to the same person about the same article within
remind_interval_hours skipped and said so; delivered through a real SMTP server."""
import subprocess
import sys

import pytest

from application import Site
from tests.conftest import REPO, write_article
from tests.web.conftest import PASSWORDS, log_in, ready_app, settings, token

PASSWORD = "long-enough-1"
NEWCOMERS, ALL_HANDS = "新员工保密须知", "全体须知"
STAFF = (("小新", ["新员工"], "xin@example.cn"), ("小李", ["新员工"], "li@example.cn"),
         ("老王", ["办公室"], "wang@example.cn"), ("处长", ["办公室"], "chu@example.cn"))


def _office(content_dir, tmp_path, **more) -> Site:
    write_article(content_dir, "guides/newcomer-secrets.md", "不带文件回家。", slug="newcomer-secrets",
                  title=NEWCOMERS, required_for="[新员工]")
    write_article(content_dir, "guides/all-hands.md", "按时上班。", slug="all-hands", title=ALL_HANDS,
                  required_for="[全体]")
    site = Site(settings(content_dir, tmp_path, **more))
    site.prepare()
    for name in ("editor", "admin"):
        site.users.add(name, PASSWORDS[name], name)
    for name, groups, email in STAFF:
        site.users.add(name, PASSWORD, "reader")
        site.people.set_groups(name, groups)
        site.people.set_email(name, email)
    site.people.set_managers("新员工", ["处长"])
    return site


@pytest.fixture
def office(content_dir, tmp_path, mail_server):
    site = _office(content_dir, tmp_path, **mail_server.settings)
    yield site, ready_app(site)
    site.close()


def remind(client, **target):
    return client.post("/confirmations/remind", data={"csrf": token(client, "/confirmations"), **target},
                       follow_redirects=True).get_data(as_text=True)


def inbox(mail_server) -> dict[str, list[str]]:
    """address -> the titles each message to it asked to read."""
    out: dict[str, list[str]] = {}
    for message in mail_server.messages():
        text = message.get_content()
        out.setdefault(message["To"], []).append("、".join(t for t in (NEWCOMERS, ALL_HANDS) if t in text))
    return out


def test_one_articles_reminder_reaches_only_its_readers_and_is_recorded(office, mail_server):
    site, app = office
    editor = log_in(app.test_client(), "editor")
    page = remind(editor, slug="newcomer-secrets")
    assert "已给 2 人发了提醒邮件" in page and f"<h1>阅读确认：{NEWCOMERS}</h1>" in page
    assert inbox(mail_server) == {"xin@example.cn": [NEWCOMERS], "li@example.cn": [NEWCOMERS]}
    assert "上次提醒：" in page and "editor 提醒了 2 人" in page
    row = next(r for r in page.split("<tr") if '<th scope="row">小新' in r)
    assert row.count("<time") == 1  # not confirmed, reminded: the reminder's time is the one shown
    summary = editor.get("/confirmations").get_data(as_text=True)
    newcomers_row = next(r for r in summary.split("<tr") if f">{NEWCOMERS}</a></th>" in r)
    all_row = next(r for r in summary.split("<tr") if f">{ALL_HANDS}</a></th>" in r)
    assert "editor 提醒了 2 人" in newcomers_row and "上次提醒" not in all_row
    assert "最近的提醒" in summary
    (sending,) = site.reading.reminders.recent()
    assert (sending.by, sending.slug, sending.group, sending.sent, sending.skipped) == \
        ("editor", "newcomer-secrets", "", 2, 0)


def test_a_repeat_within_the_interval_is_skipped_and_said_so(office, mail_server):
    site, app = office
    editor = log_in(app.test_client(), "editor")
    remind(editor, slug="newcomer-secrets")
    again = remind(editor, slug="newcomer-secrets")
    assert "已给 0 人发了提醒邮件" in again and "24 小时内已提醒过、这次跳过：小新、小李" in again
    assert len(mail_server.messages()) == 2
    everything = remind(editor)  # the other article is still new to them: only it is mentioned
    assert "已给 4 人发了提醒邮件" in everything and "没有邮件地址、没有发出：admin、editor。" in everything
    mails = inbox(mail_server)
    assert mails["xin@example.cn"] == [NEWCOMERS, ALL_HANDS] and mails["wang@example.cn"] == [ALL_HANDS]
    assert [s.skipped for s in site.reading.reminders.recent()] == [0, 2, 0]


def test_one_groups_reminder_reaches_only_that_group(office, mail_server):
    site, app = office
    page = remind(log_in(app.test_client(), "editor"), group="办公室")
    assert "已给 2 人发了提醒邮件" in page
    assert inbox(mail_server) == {"wang@example.cn": [ALL_HANDS], "chu@example.cn": [ALL_HANDS]}
    assert site.reading.reminders.recent()[0].group == "办公室"


def test_a_managers_reminder_reaches_their_group_only(office, mail_server):
    site, app = office
    head = log_in(app.test_client(), "处长", PASSWORD)
    page = remind(head)
    assert "已给 2 人发了提醒邮件" in page and "没有邮件地址" not in page
    assert set(inbox(mail_server)) == {"xin@example.cn", "li@example.cn"}
    assert site.reading.reminders.recent()[0].by == "处长"
    response = head.post("/confirmations/remind", data={"csrf": token(head, "/confirmations"), "group": "办公室"})
    assert response.status_code == 404 and len(mail_server.messages()) == 2
    assert "最近的提醒" not in head.get("/confirmations").get_data(as_text=True)  # the editors' list


def test_no_interval_reminds_again(content_dir, tmp_path, mail_server):
    site = _office(content_dir, tmp_path, remind_interval_hours=0, **mail_server.settings)
    try:
        editor = log_in(ready_app(site).test_client(), "editor")
        remind(editor, slug="newcomer-secrets")
        assert "已给 2 人发了提醒邮件" in remind(editor, slug="newcomer-secrets")
        assert len(mail_server.messages()) == 4
    finally:
        site.close()


def kb(content, instance, mail_server, *args):
    env = {"KB_INSTANCE_DIR": str(instance), "PATH": "/usr/bin:/bin", "HOME": str(instance),
           **{f"KB_{k.upper()}": str(v) for k, v in mail_server.settings.items()}}
    return subprocess.run([sys.executable, "-m", "cli", *args, "--content", str(content)], cwd=REPO,
                          capture_output=True, text=True, env=env)


def test_kb_remind_targets_an_article_and_a_group_and_skips_repeats(content_dir, tmp_path, mail_server):
    site = _office(content_dir, tmp_path, instance_dir=tmp_path / "instance")
    site.close()
    done = kb(content_dir, tmp_path / "instance", mail_server, "remind", "--article", "all-hands", "--group", "办公室")
    assert done.returncode == 0 and "已给 2 人发了提醒邮件" in done.stdout, done.stderr
    assert inbox(mail_server) == {"wang@example.cn": [ALL_HANDS], "chu@example.cn": [ALL_HANDS]}
    again = kb(content_dir, tmp_path / "instance", mail_server, "remind", "--article", "all-hands")
    assert again.returncode == 0 and "跳过：处长、老王" in again.stdout
    assert set(inbox(mail_server)) == {"wang@example.cn", "chu@example.cn", "xin@example.cn", "li@example.cn"}
    unknown = kb(content_dir, tmp_path / "instance", mail_server, "remind", "--article", "no-such-article")
    assert unknown.returncode == 2 and "没有文章" in unknown.stderr
