import sys

from search import highlight
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


def _lines_run_in_best_window(text: str, terms: list[str]) -> int:
    """Lines of best_window executed: its work, counted rather than timed."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code is highlight.best_window.__code__ else None

    sys.settrace(tracer)
    try:
        highlight.best_window(text, terms)
    finally:
        sys.settrace(None)
    return count


def test_choosing_a_snippet_is_linear_and_bounded_however_often_a_word_repeats():
    # issue 9: a 210 KB section of one word took 33 s (quadratic in the matches), under the search lock
    small = _lines_run_in_best_window("接待 " * 1_000, ["接待"])
    assert small < 20 * 1_000  # a few lines per match
    assert _lines_run_in_best_window("接待 " * 4_000, ["接待"]) < 5 * small  # linear, not quadratic
    huge = _lines_run_in_best_window("接待 " * 300_000, ["接待"])
    assert huge < 20 * highlight.MAX_MATCHES  # at most MAX_MATCHES matches are looked at
