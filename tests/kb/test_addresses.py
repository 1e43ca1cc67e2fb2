"""The registry of lasting addresses (kb.addresses): its file, its lookups, and telling which
section a renamed heading became."""
from pathlib import Path

from kb.addresses import Address, Addresses, dump, follow, parse, register, renamed_anchors
from kb.article import Article
from kb.sections import split_sections


def article(slug, body="## 一、甲\n\n甲的正文。\n", path=None, title="标题"):
    return Article(Path(path or f"guides/{slug}.md"), path or f"guides/{slug}.md",
                   {"slug": slug, "title": title}, body, 5, split_sections(body, 5))


def test_the_file_round_trips_and_bad_entries_are_named():
    registry = Addresses()
    register(registry, article("a"))
    follow(registry, registry.by_slug["a"], article("b"))
    text = dump(registry)
    again, problems = parse(text)
    assert problems == [] and again.entries == registry.entries
    assert again.by_old["a"].slug == "b"
    assert text.count("\n{") == 1 and '"old_slugs": ["a"]' in text  # one line an entry: a change is a one-line diff
    by_hand = "- number: 1\n  slug: a\n  path: a.md\n- number: 1\n  slug: c\n  path: c.md\n- {number: x}\n"
    found, problems = parse(by_hand)  # block style, as a person writes YAML
    assert found.entries[1].slug == "a"
    assert [p.message for p in problems] == ["编号 1 出现了两次（第 2 项不起作用）",
                                            "第 3 项无法读取：需要 number（正整数）、slug 和 path"]
    assert parse("- [\n")[1][0].message.startswith("YAML 格式错误")


def test_numbers_are_never_reused_and_lookups_follow_every_change():
    registry = Addresses()
    for slug in ("a", "b", "c"):
        register(registry, article(slug))
    follow(registry, registry.by_slug["b"], article("b2", path="other/b2.md"))
    follow(registry, registry.by_slug["b2"], article("b"))  # the old slug taken back
    assert [e.number for e in registry.entries.values()] == [1, 2, 3]
    assert registry.by_slug["b"].old_slugs == ("b2",) and "b" not in registry.by_old
    whole = Addresses(dict(registry.entries))  # indexed from scratch
    assert (whole.by_slug, whole.by_path, whole.by_old) == (registry.by_slug, registry.by_path, registry.by_old)
    assert register(registry, article("d")).number == 4


def test_a_heading_renamed_in_place_keeps_its_place():
    before = split_sections("## 一、甲\n\n正文一。\n\n## 二、乙\n\n正文二。\n")
    after = split_sections("## 一、甲\n\n正文一。\n\n## 二、乙与丙\n\n全新的正文。\n")
    assert renamed_anchors(before, after) == {"乙": "乙与丙"}


def test_with_sections_added_a_section_is_known_by_its_text():
    text = "保密工作要做到文件、会议、通讯和电脑的保密，领导身边知密早、知密多。"
    before = split_sections(f"## 甲\n\n正文一。\n\n## 安全保密原则\n\n{text}\n")
    after = split_sections(f"## 新的一节\n\n别的内容。\n\n## 甲\n\n正文一。\n\n## 安全与保密\n\n{text}补充一句。\n")
    assert renamed_anchors(before, after) == {"安全保密原则": "安全与保密"}


def test_a_deleted_section_is_gone():
    before = split_sections("## 甲\n\n正文一。\n\n## 乙\n\n正文二。\n")
    after = split_sections("## 甲\n\n正文一。\n")
    assert renamed_anchors(before, after) == {"乙": ""}


def test_renames_chain_and_a_name_taken_back_needs_no_mapping():
    registry = Addresses()
    entry = register(registry, article("a", "## 甲\n\n正文。\n"))
    entry = follow(registry, entry, article("a", "## 乙\n\n正文。\n"), {"甲": "乙"})
    entry = follow(registry, entry, article("a", "## 丙\n\n正文。\n"), {"乙": "丙"})
    assert entry.anchors == {"甲": "丙", "乙": "丙"} and entry.anchor("甲") == "丙"
    entry = follow(registry, entry, article("a", "## 甲\n\n正文。\n"), {"丙": "甲"})
    assert entry.anchors == {"乙": "甲", "丙": "甲"}
