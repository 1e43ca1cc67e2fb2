from kb.diffing import compare, counts


def marked(rows):
    return [(p.kind, p.text) for r in rows for p in r.pieces if p.kind != "same"]


def test_a_changed_word_in_a_chinese_paragraph_is_marked_as_that_word():
    old = "办公室要做好保密工作，严格执行请示汇报制度。"
    new = "办公室要做好机要工作，严格执行请示汇报制度。"
    # jieba's words: 保密工作 is one word, not the paragraph and not the single characters
    assert marked(compare(old, new)) == [("del", "保密工作"), ("ins", "机要工作")]
    assert marked(compare("按时召开会议。", "按时召开座谈会。")) == [("del", "会议"), ("ins", "座谈会")]


def test_unchanged_lines_far_from_a_change_are_folded():
    old = "\n".join(f"第{i}行。" for i in range(20))
    new = old.replace("第10行。", "第10行，改过。")
    rows = compare(old, new)
    kinds = [r.kind for r in rows]
    assert kinds.count("change") == 1 and kinds[0] == "gap" and kinds[-1] == "gap"
    assert len(rows) == 1 + 2 + 1 + 2 + 1


def test_added_and_removed_lines_and_counts():
    rows = compare("甲\n乙", "甲\n丙丁\n戊")
    assert ("del", "乙") in marked(rows) and ("ins", "戊") in marked(rows)
    removed, added = counts(rows)
    assert removed == 1 and added == 3
