from search.highlight import mark, snippet


def test_marks_words_inside_longer_chinese_words_and_escapes_html():
    assert mark("<b>安全保密</b>", ["保密"]) == "&lt;b&gt;安全<mark>保密</mark>&lt;/b&gt;"


def test_english_marks_are_case_insensitive():
    assert mark("Use OA daily", ["oa"]) == "Use <mark>OA</mark> daily"


def test_snippet_shows_the_window_with_the_most_distinct_terms():
    text = "开头无关的话。" * 30 + "会议要注意保密工作。" + "结尾无关的话。" * 30
    out = snippet(text, ["会议", "保密"], width=60)
    assert "<mark>会议</mark>" in out and "<mark>保密</mark>" in out
    assert out.startswith("…") and out.endswith("…")


def test_marks_fall_on_the_characters_as_written_when_scripts_differ():
    assert mark("辦公室工作人員知密早", ["办公室", "知密"]) == "<mark>辦公室</mark>工作人員<mark>知密</mark>早"
    assert snippet("在領導身邊工作。" * 40 + "要嚴守機密。", ["严守机密"]).count("<mark>嚴守機密</mark>") == 1
