"""The use cases of a guideline's life on the application object: 「确认仍然有效」 and 「开始修订」
(each one commit by that editor), deleting with a reason and a replacement, the version in force
on a day from the git history, and review reminders sent through a real SMTP server."""
import datetime as dt
import os
import subprocess

import pytest

from application import Site
from cli.main import main
from kb.history import Author
from search.interface import Query
from tests.conftest import write_article
from tests.web.conftest import settings

TODAY = dt.date.today()
EDITOR = Author("张三", "zhang@example.cn")


def git(folder, *args, date: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "李四", "GIT_AUTHOR_EMAIL": "li@example.cn",
           "GIT_COMMITTER_NAME": "李四", "GIT_COMMITTER_EMAIL": "li@example.cn"}
    if date:
        env.update(GIT_AUTHOR_DATE=f"{date}T10:00:00+08:00", GIT_COMMITTER_DATE=f"{date}T10:00:00+08:00")
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True, env=env).stdout


def due_rules(content_dir):
    """Rules of two owners, one overdue, one due soon, one not yet due, a repealed one past its date."""
    write_article(content_dir, "rules/docs.md", "## 第一条\n\n公文由秘书科统一收发。\n", slug="document-handling",
                  title="公文处理办法", type="rule", owner="秘书科", doc_no="办发〔2023〕5号",
                  review_by=(TODAY - dt.timedelta(days=10)).isoformat())
    write_article(content_dir, "rules/seal.md", "## 第一条\n\n用印须经审批。\n", slug="seal-rules", title="印章管理办法",
                  type="rule", owner="办公室综合科", review_by=(TODAY + dt.timedelta(days=20)).isoformat())
    write_article(content_dir, "rules/duty.md", "## 第一条\n\n节假日安排值班。\n", slug="duty-rules", title="值班管理办法",
                  type="rule", owner="办公室综合科", review_by=(TODAY + dt.timedelta(days=200)).isoformat())
    write_article(content_dir, "rules/old.md", "## 第一条\n\n旧规定。\n", slug="old-rules", title="旧的管理办法",
                  type="rule", owner="秘书科", status="废止", repealed_on="2024-01-01",
                  review_by=(TODAY - dt.timedelta(days=100)).isoformat())


@pytest.fixture
def reviewed(content_dir):
    due_rules(content_dir)
    return content_dir


def test_the_review_lists_overdue_and_soon_due_rules_in_force_grouped_by_owner(reviewed, site):
    review = site.review()
    assert {owner: [d.article.slug for d in dues] for owner, dues in review.groups.items()} == {
        "秘书科": ["document-handling"], "办公室综合科": ["seal-rules"]}
    assert review.overdue == 1 and "共 2 篇待复审" in review.summary()


def test_confirming_a_review_moves_the_date_on_by_the_cycle_in_one_commit_by_that_editor(reviewed, site, content_dir):
    article = site.catalog().get("document-handling")
    before = git(content_dir, "rev-list", "--count", "HEAD")
    saved = site.confirm_review(article, article.digest, EDITOR)
    assert saved.done and saved.revision
    next_year = TODAY.replace(year=TODAY.year + 1) if not (TODAY.month == 2 and TODAY.day == 29) else dt.date(TODAY.year + 1, 2, 28)
    assert saved.article.meta["review_by"] == next_year
    text = (content_dir / "rules" / "docs.md").read_text(encoding="utf-8")
    assert f"review_by: {next_year.isoformat()}" in text and "公文由秘书科统一收发" in text
    assert int(git(content_dir, "rev-list", "--count", "HEAD")) == int(before) + 1
    log = git(content_dir, "log", "-1", "--format=%an|%ae|%s", "--name-only")
    assert log.startswith(f"张三|zhang@example.cn|确认仍然有效：公文处理办法（下次复审 {next_year}）") and "rules/docs.md" in log
    assert "document-handling" not in [d.article.slug for d in site.review().dues]


def test_starting_a_revision_marks_it_revising_and_it_stays_in_force(reviewed, site, content_dir):
    article = site.catalog().get("seal-rules")
    saved = site.start_revision(article, article.digest, EDITOR)
    assert saved.done and saved.article.meta["status"] == "revising"
    assert "status: 修订中" in (content_dir / "rules" / "seal.md").read_text(encoding="utf-8")
    assert git(content_dir, "log", "-1", "--format=%an|%s").strip() == "张三|开始修订：印章管理办法"
    assert "seal-rules" in [d.article.slug for d in site.review().dues]  # still to be reviewed


def test_a_change_made_meanwhile_is_never_overwritten_by_a_review(reviewed, site, content_dir):
    article = site.catalog().get("seal-rules")
    path = content_dir / "rules" / "seal.md"
    path.write_text(path.read_text(encoding="utf-8").replace("用印须经审批", "用印须经主任审批"), encoding="utf-8")
    saved = site.confirm_review(article, article.digest, EDITOR)
    assert not saved.done and saved.conflict and "已被别人修改" in saved.problems[0].message
    assert "用印须经主任审批" in path.read_text(encoding="utf-8")


def test_reminders_reach_each_owner_or_the_default_addresses_through_a_real_smtp_server(reviewed, tmp_path, mail_server):
    site = Site(settings(reviewed, tmp_path, **mail_server.settings, review_mail_to=("office@example.cn",),
                         review_mail_owners={"秘书科": ["mi@example.cn", "wang@example.cn"]}))
    sent = site.send_review_reminders()
    assert [s.error for s in sent] == [None, None]
    messages = {m["To"]: m for m in mail_server.messages()}
    assert set(messages) == {"mi@example.cn, wang@example.cn", "office@example.cn"}
    secretary = messages["mi@example.cn, wang@example.cn"]
    assert secretary["Subject"] == "待复审：1 篇文章（办公室知识库）"
    body = secretary.get_content()
    assert "【秘书科】" in body and "公文处理办法（办发〔2023〕5号）" in body and "已过期 10 天" in body
    assert "/a/document-handling" in body and "/review" in body and "旧的管理办法" not in body
    assert "印章管理办法" in messages["office@example.cn"].get_content()


def test_reminders_that_cannot_be_sent_are_each_reported_in_chinese(reviewed, tmp_path, capsys):
    dead = {"smtp_host": "127.0.0.1", "smtp_port": 9, "review_mail_to": ("office@example.cn",)}
    sent = Site(settings(reviewed, tmp_path, **dead)).send_review_reminders()
    assert len(sent) == 1 and "邮件没有发出" in sent[0].error
    config = tmp_path / "kb.toml"
    config.write_text('smtp_host = "127.0.0.1"\nsmtp_port = 9\nreview_mail_to = ["office@example.cn"]\n', encoding="utf-8")
    assert main(["--config", str(config), "review", "--mail", "--content", str(reviewed),
                 "--index", str(tmp_path / "index")]) == 2
    assert "提醒没有发给 office@example.cn：邮件没有发出" in capsys.readouterr().err


def test_kb_review_prints_the_list_and_exits_for_a_scheduled_job(reviewed, tmp_path, capsys, mail_server):
    index = str(tmp_path / "index")
    assert main(["review", "--content", str(reviewed), "--index", index]) == 1
    out = capsys.readouterr().out
    assert "秘书科（1 篇）" in out and "已过期 10 天" in out and "公文处理办法（办发〔2023〕5号）" in out
    assert "共 2 篇待复审" in out and "旧的管理办法" not in out
    config = tmp_path / "kb.toml"
    config.write_text(f'smtp_host = "127.0.0.1"\nsmtp_port = {mail_server.port}\nmail_from = "kb@example.cn"\n'
                      f'review_mail_to = ["office@example.cn"]\n\n[review_mail_owners]\n"秘书科" = ["mi@example.cn"]\n',
                      encoding="utf-8")
    assert main(["--config", str(config), "review", "--mail", "--content", str(reviewed), "--index", index]) == 1
    assert "已发提醒给 mi@example.cn：1 篇" in capsys.readouterr().out
    assert len(mail_server.messages()) == 2


def test_kb_review_exits_0_when_nothing_is_due_and_2_when_reminders_go_nowhere(content_dir, tmp_path, capsys):
    index = str(tmp_path / "index")
    assert main(["review", "--content", str(content_dir), "--index", index]) == 0
    assert "没有需要复审的文章" in capsys.readouterr().out
    due_rules(content_dir)
    assert main(["review", "--mail", "--content", str(content_dir), "--index", index]) == 2
    assert "没有设置收件人" in capsys.readouterr().err


def test_a_bad_recipients_table_is_one_chinese_line(tmp_path, capsys, content_dir):
    config = tmp_path / "kb.toml"
    config.write_text('[review_mail_owners]\n"秘书科" = "不是地址"\n', encoding="utf-8")
    assert main(["--config", str(config), "review", "--content", str(content_dir)]) == 2
    err = capsys.readouterr().err
    assert "review_mail_owners" in err and "秘书科" in err and "邮箱地址的列表" in err


# --- deleting -------------------------------------------------------------------------------

def test_deleting_with_a_reason_and_replacement_leaves_search_and_records_it(reviewed, app, site, content_dir):
    article = site.catalog().get("duty-rules")
    assert site.search_page(Query("\"节假日安排值班\""), record=False).result.total == 1
    saved = site.delete(article, article.digest, EDITOR, "并入印章管理办法", "seal-rules")
    assert saved.done and saved.revision
    assert not (content_dir / "rules" / "duty.md").exists()
    assert site.search_page(Query("\"节假日安排值班\""), record=False).result.total == 0
    assert site.catalog().get("duty-rules") is None
    removal = site.catalog().removed["duty-rules"]
    assert (removal.title, removal.reason, removal.replaced_by, removal.by) == ("值班管理办法", "并入印章管理办法", "seal-rules", "张三")
    log = git(content_dir, "log", "-1", "--format=%an|%s", "--name-status")
    assert log.startswith("张三|删除 值班管理办法：并入印章管理办法") and "D\trules/duty.md" in log and "_removed.yaml" in log
    assert "节假日安排值班" in git(content_dir, "show", f"{saved.revision}~1:rules/duty.md")  # the history keeps it


def test_a_replacement_that_does_not_exist_stops_the_deletion(reviewed, site, content_dir):
    article = site.catalog().get("duty-rules")
    for bad in ("no-such-rule", "duty-rules"):
        saved = site.delete(article, article.digest, EDITOR, "", bad)
        assert not saved.done and "替代文章" in saved.problems[0].message
    assert (content_dir / "rules" / "duty.md").exists()


# --- in force on a day ------------------------------------------------------------------------

def versioned(site, content_dir):
    """A rule saved in 2024, revised in January 2025 to take effect in February, then corrected."""
    def save(body, effective, date):
        write_article(content_dir, "rules/leave.md", f"## 第一条\n\n{body}\n", slug="leave-rules", title="请假管理办法",
                      type="rule", effective=effective)
        git(content_dir, "add", "rules/leave.md")
        git(content_dir, "commit", "-q", "-m", f"{body}", date=date)
    save("请假一天以内由科长批准。", "2024-01-01", "2024-01-05")
    save("请假两天以内由科长批准。", "2025-02-01", "2025-01-10")
    save("请假两天以内由科长批准，报办公室备案。", "2025-02-01", "2025-01-20")
    site.store.invalidate()
    return site.catalog().get("leave-rules")


def test_the_version_in_force_on_a_day_comes_from_the_history_by_its_dates(site, content_dir):
    article = versioned(site, content_dir)
    before = site.version_on(article, dt.date(2025, 1, 25))  # the revision is saved, not yet in force
    assert "一天以内" in before.article.body
    assert not before.current and before.change.when.date() == dt.date(2024, 1, 5) and before.change.author == "李四"
    after = site.version_on(article, dt.date(2025, 3, 1))
    assert after.current and "报办公室备案" in after.article.body
    assert site.version_on(article, dt.date(2023, 6, 1)).article is None
    assert site.version_on(article, dt.date(2023, 6, 1)).first == dt.date(2024, 1, 1)  # its effective date
    assert not after.unrecorded and not before.unrecorded


def test_a_rule_older_than_the_history_applies_from_its_effective_date(site, content_dir):
    write_article(content_dir, "rules/old.md", "## 第一条\n\n旧的规定。\n", slug="old-rule", title="旧规定",
                  type="rule", effective="2019-05-01")
    git(content_dir, "add", "rules/old.md")
    git(content_dir, "commit", "-q", "-m", "把文件放进 git", date="2026-01-10")
    site.store.invalidate()
    article = site.catalog().get("old-rule")
    found = site.version_on(article, dt.date(2020, 1, 1))
    assert found.current and found.unrecorded and found.change.when.date() == dt.date(2026, 1, 10)
    assert site.version_on(article, dt.date(2019, 1, 1)).article is None
    write_article(content_dir, "rules/undated.md", "## 一\n\n没有施行日期。\n", slug="undated", title="无日期")
    git(content_dir, "add", "rules/undated.md")
    git(content_dir, "commit", "-q", "-m", "无日期", date="2026-01-10")
    site.store.invalidate()
    assert site.version_on(site.catalog().get("undated"), dt.date(2025, 1, 1)).article is None  # from its commit



def test_a_rule_repealed_by_a_save_is_left_out_of_the_next_search_and_counted(app, site):
    phrase = Query('"节假日安排值班"')
    text = "---\ntitle: 值班管理办法\nslug: duty-rules\ntype: 制度\n---\n\n## 第一条\n\n节假日安排值班。\n"
    first = site.save("rules/duty.md", text, None, EDITOR, "新建值班管理办法")
    found = site.search_page(phrase, record=False)
    assert first.done and found.result.total == 1 and found.repealed == 0 and "repealed_hidden" not in found.to_json()
    repealed = text.replace("type: 制度\n", "type: 制度\nstatus: 废止\nrepealed_on: 2025-01-01\n")
    assert site.save("rules/duty.md", repealed, first.digest, EDITOR, "废止值班管理办法").done
    after = site.search_page(phrase, record=False)
    assert after.result.total == 0 and after.repealed == 1 and after.to_json()["repealed_hidden"] == 1
    assert site.search_page(Query('"节假日安排值班" 状态:废止'), record=False).result.total == 1


def test_kb_search_says_how_many_repealed_articles_match_too(content_dir, tmp_path, capsys):
    from tests.web.test_lifecycle import write_rules

    write_rules(content_dir)
    args = ["--content", str(content_dir), "--index", str(tmp_path / "index")]
    assert main(["search", "用印", *args]) == 0
    out = capsys.readouterr().out
    assert "/a/seal-rules#" in out and "/a/seal-rules-2019" not in out
    assert "另有 1 篇已废止的文章也符合（不在结果里）；加上 状态:废止 查看。" in out
    assert main(["search", "用印 状态:废止", *args]) == 0
    out = capsys.readouterr().out
    assert "/a/seal-rules-2019" in out and "另有" not in out


def test_a_repeal_announced_by_date_leaves_search_and_lists_on_its_day(site, content_dir):
    """status still says 现行, but repealed_on has come: the page says repealed, and so do search
    (left out by default, counted, found with 状态:废止) and the lists; the keeper's daily pass
    takes such articles again (forced: their bytes did not change)."""
    write_article(content_dir, "rules/fax.md", "## 第一条\n\n传真机由办公室统一管理。\n", slug="fax-rules",
                  title="传真机管理办法", type="rule", owner="办公室综合科",
                  repealed_on=(TODAY - dt.timedelta(days=1)).isoformat())
    write_article(content_dir, "rules/fax-later.md", "## 第一条\n\n传真机另行规定。\n", slug="fax-later",
                  title="传真机使用规定", type="rule", repealed_on=(TODAY + dt.timedelta(days=30)).isoformat())
    site.index()
    found = site.search.search(Query("传真机", scope=site.scope()))
    assert [h.slug for h in found.hits] == ["fax-later"]
    assert [h.slug for h in site.search.search(Query("传真机 状态:废止", scope=site.scope(query=Query("状态:废止")))).hits] == ["fax-rules"]
    from kb.lifecycle import shown_by_default

    assert "fax-rules" not in {a.slug for a in shown_by_default(site.catalog().articles)}
    keeper = site.keeper_for()
    keeper.take_dates()  # the first pass of a day takes the dated articles again, whatever their bytes
    assert keeper._day == TODAY and [h.slug for h in site.search.search(Query("传真机", scope=site.scope())).hits] == ["fax-later"]
