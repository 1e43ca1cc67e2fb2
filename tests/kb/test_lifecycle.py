"""The life of a guideline (kb.lifecycle) and what `kb check` reports of it (kb.check): every
problem names the file, the line and the field, in Chinese."""
import datetime as dt
from types import SimpleNamespace

from cli.main import main
from kb import lifecycle
from kb.store import load_catalog
from tests.conftest import FIXTURES

LIFECYCLE = FIXTURES / "lifecycle"
TODAY = dt.date(2026, 3, 1)


def article(slug, title="", **meta):
    return SimpleNamespace(slug=slug, title=title or slug, meta={"slug": slug, **meta})


def problems_of(name):
    catalog = load_catalog(LIFECYCLE)
    return [p for p in catalog.problems if p.path == name and p.severity != "note"]


def line_of(name: str, key: str) -> int:
    lines = (LIFECYCLE / name).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(f"{key}:"))


# --- kb check -------------------------------------------------------------------------

def test_a_replacement_that_does_not_exist_is_an_error_at_its_field():
    [p] = problems_of("replacement-missing.md")
    assert p.severity == "error" and p.line == line_of("replacement-missing.md", "superseded_by")
    assert "superseded_by" in p.message and "duty-rules-new" in p.message and "没有对应的文章" in p.message


def test_a_replacement_chain_with_a_cycle_is_an_error_in_each_file_of_it():
    for name in ("cycle-a.md", "cycle-b.md"):
        [p] = problems_of(name)
        assert p.severity == "error" and p.line == line_of(name, "superseded_by")
        assert "循环" in p.message and "reception-a → reception-b → reception-a" in p.message and "superseded_by" in p.message


def test_a_cycle_made_by_supersedes_is_reported_at_that_field(tmp_path):
    from tests.conftest import write_article

    write_article(tmp_path, "a.md", "## 一\n\n甲。", slug="rule-a", supersedes="[rule-b]")
    write_article(tmp_path, "b.md", "## 一\n\n乙。", slug="rule-b", supersedes="[rule-a]")
    found = [p for p in load_catalog(tmp_path).problems if "循环" in p.message]
    assert {p.path for p in found} == {"a.md", "b.md"} and all("supersedes" in p.message for p in found)
    for p in found:
        assert (tmp_path / p.path).read_text(encoding="utf-8").split("\n")[p.line - 1].startswith("supersedes:")


def test_a_repealed_article_without_a_date_is_a_warning_at_its_status():
    [p] = problems_of("repealed-without-date.md")
    assert p.severity == "warning" and p.line == line_of("repealed-without-date.md", "status")
    assert "repealed_on" in p.message and "废止日期" in p.message


def test_an_article_past_its_review_date_is_a_warning_at_review_by():
    [p] = problems_of("review-overdue.md")
    assert p.severity == "warning" and p.line == line_of("review-overdue.md", "review_by")
    assert "review_by" in p.message and "2020-01-01" in p.message and "已过" in p.message


def test_a_checklist_linking_to_a_repealed_or_draft_article_is_warned_at_the_line():
    found = problems_of("seal-checklist.md")
    lines = (LIFECYCLE / "seal-checklist.md").read_text(encoding="utf-8").split("\n")
    assert len(found) == 2 and all(p.severity == "warning" for p in found)
    repealed, draft = sorted(found, key=lambda p: p.line)
    assert "已废止" in repealed.message and "seal-rules-2019" in lines[repealed.line - 1]
    assert "草稿" in draft.message and "vehicle-rules-draft" in lines[draft.line - 1]


def test_a_reading_path_listing_a_repealed_article_is_warned_at_its_item():
    [p] = problems_of("_paths/newcomer.md")
    lines = (LIFECYCLE / "_paths" / "newcomer.md").read_text(encoding="utf-8").split("\n")
    assert p.severity == "warning" and "阅读路径" in p.message and "已废止" in p.message
    assert "seal-rules-2019" in lines[p.line - 1]


def test_two_articles_in_force_with_one_number_however_written_is_an_error():
    [p] = problems_of("seal-2024.md")
    assert p.severity == "error" and p.line == line_of("seal-2024.md", "doc_no")
    assert "文号" in p.message and "same-number.md" in p.message
    # the repealed 2019 rule may keep its own number; a number only for articles in force
    assert problems_of("seal-2019.md") == []


def test_kb_check_fails_on_these_errors_and_prints_them(capsys):
    assert main(["check", str(LIFECYCLE)]) == 1
    out = capsys.readouterr().out
    assert "replacement-missing.md:8: 错误: superseded_by" in out and "review-overdue.md:7: 警告: review_by" in out


# --- what a page says -------------------------------------------------------------------

def test_a_repealed_rule_says_when_and_links_its_replacement_and_the_replacement_what_it_replaced():
    old = article("seal-2019", "旧办法", status="repealed", repealed_on=dt.date(2024, 7, 1), superseded_by="seal")
    new = article("seal", "新办法", effective=dt.date(2024, 7, 1))
    by_slug = {"seal-2019": old, "seal": new}
    [notice] = lifecycle.notices(old, by_slug, TODAY)
    assert notice.kind == "repealed" and notice.links == (("seal", "新办法"),)
    assert notice.text == "本文已于 2024-07-01 废止，不再执行，由《新办法》取代。"
    [replaces] = lifecycle.notices(new, by_slug, TODAY)
    assert replaces.kind == "replaces" and replaces.text == "本文取代了《旧办法》。"
    assert [m.text for m in lifecycle.marks(old.meta, TODAY)] == ["已废止"]


def test_the_replacement_is_known_from_either_side_and_a_chain_names_the_rule_in_force():
    a = article("a", "甲", status="repealed", repealed_on=dt.date(2020, 1, 1))
    b = article("b", "乙", status="repealed", repealed_on=dt.date(2023, 1, 1), supersedes=["a"])
    c = article("c", "丙", supersedes=["b"])
    by_slug = {x.slug: x for x in (a, b, c)}
    texts = [n.text for n in lifecycle.notices(a, by_slug, TODAY)]
    assert texts == ["本文已于 2020-01-01 废止，不再执行，由《乙》取代。", "现行的是《丙》。"]


def test_a_replacement_the_reader_may_not_see_is_not_linked():
    old = article("old", status="repealed", repealed_on=dt.date(2024, 1, 1), superseded_by="secret")
    [notice] = lifecycle.notices(old, {"old": old}, TODAY, replaced_by={"old": "secret"})
    assert notice.links == () and notice.text == "本文已于 2024-01-01 废止，不再执行。"


def test_trial_and_a_future_effective_date_are_marked():
    trial = article("t", status="trial", effective=dt.date(2027, 1, 1))
    assert [m.text for m in lifecycle.marks(trial.meta, TODAY)] == ["试行", "将于 2027-01-01 起施行"]
    texts = [n.text for n in lifecycle.notices(trial, {"t": trial}, TODAY)]
    assert "本文将于 2027-01-01 起施行，在此之前尚未生效。" in texts and "本文为试行版本。" in texts
    running = article("r", status="trial", effective=dt.date(2025, 1, 1))
    assert [n.text for n in lifecycle.notices(running, {}, TODAY)] == ["本文为试行版本，自 2025-01-01 起试行。"]


def test_a_plain_guide_says_nothing_and_a_rule_with_a_number_is_marked_in_force():
    assert lifecycle.marks({"status": "current"}, TODAY) == []
    assert [m.text for m in lifecycle.marks({"status": "current", "doc_no": "办发〔2024〕1号"}, TODAY)] == ["现行"]


def test_a_repeal_date_that_has_come_repeals_and_one_to_come_is_announced():
    passed = article("p", repealed_on=dt.date(2026, 2, 1))
    assert lifecycle.repealed(passed.meta, TODAY) and not lifecycle.repealed(passed.meta)
    coming = article("c", "旧", repealed_on=dt.date(2026, 6, 1), superseded_by="n")
    [notice] = lifecycle.notices(coming, {"c": coming, "n": article("n", "新")}, TODAY)
    assert notice.text == "本文将于 2026-06-01 废止，届时由《新》取代。"


# --- in force on a day, review --------------------------------------------------------------

def test_the_version_in_force_on_a_day_waits_for_its_effective_date():
    v = lifecycle.Version
    versions = [v(dt.date(2025, 1, 20), {"effective": dt.date(2025, 2, 1)}, "typo fixed"),
                v(dt.date(2025, 1, 10), {"effective": dt.date(2025, 2, 1)}, "revision"),
                v(dt.date(2024, 1, 5), {"effective": dt.date(2024, 1, 1)}, "first")]
    assert lifecycle.version_on(versions, dt.date(2025, 1, 25)).ref == "first"
    assert lifecycle.version_on(versions, dt.date(2025, 3, 1)).ref == "typo fixed"
    assert lifecycle.version_on(versions, dt.date(2023, 12, 1)) is None


def test_due_for_review_takes_overdue_and_soon_due_articles_in_force_grouped_by_owner():
    articles = [article("late", "甲", review_by=dt.date(2026, 2, 1), owner="秘书科"),
                article("soon", "乙", review_by=dt.date(2026, 3, 20)),
                article("later", "丙", review_by=dt.date(2026, 6, 1), owner="秘书科"),
                article("gone", "丁", review_by=dt.date(2025, 1, 1), status="repealed"),
                article("draft", "戊", review_by=dt.date(2025, 1, 1), status="draft")]
    due = lifecycle.due_for_review(articles, TODAY, 30)
    assert [d.article.slug for d in due] == ["late", "soon"]
    assert due[0].overdue and due[0].when == "已过期 28 天" and due[1].when == "还有 19 天"
    assert list(lifecycle.by_owner(due)) == ["秘书科", lifecycle.NO_OWNER]


def test_the_next_review_is_a_cycle_of_months_later():
    assert lifecycle.next_review(dt.date(2026, 3, 1), 12) == dt.date(2027, 3, 1)
    assert lifecycle.next_review(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert lifecycle.next_review(dt.date(2026, 11, 15), 6) == dt.date(2027, 5, 15)


def test_reminders_go_to_each_owners_addresses_else_to_the_default_ones():
    due = lifecycle.due_for_review([article("a", review_by=dt.date(2026, 2, 1), owner="秘书科"),
                                    article("b", review_by=dt.date(2026, 2, 2), owner="财务科"),
                                    article("c", review_by=dt.date(2026, 2, 3))], TODAY, 30)
    sent = lifecycle.reminders(due, {"秘书科": ("mi@example.cn",)}, ("office@example.cn",))
    assert {r.to: sorted(r.groups) for r in sent} == {("mi@example.cn",): ["秘书科"],
                                                      ("office@example.cn",): [lifecycle.NO_OWNER, "财务科"]}
    assert lifecycle.reminders(due, {}, ()) == []  # nobody to tell: nothing is sent
