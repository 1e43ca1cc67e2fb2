"""Search quality on hand-judged queries: Hit@1, Hit@5 and MRR@10 over bench/eval_queries.yaml.

    python bench/evaluate.py                      # current defaults, table + failing queries
    python bench/evaluate.py --weights title=1,heading=1,tags=1,body=1 --coord 0.5
    python bench/evaluate.py --sweep              # the configurations of docs/benchmarks.md
    python bench/evaluate.py --json               # machine-readable figures and ranks
    python bench/evaluate.py -v                   # every query with its rank and first result

A fresh index of the content folder is built in a temporary directory for every run, so the
figures never depend on a stale cache. ``--weights`` and ``--coord`` patch ``search.schema.WEIGHTS``
(the dict ``search.query`` uses too, mutated in place) and ``search.query.COORD`` at runtime:
they change how queries are scored, not what is indexed, so one index serves every setting.

Queries are searched like the web app does: with the domain dictionary (``SearchService(index,
content/_dictionary.txt)``). ``--no-dictionary`` searches like ``kb search`` on the command
line, which opens the service without it.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

QUERIES = ROOT / "bench" / "eval_queries.yaml"
CONTENT = ROOT / "content"
KINDS = ("keyword", "question", "phrase", "filter", "mixed")
K_HIT = 5
K_MRR = 10

# The configurations compared in docs/benchmarks.md (## Quality): (label, weights, coord).
SWEEP = [
    ("defaults", None, None),
    ("flat title=heading=tags=body=1", "title=1,heading=1,tags=1,body=1", None),
    ("flat fields, grams 0.4, coord 0.5", "title=1,heading=1,tags=1,body=1", 0.5),
    ("grams off (0)", "grams=0", None),
    ("grams 0.2", "grams=0.2", None),
    ("grams 0.8", "grams=0.8", None),
    ("grams 1.5", "grams=1.5", None),
    ("coord 0", None, 0.0),
    ("coord 0.5", None, 0.5),
    ("coord 0.9 (default)", None, 0.9),
    ("title 1 heading 3", "title=1,heading=3", None),
    ("title 1 heading 3 tags 1 body 1.5", "title=1,heading=3,tags=1,body=1.5", None),
    ("heading 3 body 1.5", "heading=3,body=1.5", None),
    ("title 0.5", "title=0.5", None),
    ("tags 3", "tags=3", None),
]


@dataclass
class Query:
    q: str
    kind: str
    relevant: list[str]
    hard: str = ""


@dataclass
class Outcome:
    query: Query
    rank: int | None  # 1-based rank of the first relevant result within the top K_MRR, or None
    article_rank: int | None  # rank of the first result from a relevant article, any section
    top: list[str] = field(default_factory=list)  # "slug#anchor" of the results, best first


def load_queries(path: Path = QUERIES, content: Path = CONTENT) -> list[Query]:
    """Read the judged queries and check every slug and anchor against the content."""
    from kb.store import load_catalog

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    catalog = load_catalog(Path(content))
    anchors = {a.slug: {s.anchor for s in a.sections if s.anchor} for a in catalog.articles}
    queries, problems = [], []
    for n, item in enumerate(data, 1):
        query = Query(q=str(item["q"]), kind=item["kind"], relevant=[str(r) for r in item["relevant"]],
                      hard=str(item.get("hard") or ""))
        if query.kind not in KINDS:
            problems.append(f"#{n} {query.q!r}: unknown kind {query.kind!r}")
        if not query.relevant:
            problems.append(f"#{n} {query.q!r}: no relevant results")
        for r in query.relevant:
            slug, _, anchor = r.partition("#")
            if slug not in anchors:
                problems.append(f"#{n} {query.q!r}: no article {slug!r}")
            elif anchor and anchor not in anchors[slug]:
                problems.append(f"#{n} {query.q!r}: no section {r!r}")
        queries.append(query)
    seen = defaultdict(int)
    for query in queries:
        seen[query.q] += 1
    problems += [f"duplicate query {q!r}" for q, c in seen.items() if c > 1]
    if problems:
        raise ValueError("bad evaluation set:\n  " + "\n  ".join(problems))
    return queries


def parse_weights(text: str | None) -> dict[str, float]:
    from search.schema import WEIGHTS

    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in WEIGHTS:
            raise ValueError(f"unknown field {name!r}; fields are {', '.join(WEIGHTS)}")
        out[name] = float(value)
    return out


@contextmanager
def patched(weights: dict[str, float] | None = None, coord: float | None = None):
    """Temporarily change the query-time field weights and the coordination factor."""
    import search.query as query_module
    import search.schema as schema_module

    dicts = [schema_module.WEIGHTS]
    if query_module.WEIGHTS is not schema_module.WEIGHTS:  # both names must see the change
        dicts.append(query_module.WEIGHTS)
    saved = [dict(d) for d in dicts]
    saved_coord = query_module.COORD
    try:
        for d in dicts:
            d.update(weights or {})
        if coord is not None:
            query_module.COORD = coord
        yield
    finally:
        for d, old in zip(dicts, saved):
            d.clear()
            d.update(old)
        query_module.COORD = saved_coord


def build_index(index_dir: Path, content: Path = CONTENT) -> Path:
    from kb.config import load_config
    from search.indexer import update_index

    update_index(load_config(content_dir=str(content), index_dir=str(index_dir)), rebuild=True)
    return Path(index_dir)


def _matches(relevant: list[str], slug: str, ids: list[str]) -> bool:
    for r in relevant:
        if "#" in r:
            if r in ids:
                return True
        elif r == slug:  # a bare slug: the article is the answer, whichever section came up
            return True
    return False


def judge(service, query: Query) -> Outcome:
    result = service.search(query.q, limit=K_MRR)
    rank = article_rank = None
    top = []
    for r, hit in enumerate(result.hits, 1):
        own = f"{hit.slug}#{hit.anchor}" if hit.anchor else hit.slug
        top.append(own)
        # Results are grouped one per article: the best document of the article is the hit,
        # and up to three more matching sections of the same article come in ``more``. A
        # relevant section found in ``more`` is shown on the same result line, so it counts
        # at the same rank.
        ids = [own] + [f"{hit.slug}#{m['anchor']}" for m in hit.more if m.get("anchor")]
        if rank is None and _matches(query.relevant, hit.slug, ids):
            rank = r
        if article_rank is None and any(x.partition("#")[0] == hit.slug for x in query.relevant):
            article_rank = r
    return Outcome(query=query, rank=rank, article_rank=article_rank, top=top)


def run(index_path: Path, queries: list[Query], weights: dict[str, float] | None = None,
        coord: float | None = None, dictionary: Path | None = CONTENT / "_dictionary.txt") -> list[Outcome]:
    from search.query import SearchService

    with patched(weights, coord):
        service = SearchService(index_path, dictionary)
        try:
            return [judge(service, q) for q in queries]
        finally:
            service.close()


def metrics(outcomes: list[Outcome]) -> dict[str, float]:
    n = len(outcomes) or 1
    return {
        "n": len(outcomes),
        "hit@1": sum(o.rank == 1 for o in outcomes) / n,
        "hit@5": sum(o.rank is not None and o.rank <= K_HIT for o in outcomes) / n,
        "mrr@10": sum(1 / o.rank for o in outcomes if o.rank) / n,
        "article@1": sum(o.article_rank == 1 for o in outcomes) / n,
    }


def breakdown(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    rows = {"all": metrics(outcomes)}
    for kind in KINDS:
        subset = [o for o in outcomes if o.query.kind == kind]
        if subset:
            rows[kind] = metrics(subset)
    hard = [o for o in outcomes if o.query.hard]
    if hard:
        rows["(hard)"] = metrics(hard)
    return rows


def table(rows: dict[str, dict[str, float]], first: str = "kind") -> str:
    lines = [f"{first:<36} {'n':>3}  {'Hit@1':>6}  {'Hit@5':>6}  {'MRR@10':>6}  {'Art@1':>6}"]
    for name, m in rows.items():
        lines.append(f"{name:<36} {m['n']:>3}  {m['hit@1']:>6.3f}  {m['hit@5']:>6.3f}  {m['mrr@10']:>6.3f}  "
                     f"{m['article@1']:>6.3f}")
    return "\n".join(lines)


def failures(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.rank is None or o.rank > K_HIT]


def _outcome_json(o: Outcome) -> dict:
    return {"q": o.query.q, "kind": o.query.kind, "hard": o.query.hard or None, "rank": o.rank,
            "article_rank": o.article_rank, "relevant": o.query.relevant, "top": o.top}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--content", type=Path, default=CONTENT)
    parser.add_argument("--weights", help="field weights to override, e.g. title=2,heading=2,tags=1.5,body=1,grams=0.4")
    parser.add_argument("--coord", type=float, help="coordination factor (search.query.COORD), e.g. 0.9")
    parser.add_argument("--sweep", action="store_true", help="compare the configurations listed in SWEEP")
    parser.add_argument("--no-dictionary", action="store_true", help="search without the domain dictionary, like `kb search`")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every query, not only the failing ones")
    args = parser.parse_args(argv)

    queries = load_queries(args.queries, args.content)
    dictionary = None if args.no_dictionary else args.content / "_dictionary.txt"
    from search.schema import WEIGHTS

    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        index = build_index(Path(tmp) / "index", args.content)
        if args.sweep:
            configs = [(label, parse_weights(w), c) for label, w, c in SWEEP]
            results = []
            for label, w, c in configs:
                outcomes = run(index, queries, w, c, dictionary)
                results.append((label, {**WEIGHTS, **w}, c, outcomes))
            if args.json:
                print(json.dumps([{"config": label, "weights": w, "coord": c, "metrics": breakdown(o)}
                                  for label, w, c, o in results], ensure_ascii=False, indent=2))
            else:
                print(table({label: metrics(o) for label, _, _, o in results}, first="configuration"))
            return 0

        weights = parse_weights(args.weights)
        outcomes = run(index, queries, weights, args.coord, dictionary)

    import search.query as query_module

    effective = {**WEIGHTS, **weights}
    coord = query_module.COORD if args.coord is None else args.coord
    rows = breakdown(outcomes)
    if args.json:
        print(json.dumps({"weights": effective, "coord": coord, "dictionary": dictionary is not None,
                          "metrics": rows, "queries": [_outcome_json(o) for o in outcomes]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"weights {effective}  coord {coord}  dictionary {'on' if dictionary else 'off'}  "
          f"queries {len(outcomes)}")
    print(table(rows))
    shown = outcomes if args.verbose else failures(outcomes)
    if shown:
        print(f"\n{'all queries' if args.verbose else f'failing queries (rank > {K_HIT} or not in the top {K_MRR})'}:")
        for o in shown:
            rank = o.rank if o.rank else "-"
            first = o.top[0] if o.top else "(no results)"
            flag = "  [hard]" if o.query.hard else ""
            print(f"  {rank!s:>2}  [{o.query.kind}] {o.query.q}{flag}\n      first: {first}\n"
                  f"      want:  {', '.join(o.query.relevant)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
