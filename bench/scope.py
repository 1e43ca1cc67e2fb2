"""What who-may-read-what costs an anonymous search: the site's search (application.Site
``search_page``, as /api/search runs it) with the access rules of issue 19 (drafts and readers:
the engine applies ``Scope(hide={status: draft}, only={readers: 全体})`` before counting) against the
same site with the drafts rule alone, query by query in turns — the same distinct queries, the
order of the two flipped every query, no result cache — so that a busy machine's drift falls on
both alike.

    python bench/scope.py --corpus DIR/corpus-10000 --index DIR/index-10000 [--queries 2000]

The index must be current for this code (bench/speed.py builds one; `kb index` does too).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, Path(__file__).resolve().parent):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import corpus as corpus_mod  # noqa: E402
import load  # noqa: E402  (bench/load.py: summaries)
import queries as queries_mod  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=corpus_mod.DEFAULT_SEED, help="of the queries (as bench/speed.py)")
    args = ap.parse_args(argv)

    from application import Site
    from application.access import Access, Drafts
    from search.analyzer import read_dictionary
    from search.interface import Query

    settings = {"content_dir": args.corpus, "index_dir": args.index, "search": {"whoosh": {"cache_size": 0}},
                "analytics": False, "instance_dir": args.index.parent / "scope-instance"}
    with_rules, drafts_only = Site(settings), Site(settings)
    drafts_only.access = Access([Drafts()])
    material = queries_mod.learn(args.corpus)
    pool = queries_mod.QueryPool(material, args.seed, read_dictionary(args.corpus / "_dictionary.txt"))
    asked = pool.take(args.queries)
    times = {"drafts and readers": [], "drafts only": []}
    sites = {"drafts and readers": with_rules, "drafts only": drafts_only}
    for site in sites.values():
        site.search_page(Query("办公室"), record=False)  # open the index, load jieba
    totals_differ = 0
    for i, (_, q) in enumerate(asked):
        order = list(sites) if i % 2 == 0 else list(reversed(sites))
        found = {}
        for name in order:
            t = time.perf_counter()
            page = sites[name].search_page(Query(q), record=False)
            times[name].append((time.perf_counter() - t) * 1000)
            found[name] = page.result.total if page.result else None
        totals_differ += found["drafts and readers"] != found["drafts only"]
    for name, ms in times.items():
        print(f"{name}: {load.summary_ms(ms)}")
    print(f"queries: {len(asked)}; totals that differ: {totals_differ} (the corpus restricts no article)")
    for site in sites.values():
        site.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
