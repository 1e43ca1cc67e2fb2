"""The fast path (numpy matrix) against the reference (Whoosh's own matching and BM25F scorer,
walked in Python) and against plain counts over the articles: same totals, facets, filters and
top results on the bundled content."""
import pytest

from kb.store import load_catalog
from search.parse import parse_query
from search.plan import build_plan
from search.reference import ReferenceRanker
from search.storage import live_path, open_whoosh
from tests.conftest import CONTENT
from tests.conftest import ask

QUERIES = [
    "保密", "请示汇报", "办公室主任的基本要求", "大局意识", "领导出差陪同要准备什么", "会议 保密", "开会",
    "督查督办", "公文处理", "克思主", "新员工", '"知密早、知密多"', "会议 -保密", "type:清单 会议",
    "tag:保密 领导", "category:办公室主任 学习", "办公室", "服务 意识 协调 参谋", "2021", "值班 值守",
    "呈办的公文", "保密无小事 事小", "开会前要准备哪些东西", "出差回来以后还要干什么", "会议纪要怎么写",
]


@pytest.fixture(scope="module")
def both(searcher, built_index):
    snap = searcher.snapshot()
    reference = ReferenceRanker(open_whoosh(live_path(built_index).resolve()))
    yield snap, reference
    reference.close()


def _plan(snap, searcher, q):
    return build_plan(parse_query(q), snap.dictionary, snap.vocabulary, searcher.synonyms)


@pytest.mark.parametrize("q", QUERIES)
def test_fast_path_ranks_as_whoosh_does(searcher, both, q):
    snap, reference = both
    plan = _plan(snap, searcher, q)
    fast = snap.ranker.execute(plan, limit=10)
    ref = reference.run(plan, limit=10)
    assert fast.total == ref.total
    assert fast.facets == ref.facets
    fast_top = [(snap.matrix.articles[a]["slug"], snap.matrix.key(docs[0][0]), docs[0][1]) for a, docs in fast.page]
    ref_top = [(slug, docs[0][0], docs[0][1]) for slug, docs in ref.ranked]
    assert [(s, k) for s, k, _ in fast_top] == [(s, k) for s, k, _ in ref_top]
    assert [round(x, 6) for *_, x in fast_top] == [round(x, 6) for *_, x in ref_top]


@pytest.mark.parametrize("kind", ["checklist", "guide"])
def test_type_filter_counts_equal_a_count_of_the_articles(searcher, kind):
    catalog = load_catalog(CONTENT, cross_checks=False)
    articles = catalog.articles
    assert ask(searcher, f"type:{kind}").total == sum(a.type == kind for a in articles)
    everything = ask(searcher, "办公室", limit=100)
    with_word = [a for a in articles if "办公室" in a.title + a.summary + a.body + "".join(a.tags)]
    assert everything.total == len(with_word)  # reading paths come apart (SearchResult.paths)
    assert everything.facets["type"].get(kind, 0) == sum(a.type == kind for a in with_word)


def test_tag_and_category_filters_equal_a_count_of_the_articles(searcher):
    articles = load_catalog(CONTENT, cross_checks=False).articles
    assert ask(searcher, "", tag="保密").total == sum("保密" in a.tags for a in articles)
    assert ask(searcher, "", category="工作清单").total == sum(a.category == "工作清单" for a in articles)
    both = ask(searcher, "", tag="保密", category="工作清单")
    assert both.total == sum("保密" in a.tags and a.category == "工作清单" for a in articles)
