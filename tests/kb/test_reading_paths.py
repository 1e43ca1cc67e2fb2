from kb.reading_paths import PathItem, ReadingPath, positions


def reading(*slugs: str) -> ReadingPath:
    return ReadingPath("newcomer", "新员工入职必读", "", "_paths/newcomer.md",
                       [PathItem(s.upper(), s, "", s.partition("#")[0], s.partition("#")[2]) for s in slugs])


def test_an_article_on_a_path_knows_its_place_and_neighbours():
    path = reading("a", "b#part", "c")
    [here] = positions([path], "b", {"a", "b", "c"})
    assert (here.number, here.total, here.item.anchor) == (2, 3, "part")
    assert here.previous.slug == "a" and here.next.slug == "c"
    first = positions([path], "a", {"a", "b", "c"})[0]
    assert first.previous is None and first.next.href == "b#part"


def test_neighbours_skip_articles_that_are_missing():
    [here] = positions([reading("a", "gone", "b", "also-gone")], "b", {"a", "b"})
    assert here.previous.slug == "a" and here.next is None and here.number == 3


def test_an_article_on_no_path_has_no_positions():
    assert positions([reading("a", "b")], "c", {"a", "b", "c"}) == []
