"""Search quality on hand-judged queries: Hit@1, Hit@5 and MRR@10 over bench/eval_queries.yaml.

    python bench/evaluate.py                      # current defaults, table + failing queries
    python bench/evaluate.py --weights title=1,heading=1,tags=1,body=1 --coord 0.5   # knobs the code has
    python bench/evaluate.py --sweep              # the configurations of docs/benchmarks.md
    python bench/evaluate.py --json               # machine-readable figures and ranks
    python bench/evaluate.py -v                   # every query with its rank and first result

A fresh index of the content folder is built in a temporary directory for every run, so the
figures never depend on a stale cache. ``--weights`` and ``--coord`` change scoring at runtime,
without editing the library: a name that is a key of a ``WEIGHTS`` dict (``search.schema``,
``search.query``; the per-field weights title, heading, tags, body, grams) is set in that dict,
in place; a name matching a numeric module constant of ``search.schema`` / ``search.query``
(``partial`` for ``PARTIAL``) sets that constant in both modules; ``--coord`` sets
``search.query.COORD``. They change how queries are scored, not what is indexed, so one index
serves every setting. ``--sweep`` runs the configurations of ``SWEEP`` that the current search
code has knobs for, and says which it skipped.

A result is a hit when its ``slug#anchor`` (its ``slug`` when it is the article's own document),
or a section listed in its ``more``, is among the query's relevant entries, or when a bare slug
among them names its article. Hit@1 and Hit@5: share of queries with a hit at rank 1 / within
5; MRR@10: mean of 1/rank of the first hit within 10. Art@1 is a diagnostic: the first result
comes from a relevant article, whatever its section; Art@1 above Hit@1 means the right article
came first but showed the wrong section.

Queries are searched like the web app does: with the domain dictionary the index was built
with and the content's synonyms (``--no-synonyms`` leaves them out).
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

# The configurations compared in docs/benchmarks.md (## Quality): (label, weights, coord). Names
# the current search code has no knob for make --sweep skip the line (fields went from five
# weighted ones to one in schema 9+; PARTIAL replaced the grams field).
SWEEP = [
    ("defaults", None, None),
    ("flat: title=heading=tags=body=1", "title=1,heading=1,tags=1,body=1", None),
    ("grams off (0)", "grams=0", None),
    ("grams 0.2", "grams=0.2", None),
    ("grams 0.8", "grams=0.8", None),
    ("grams 1.5", "grams=1.5", None),
    ("heading 3", "heading=3", None),
    ("title 1, heading 3", "title=1,heading=3", None),
    ("tags 3", "tags=3", None),
    ("title 0.5", "title=0.5", None),
    ("title 0.5, heading 1, tags 0.5", "title=0.5,heading=1,tags=0.5", None),
    ("partial off (0)", "partial=0", None),
    ("partial 0.2", "partial=0.2", None),
    ("partial 0.8", "partial=0.8", None),
    ("coord 0 (no coordination)", None, 0.0),
    ("coord 0.5", None, 0.5),
    ("coord 0.9", None, 0.9),
    ("coord 1.0", None, 1.0),
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


def _modules():
    import search.query as query_module
    import search.schema as schema_module

    return schema_module, query_module


def tunables() -> dict[str, str]:
    """What --weights can set with the search code as it is: name -> where it lives."""
    names: dict[str, str] = {}
    for module in _modules():
        weights = getattr(module, "WEIGHTS", None)
        if isinstance(weights, dict):
            names.update({k: f"{module.__name__}.WEIGHTS[{k!r}]" for k in weights})
    for module in _modules():
        for attr, value in vars(module).items():
            if (attr.isupper() and isinstance(value, (int, float)) and not isinstance(value, bool)
                    and attr not in ("COORD", "MAX_WORDS", "MAX_LIMIT") and attr.lower() not in names):
                names[attr.lower()] = f"{module.__name__}.{attr}"
    return names


def parse_weights(text: str | None) -> dict[str, float]:
    known = tunables()
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in known:
            raise ValueError(f"no knob {name!r} in the current search code; it has {', '.join(known) or 'none'}")
        out[name] = float(value)
    return out


def effective_settings() -> dict[str, float]:
    """The current value of every knob, for reports."""
    values: dict[str, float] = {}
    for module in _modules():
        weights = getattr(module, "WEIGHTS", None)
        if isinstance(weights, dict):
            values.update(weights)
    for name, where in tunables().items():
        if name not in values:
            module, _, attr = where.rpartition(".")
            values[name] = getattr(sys.modules[module], attr)
    return values


@contextmanager
def patched(weights: dict[str, float] | None = None, coord: float | None = None):
    """Temporarily change query-time weights and the coordination factor (see the module doc)."""
    modules = _modules()
    query_module = modules[1]
    weights = dict(weights or {})
    dicts = []
    for module in modules:  # the same dict is usually imported under both names: set it once
        d = getattr(module, "WEIGHTS", None)
        if isinstance(d, dict) and all(d is not other for other in dicts):
            dicts.append(d)
    saved_dicts = [dict(d) for d in dicts]
    saved_attrs = []
    try:
        for name, value in weights.items():
            in_dict = [d for d in dicts if name in d]
            for d in in_dict:
                d[name] = value
            if not in_dict:
                for module in modules:
                    if hasattr(module, name.upper()):
                        saved_attrs.append((module, name.upper(), getattr(module, name.upper())))
                        setattr(module, name.upper(), value)
        saved_attrs.append((query_module, "COORD", query_module.COORD))
        if coord is not None:
            query_module.COORD = coord
        yield
    finally:
        for d, old in zip(dicts, saved_dicts):
            d.clear()
            d.update(old)
        for module, attr, value in reversed(saved_attrs):
            setattr(module, attr, value)


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
        coord: float | None = None, synonyms: Path | None = CONTENT / "_synonyms.txt") -> list[Outcome]:
    """Search like the site does: the index's own dictionary, the content's synonyms."""
    from search.query import SearchService

    with patched(weights, coord):
        # A fresh service per run: it caches results per query text.
        service = SearchService(index_path, synonyms)
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


def _coord() -> float:
    import search.query as query_module

    return query_module.COORD


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--content", type=Path, default=CONTENT)
    parser.add_argument("--weights", help="weights to override, e.g. title=2,heading=2,tags=1.5,body=1,grams=0.4 "
                        "(multi-field search) or partial=0.4 (single-field search)")
    parser.add_argument("--coord", type=float, help="coordination factor (search.query.COORD), e.g. 0.9")
    parser.add_argument("--sweep", action="store_true", help="compare the configurations listed in SWEEP")
    parser.add_argument("--no-synonyms", action="store_true", help="search without content/_synonyms.txt")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every query, not only the failing ones")
    args = parser.parse_args(argv)

    try:
        queries = load_queries(args.queries, args.content)
        weights = parse_weights(args.weights)
    except ValueError as e:
        parser.error(str(e))
    configs, skipped = [], []
    for label, w, c in SWEEP:
        try:
            configs.append((label, parse_weights(w), c))
        except ValueError:
            skipped.append(label)
    synonyms = None if args.no_synonyms else args.content / "_synonyms.txt"
    from search.schema import SCHEMA_VERSION

    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        index = build_index(Path(tmp) / "index", args.content)
        if args.sweep:
            results = []
            for label, w, c in configs:
                outcomes = run(index, queries, w, c, synonyms)
                results.append((label, {**effective_settings(), **w}, c, outcomes))
            if args.json:
                print(json.dumps({"schema": SCHEMA_VERSION, "skipped": skipped, "configs": [
                    {"config": label, "weights": w, "coord": c, "metrics": breakdown(o)}
                    for label, w, c, o in results]}, ensure_ascii=False, indent=2))
            else:
                print(f"schema {SCHEMA_VERSION}  defaults {effective_settings()}  coord {_coord()}  "
                      f"queries {len(queries)}")
                print(table({label: metrics(o) for label, _, _, o in results}, first="configuration"))
                if skipped:
                    print(f"skipped (no such knob in this search code): {'; '.join(skipped)}")
            return 0

        outcomes = run(index, queries, weights, args.coord, synonyms)

    effective = {**effective_settings(), **weights}
    coord = _coord() if args.coord is None else args.coord
    rows = breakdown(outcomes)
    if args.json:
        print(json.dumps({"weights": effective, "coord": coord, "synonyms": synonyms is not None,
                          "schema": SCHEMA_VERSION,
                          "metrics": rows, "queries": [_outcome_json(o) for o in outcomes]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"weights {effective}  coord {coord}  synonyms {'on' if synonyms else 'off'}  "
          f"schema {SCHEMA_VERSION}  queries {len(outcomes)}")
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
