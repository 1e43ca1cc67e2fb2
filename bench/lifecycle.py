"""What a guideline's life costs a site: the sentences at the top of an article page (what
replaces what is worked out once per loaded catalog), and a search that also counts the
repealed articles matching (a second search, skipped while no article is repealed).

    python bench/lifecycle.py --content bench/out/corpus-10000 --index /tmp/index-10000 [--repeal 500] [--queries 200]

``--repeal N`` marks N articles of the corpus repealed (in place: use a corpus made for this) and
updates the index. Searches run through the application object with the engine's result cache
off, each query once, distinct queries from bench/queries.py; times are medians and 90th
percentiles in milliseconds.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from application import Query, Site  # noqa: E402
from bench.queries import QueryPool, learn  # noqa: E402
from kb import lifecycle  # noqa: E402
from kb.config import load_config  # noqa: E402
from kb.frontmatter import with_field  # noqa: E402


def figures(times: list[float]) -> str:
    times = sorted(times)
    return f"median {statistics.median(times):.2f} ms, p90 {times[int(len(times) * 0.9)]:.2f} ms (n={len(times)})"


def repeal(site: Site, n: int) -> None:
    articles = site.catalog().articles[:n]
    for a in articles:
        text = with_field(a.path.read_text(encoding="utf-8"), "status", "废止")
        a.path.write_text(with_field(text, "repealed_on", "2024-01-01"), encoding="utf-8")
    site.store.invalidate()
    site.index()


def page_notices(site: Site, runs: int = 50) -> str:
    catalog = site.catalog()
    article, today, times = catalog.articles[len(catalog.articles) // 2], dt.date.today(), []
    for _ in range(runs):
        started = time.perf_counter()
        lifecycle.notices(article, catalog.by_slug, today, catalog.replaced_by)
        times.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    lifecycle.replacements(catalog.articles)
    return f"{figures(times)}; the replacements of the catalog, once per loaded catalog: {(time.perf_counter() - started) * 1000:.1f} ms"


def searches(site: Site, queries: list[str]) -> tuple[str, str]:
    """(the default search with its count of repealed matches, the same words with 状态:全部)."""
    default, explicit = [], []
    for text in queries:
        for out, q in ((default, Query(text)), (explicit, Query(f"{text} 状态:全部"))):
            started = time.perf_counter()
            site.search_page(q, record=False)
            out.append((time.perf_counter() - started) * 1000)
    return figures(default), figures(explicit)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--content", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--repeal", type=int, default=0, help="mark this many articles repealed first (in place)")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args(argv)
    site = Site(load_config(content_dir=args.content, index_dir=args.index, search={"whoosh": {"cache_size": 0}},
                            instance_dir=args.index.parent / (args.index.name + "-instance")))
    try:
        site.index()
        if args.repeal:
            repeal(site, args.repeal)
        repealed = sum(lifecycle.status(a.meta) == "repealed" for a in site.catalog().articles)
        print(f"{len(site.catalog().articles)} articles, {repealed} repealed")
        print(f"page notices: {page_notices(site)}")
        pool = QueryPool(learn(args.content), seed=17, dictionary=site.search.snapshot().dictionary)
        texts = [q for kind, q in pool.take(args.queries) if kind != "filter"]
        site.search_page(Query(texts[0]), record=False)  # jieba and the index loaded before timing
        with_count, one = searches(site, texts)
        print(f"search, repealed left out and counted: {with_count}")
        print(f"search, 状态:全部 (one search):         {one}")
    finally:
        site.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
