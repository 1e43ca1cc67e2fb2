import random

from kb import diffing
from kb.diffing import MAX_CHARS, TOO_LONG, compare


def marked(comparison):
    return [(p.kind, p.text) for r in comparison.rows for p in r.pieces if p.kind != "same"]


def test_a_changed_word_in_a_chinese_paragraph_is_marked_as_that_word():
    old = "办公室要做好保密工作，严格执行请示汇报制度。"
    new = "办公室要做好机要工作，严格执行请示汇报制度。"
    # jieba's words: 保密工作 is one word, not the paragraph and not the single characters
    assert marked(compare(old, new)) == [("del", "保密工作"), ("ins", "机要工作")]
    assert marked(compare("按时召开会议。", "按时召开座谈会。")) == [("del", "会议"), ("ins", "座谈会")]


def test_unchanged_lines_far_from_a_change_are_folded():
    old = "\n".join(f"第{i}行。" for i in range(20))
    new = old.replace("第10行。", "第10行，改过。")
    rows = compare(old, new).rows
    kinds = [r.kind for r in rows]
    assert kinds.count("change") == 1 and kinds[0] == "gap" and kinds[-1] == "gap"
    assert len(rows) == 1 + 2 + 1 + 2 + 1


def test_added_and_removed_lines_and_counts():
    comparison = compare("甲\n乙", "甲\n丙丁\n戊")
    assert ("del", "乙") in marked(comparison) and ("ins", "戊") in marked(comparison)
    assert (comparison.removed, comparison.added) == (1, 3)


def rebuilt(comparison, side: str) -> str:
    """One version, put back together from the rows (with nothing folded away)."""
    keep = "del" if side == "old" else "ins"
    lines = []
    for row in comparison.rows:
        text = "".join(p.text for p in row.pieces if p.kind in ("same", keep))
        if row.kind == "same" or (row.old_line if side == "old" else row.new_line) is not None:
            lines.append(text)
    return "\n".join(lines)


def test_random_edits_are_described_exactly(monkeypatch):
    """Both versions can be read back from the comparison: nothing is lost or made up."""
    monkeypatch.setattr(diffing, "CONTEXT", 200)  # nothing folded
    rng = random.Random(16)
    words = ["保密", "工作", "会议", "请示", "汇报", "，", "。", "接待", " ", "\n"]
    for _ in range(60):
        old = "".join(rng.choice(words) for _ in range(rng.randrange(1, 80)))
        new = list(old)
        for _ in range(rng.randrange(1, 6)):
            new.insert(rng.randrange(len(new) + 1), rng.choice(words))
        new = "".join(new)
        comparison = compare(old, new)
        assert rebuilt(comparison, "old") == old and rebuilt(comparison, "new") == new


def test_a_version_over_the_size_limit_is_too_long_at_once():
    assert compare("甲" * (MAX_CHARS + 1), "乙").too_long == TOO_LONG


def test_a_comparison_out_of_time_says_too_long_instead_of_a_wrong_diff():
    """A paragraph of 40,000 words and the same words shuffled: Myers' diff needs almost every
    step; with a tenth of a second it stops and says so."""
    rng = random.Random(1)
    words = [rng.choice("甲乙丙丁戊己庚辛") for _ in range(40_000)]
    old = " ".join(words)
    rng.shuffle(words)
    assert compare(old, " ".join(words), seconds=0.1).too_long == TOO_LONG


def test_a_rewritten_paragraph_is_shown_as_the_old_one_and_the_new_one():
    old = "办公室要做好保密工作，严格执行请示汇报制度。" * 200
    new = "接待来访人员时要登记姓名、单位和事由，并及时通知被访部门。" * 200
    assert marked(compare(old, new)) == [("del", old), ("ins", new)]


def test_a_paragraph_of_repeated_words_with_a_change_is_compared_word_by_word():
    """The case that took difflib 5.3 s at 45 KB (quadratic): Myers' diff is linear when the
    versions differ by little."""
    old = "接待 " * 15_000
    new = "接待 " * 14_950 + "会议 " * 50
    comparison = compare(old, new)
    assert not comparison.too_long and comparison.removed == comparison.added == 100
    inserted = [p.text for r in comparison.rows for p in r.pieces if p.kind == "ins"]
    assert inserted == ["会议"] * 50
