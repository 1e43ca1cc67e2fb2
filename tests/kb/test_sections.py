from kb.sections import slugify, split_sections


def test_chinese_headings_get_readable_anchors_without_outline_numbers():
    assert slugify("一、办公室的职能") == "办公室的职能"
    assert slugify("（三）综合服务") == "综合服务"
    assert slugify("1、热爱工作,爱岗敬业。") == "热爱工作爱岗敬业"
    assert slugify("第一章 总则") == "总则"


def test_words_that_start_with_a_numeral_keep_it():
    assert slugify("三服务") == "三服务"
    assert slugify("一是参谋意识") == "一是参谋意识"


def test_english_and_numbers_are_lowercased_and_hyphenated():
    assert slugify("OA 系统 Login 2024") == "oa-系统-login-2024"


def test_duplicate_headings_get_numbered_anchors():
    sections = split_sections("## 一、要求\n\na\n\n## 二、要求\n\nb\n\n## 三、要求\n")
    assert [s.anchor for s in sections] == ["要求", "要求-2", "要求-3"]


def test_explicit_id_wins_and_is_not_part_of_the_heading():
    (section,) = split_sections("## 三、会务工作 {#meeting}\n\n正文\n")
    assert section.anchor == "meeting"
    assert section.heading == "三、会务工作"


def test_anchor_survives_renumbering_and_changes_with_its_own_words():
    before = {s.heading: s.anchor for s in split_sections("## 一、职能\n\n## 二、特点\n")}
    after = {s.heading: s.anchor for s in split_sections("## 一、新增\n\n## 二、职能\n\n## 三、特点\n")}
    assert before["一、职能"] == after["二、职能"]
    assert before["二、特点"] == after["三、特点"]


def test_sections_know_their_heading_path_text_and_line():
    body = "导语\n\n## 一、职能\n\n### （一）参与政务\n\n参谋。\n\n### （二）掌管事务\n\n会议。\n\n## 二、特点\n"
    sections = split_sections(body, body_line=10)
    lead, top, first, second, nxt = sections
    assert lead.heading == "" and lead.text == "导语"
    assert first.path == ("一、职能",) and first.text == "参谋。"
    assert second.path == ("一、职能",)
    assert nxt.path == ()
    assert top.line == 12


def test_headings_inside_code_fences_are_not_sections():
    sections = split_sections("## 一、示例\n\n```\n## 不是标题\n```\n")
    assert [s.heading for s in sections] == ["一、示例"]
