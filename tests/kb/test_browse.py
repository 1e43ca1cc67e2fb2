from pathlib import Path

from kb import browse
from kb.article import Article


def article(title: str, tags=(), slug=None) -> Article:
    meta = {"slug": slug or title, "title": title, "type": "guide", "category": "测试", "summary": "", "tags": list(tags)}
    return Article(Path("x.md"), "x.md", meta, "", 1)


def test_titles_sort_by_pinyin_and_group_by_initial():
    groups = browse.alphabetical([article(t) for t in ("怎样办会", "会议", "保密", "《条例》解读", "2024 年总结", "长期规划")])
    assert {k: [a.title for a in v] for k, v in groups.items()} == {
        "B": ["保密"], "C": ["长期规划"], "H": ["会议"], "T": ["《条例》解读"], "Z": ["怎样办会"], "#": ["2024 年总结"],
    }


def test_pinyin_key_orders_by_sound_not_by_code_point():
    assert browse.pinyin_key("会议") < browse.pinyin_key("活动") < browse.pinyin_key("来访")
    assert "会议" < "保密" and browse.pinyin_key("保密") < browse.pinyin_key("会议")


def test_frequent_tags_are_those_on_more_than_one_article_most_used_first():
    articles = [article("甲", ["保密", "会务"]), article("乙", ["保密", "值班"]), article("丙", ["保密", "会务", "出差"])]
    assert browse.frequent_tags(articles) == {"保密": 3, "会务": 2}
    assert browse.frequent_tags([article("甲", ["出差"])]) == {"出差": 1}  # none shared: the few there are
