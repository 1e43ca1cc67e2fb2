"""Notes to an article's owner (kb.feedback): what is kept, counted and bounded per day."""
from kb import feedback
from kb.database import open_database
from kb.feedback import Feedback


def test_notes_are_counted_handled_and_bounded_per_day(tmp_path, monkeypatch):
    store = Feedback(open_database(f"sqlite:///{tmp_path / 'kb.sqlite3'}"))
    monkeypatch.setattr(feedback, "MAX_PER_DAY", 3)
    assert store.give("a", True, None, "") is not None
    note = store.give("a", False, "outdated", "  第二段   已经\n过时 ")
    assert note.text == "第二段 已经 过时" and note.reason_label == "内容过时"
    assert store.give("b", None, "made-up", "x" * 900).text == "x" * feedback.MAX_NOTE
    assert store.give("b", True, None, "") is None  # the day's notes are kept already
    counts = store.counts()
    assert (counts["a"].helpful, counts["a"].not_helpful, counts["a"].open) == (1, 1, 1)
    assert [n.slug for n in store.notes(["a", "b"])] == ["b", "a"]  # only those that say something
    store.handle(note.id, "科长")
    assert store.counts()["a"].open == 0 and store.notes(["a"]) == []
    assert store.notes(["a"], handled=True)[0].handled_by == "科长"
    store.engine.dispose()
