"""Two versions of the search code over one existing index, in-process, measured in turns.

    python bench/turns.py --content CORPUS --index INDEX --code OLD NEW [--queries 600] [--rounds 6]
    python bench/turns.py --content CORPUS --index A B --code NEW       # two builds of one corpus
    python bench/turns.py --content CORPUS --index INDEX --code NEW --profile out.txt [--queries 300]

On a machine shared with other work, two runs one after the other measure the load as much
as the code. Here the queries (bench/queries.py: distinct, so no result cache answers) are cut
into ``--rounds`` slices; each slice is searched by every version in its own fresh process, the
order of the versions alternating from round to round, so both meet the same load. Each process
opens the index read-only (``open_engine(config, cache_size=0)``, as bench/speed.py's engine
part), warms up on a few queries of its own, then times ``engine.search`` per query.

The versions must answer alike: each process reports, per query, the total, the facets and the
first ten results (slug, section and score to six places), and any difference is printed and
counted — a change made for speed must leave the answers as they were.

``--code`` names folders holding ``kb/`` and ``search/`` (a ``git archive`` of main, the working
tree); they go first on the path of the process that searches. With several ``--index`` (and one
``--code``, or as many), the versions are the indexes (each with its code): two builds of one
corpus must answer alike too (bench/build_turns.py keeps them). ``--profile`` runs the one
version under cProfile and writes the report (by own and by cumulative time).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _answer(result) -> dict:
    return {"total": result.total, "facets": result.facets,
            "top": [[h.slug, h.anchor, round(h.score, 6)] for h in result.hits]}


def worker(args) -> None:
    """Search ``args.slice`` of the queries with the code first on the path; JSON to stdout."""
    import cProfile
    import pstats

    from kb.config import load_config
    from search.analyzer import query_words
    from search.interface import Query, open_engine

    queries = json.loads(Path(args.queries_file).read_text(encoding="utf-8"))
    chosen = queries[args.slice[0] : args.slice[1]]
    query_words("预热")
    engine = open_engine(load_config(content_dir=args.content, index_dir=args.index), cache_size=0)
    try:
        for q in queries[-args.warm :]:  # a tail none of the slices use
            engine.search(Query(q))
        profiler = cProfile.Profile() if args.profile else None
        out = []
        for q in chosen:
            if profiler:
                profiler.enable()
            t = time.perf_counter()
            result = engine.search(Query(q))
            ms = (time.perf_counter() - t) * 1000
            if profiler:
                profiler.disable()
            out.append({"q": q, "ms": ms, **_answer(result)})
        if profiler:
            with open(args.profile, "w", encoding="utf-8") as fh:
                stats = pstats.Stats(profiler, stream=fh)
                fh.write(f"# engine.search over {len(chosen)} distinct queries, {args.index}\n\n## by own time\n")
                stats.sort_stats("tottime").print_stats(35)
                fh.write("\n## by cumulative time\n")
                stats.sort_stats("cumulative").print_stats(45)
        import search

        json.dump({"code": str(Path(search.__file__).resolve().parent.parent), "results": out}, sys.stdout,
                  ensure_ascii=False)
    finally:
        engine.close()


def _spawn(code: Path, index: Path, args, queries_file: Path, start: int, end: int, profile: str | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--code", str(code), "--content",
           str(args.content), "--index", str(index), "--queries-file", str(queries_file), "--slice", str(start),
           str(end), "--warm", str(args.warm)] + (["--profile", profile] if profile else [])
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    if Path(found["code"]) != code.resolve():
        raise SystemExit(f"{code}: the process imported search/ from {found['code']}")
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--content", type=Path, required=True)
    ap.add_argument("--index", type=Path, nargs="+", required=True, help="existing indexes, opened read-only")
    ap.add_argument("--code", type=Path, nargs="+", required=True, help="folders with kb/ and search/")
    ap.add_argument("--queries", type=int, default=600, help="distinct queries measured (per version)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--warm", type=int, default=20, help="queries searched first in each process, not timed")
    ap.add_argument("--seed", type=int, default=20240626)
    ap.add_argument("--profile", help="write a cProfile report of the first --code here")
    ap.add_argument("--json", type=Path, help="write every time and answer here")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--queries-file", help=argparse.SUPPRESS)
    ap.add_argument("--slice", type=int, nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        args.index = args.index[0]
        worker(args)
        return 0
    if len(args.index) > 1 and len(args.code) not in (1, len(args.index)) or len(args.index) > 1 and args.profile:
        ap.error("several --index take one --code or one per index, and no --profile")
    if len(args.index) == 1:
        versions = [(code, args.index[0]) for code in args.code]
    else:
        versions = list(zip(args.code * len(args.index) if len(args.code) == 1 else args.code, args.index))
    label = (lambda v: str(v[0])) if len(args.index) == 1 else (lambda v: f"{v[0]} @ {v[1]}")

    sys.path.insert(0, str(args.code[0]))
    sys.path.insert(1, str(HERE))
    import load
    import queries as queries_mod
    from search.analyzer import read_dictionary

    material = queries_mod.learn(args.content)
    pool = queries_mod.QueryPool(material, args.seed, read_dictionary(args.content / "_dictionary.txt"))
    asked = pool.take(args.queries + args.warm)
    kinds = {q: kind for kind, q in asked}
    with tempfile.TemporaryDirectory() as tmp:
        queries_file = Path(tmp) / "queries.json"
        queries_file.write_text(json.dumps([q for _, q in asked], ensure_ascii=False), encoding="utf-8")
        if args.profile:
            found = _spawn(args.code[0], args.index[0], args, queries_file, 0, args.queries, args.profile)
            ms = [r["ms"] for r in found["results"]]
            print(json.dumps({"profile": args.profile, "ms": load.summary_ms(ms)}, ensure_ascii=False))
            return 0
        step = -(-args.queries // args.rounds)
        runs: dict[str, list[dict]] = {label(v): [] for v in versions}
        for r in range(args.rounds):
            start, end = r * step, min(args.queries, (r + 1) * step)
            order = versions if r % 2 == 0 else list(reversed(versions))
            for code, index in order:
                runs[label((code, index))] += _spawn(code, index, args, queries_file, start, end)["results"]
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    report = {"index": [str(i) for i in args.index], "queries": args.queries, "rounds": args.rounds, "versions": {}}
    for code, results in runs.items():
        by_kind: dict[str, list[float]] = {}
        for item in results:
            by_kind.setdefault(kinds[item["q"]], []).append(item["ms"])
        report["versions"][code] = {"ms": load.summary_ms([x["ms"] for x in results]),
                                    "by_kind_ms": {k: load.summary_ms(v) for k, v in sorted(by_kind.items())}}
    first, *others = list(runs.values())
    differ = []
    for other in others:
        for a, b in zip(first, other):
            if {k: a[k] for k in ("total", "facets", "top")} != {k: b[k] for k in ("total", "facets", "top")}:
                differ.append({"q": a["q"], "a": {k: a[k] for k in ("total", "facets", "top")},
                               "b": {k: b[k] for k in ("total", "facets", "top")}})
    report["answers_differ"] = len(differ)
    report["differences"] = differ[:20]
    if args.json:
        args.json.write_text(json.dumps({**report, "runs": runs}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
