"""Search quality on hand-judged queries: Hit@1, Hit@5 and MRR@10, tuned and held-out apart.

    python bench/evaluate.py                       # current defaults: tables + failing queries
    python bench/evaluate.py --set zones.heading=3,ranking.coord=0.5   # try other settings
    python bench/evaluate.py --sweep               # the grid of SWEEP, chosen on the tuned part only
    python bench/evaluate.py --queries bench/eval_blind.yaml   # another set (every query held out)
    python bench/evaluate.py --json                # machine-readable figures and ranks
    python bench/evaluate.py -v                    # every query with its rank and first result

The main figures leave out the queries of a marked group (``group: forgiving``: traditional
characters, pinyin, homophone slips and synonyms, issue 11), which get rows of their own — tuned
and held out apart, and by ``variant`` — and are never used to choose a setting.

``bench/eval_queries.yaml`` marks every third query ``heldout: true`` (frozen 2026-11-26). No
setting is ever chosen by looking at those: every report shows the *tuned* and the *held-out*
figures apart, and ``--sweep`` picks its best configuration on the tuned part alone, then shows
what that choice does on the held-out part. ``bench/eval_blind.yaml`` was written from the
articles alone, without running the search, and is held out as a whole.

A fresh index of the content folder is built in a temporary directory for every run (and again
for every setting of ``zones.*``, which changes what is indexed). Knobs (``--set``):

    zones.<zone>     weight of a word by where it stands (search.parameters.Zones): title, tags,
                     summary, lead (the article's own document), context, heading, body (sections)
    ranking.k1, ranking.b, ranking.coord       BM25 parameters; exponent of the share of words matched
    ranking.head     bonus for a query covering a document's head (heading, or the article's title)
    ranking.proximity, ranking.window   bonus for the query's words within ``window`` words of each other
    ranking.together bonus for words typed side by side standing side by side in the document
    plan.partial, plan.synonym, plan.rare      weight of fallback parts and of synonyms; "rare" words
    coverage.distinctive, coverage.uncovered_share, coverage.unknown_joins   when a search is called
                     uncovered (bench/coverage.py); coverage.joins_beside, coverage.headless_topics,
                     coverage.verbal_nouns (0 / 1) the rules of search.coverage tried in the third round

A result is a hit when its ``slug#anchor`` (its ``slug`` when it is the article's own document),
or a section listed in its ``more``, is among the query's relevant entries, or when a bare slug
among them names its article. Hit@1 and Hit@5: share of queries with a hit at rank 1 / within
5; MRR@10: mean of 1/rank of the first hit within 10. Art@1 (a diagnostic): the first result
comes from a relevant article, whatever its section.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

QUERIES = ROOT / "bench" / "eval_queries.yaml"
CONTENT = ROOT / "content"
KINDS = ("keyword", "question", "phrase", "filter", "mixed", "colloquial")
K_HIT = 5
K_MRR = 10

# knob -> the field of search.parameters.Parameters it sets ("zones.title": Parameters.zones.title).
# The zone weights change what is indexed: an index built with others is rebuilt by itself.
KNOBS: dict[str, str] = {
    **{f"zones.{z}": f"zones.{z}" for z in ("title", "tags", "summary", "lead", "context", "heading", "body")},
    **{f"ranking.{k}": k for k in ("k1", "b", "coord", "head", "proximity", "window", "rerank", "lucene_idf",
                                    "idf_coord")},
    **{f"plan.{k}": k for k in ("partial", "synonym", "rare", "separated")},
    "ranking.intent": "intent",
    "ranking.stage": "stage",
    "ranking.together": "together",
    **{f"coverage.{k}": k for k in ("distinctive", "uncovered_share", "share_of_topics", "untagged_topics",
                                    "unknown_joins", "unknown_neutral", "verbal_nouns", "headless_topics", "joins_beside")},
}

# The grid of --sweep: each line one knob's values; every combination is run on the tuned part.
SWEEP: dict[str, list[float]] = {
    "zones.title": [1.0, 2.0, 3.0],
    "zones.heading": [1.5, 2.0, 3.0],
    "zones.summary": [0.25, 0.5],
    "zones.context": [0.0, 0.3],
    "ranking.head": [0.5, 1.0, 2.0],
}


# A marked group of queries, reported apart from the main figures: name -> its variants.
# forgiving (issue 11) is never tuned on; the tuned part of everyday (issue 20) is, its held-out part never.
GROUPS = {"forgiving": ("traditional", "pinyin", "typo", "synonym"), "everyday": ("time", "question", "wording")}


@dataclass
class Query:
    q: str
    kind: str
    relevant: list[str]
    hard: str = ""
    heldout: bool = False
    group: str = ""  # "" for the main set; else one of GROUPS
    variant: str = ""


@dataclass
class Outcome:
    query: Query
    rank: int | None  # 1-based rank of the first relevant result within the top K_MRR, or None
    article_rank: int | None  # rank of the first result from a relevant article, any section
    top: list[str] = field(default_factory=list)  # "slug#anchor" of the results, best first


def load_queries(path: Path = QUERIES, content: Path = CONTENT, all_heldout: bool | None = None) -> list[Query]:
    """Read the judged queries and check every slug and anchor against the content. A file
    other than the main set counts as held out as a whole unless ``all_heldout`` says otherwise."""
    from kb.store import load_catalog

    if all_heldout is None:
        all_heldout = Path(path).resolve() != QUERIES.resolve()
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    catalog = load_catalog(Path(content))
    anchors = {a.slug: {s.anchor for s in a.sections if s.anchor} for a in catalog.articles}
    queries, problems = [], []
    for n, item in enumerate(data, 1):
        query = Query(q=str(item["q"]), kind=item["kind"], relevant=[str(r) for r in item["relevant"]],
                      hard=str(item.get("hard") or ""), heldout=all_heldout or bool(item.get("heldout")),
                      group=str(item.get("group") or ""), variant=str(item.get("variant") or ""))
        if query.kind not in KINDS:
            problems.append(f"#{n} {query.q!r}: unknown kind {query.kind!r}")
        if query.group and query.variant not in GROUPS.get(query.group, ()):
            problems.append(f"#{n} {query.q!r}: group {query.group!r} has no variant {query.variant!r}")
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


# --- settings ----------------------------------------------------------------------------------

def parse_settings(text: str | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        name, _, value = part.partition("=")
        if name.strip() not in KNOBS:
            raise ValueError(f"no knob {name.strip()!r}; there are: {', '.join(KNOBS)}")
        out[name.strip()] = float(value)
    return out


def parameters_for(settings: dict[str, float] | None):
    """The default ranking parameters with ``settings`` (knob -> value) changed: a value handed to
    the engine, never a change to a module."""
    import dataclasses

    from search.interface import Parameters

    p = Parameters()
    zones = {name.split(".", 1)[1]: v for name, v in (settings or {}).items() if KNOBS[name].startswith("zones.")}
    typed = {KNOBS[name]: type(getattr(p, KNOBS[name]))(v) for name, v in (settings or {}).items()
             if not KNOBS[name].startswith("zones.")}
    return dataclasses.replace(p, zones=dataclasses.replace(p.zones, **zones), **typed)


def current_settings() -> dict[str, float]:
    """Every knob's default value."""
    p = parameters_for({})
    return {name: getattr(p.zones, field.split(".")[1]) if field.startswith("zones.") else getattr(p, field)
            for name, field in KNOBS.items()}


def reindexing(settings: dict[str, float]) -> tuple:
    """The settings that change what is indexed (the zone weights): an index per distinct set."""
    return tuple(sorted((k, v) for k, v in settings.items() if KNOBS[k].startswith("zones.")))


# --- running -------------------------------------------------------------------------------------

def build_index(index_dir: Path, content: Path = CONTENT, settings: dict | None = None) -> Path:
    from kb.config import load_config
    from search.interface import open_engine

    engine = open_engine(load_config(content_dir=str(content), index_dir=str(index_dir)), parameters_for(settings))
    try:
        engine.index(rebuild=True)
    finally:
        engine.close()
    return Path(index_dir)


def _matches(relevant: list[str], slug: str, ids: list[str]) -> bool:
    for r in relevant:
        if "#" in r:
            if r in ids:
                return True
        elif r == slug:  # a bare slug: the article is the answer, whichever section came up
            return True
    return False


def judge(engine, query: Query) -> Outcome:
    from search.interface import Query as SearchQuery

    result = engine.search(SearchQuery(query.q, limit=K_MRR))
    rank = article_rank = None
    top = []
    for r, hit in enumerate(result.hits, 1):
        own = f"{hit.slug}#{hit.anchor}" if hit.anchor else hit.slug
        top.append(own)
        # One result per article: its best document, and up to three more matching sections in
        # ``more``, shown on the same result line: a relevant one there counts at the same rank.
        ids = [own] + [f"{hit.slug}#{m['anchor']}" for m in hit.more if m.get("anchor")]
        if rank is None and _matches(query.relevant, hit.slug, ids):
            rank = r
        if article_rank is None and any(x.partition("#")[0] == hit.slug for x in query.relevant):
            article_rank = r
    return Outcome(query=query, rank=rank, article_rank=article_rank, top=top)


def run(index_path: Path, queries: list[Query], content: Path = CONTENT, settings: dict | None = None,
        synonyms: bool = True) -> list[Outcome]:
    """Search like the site does: the index's own dictionary, the content's synonyms."""
    from kb.config import load_config
    from search.interface import open_engine

    import dataclasses

    config = load_config(content_dir=str(content), index_dir=str(index_path))
    engine = open_engine(config, parameters_for(settings), cache_size=0)
    if not synonyms:
        engine = type(engine)(dataclasses.replace(engine.setup, synonyms_path=Path("/nonexistent")), engine.settings,
                              engine.parameters)
    try:
        return [judge(engine, q) for q in queries]
    finally:
        engine.close()


class Runner:
    """Runs settings over one content folder, building an index once per indexing setting."""

    def __init__(self, content: Path, queries: list[Query], tmp: Path, synonyms: bool = True):
        self.content, self.queries, self.tmp, self.synonyms = content, queries, tmp, synonyms
        self._indexes: dict[tuple, Path] = {}

    def __call__(self, settings: dict[str, float] | None = None) -> list[Outcome]:
        settings = settings or {}
        key = reindexing(settings)
        if key not in self._indexes:
            self._indexes[key] = build_index(self.tmp / f"index-{len(self._indexes)}", self.content, dict(key))
        return run(self._indexes[key], self.queries, self.content, settings, self.synonyms)


def metrics(outcomes: list[Outcome]) -> dict[str, float]:
    n = len(outcomes) or 1
    return {
        "n": len(outcomes),
        "hit@1": sum(o.rank == 1 for o in outcomes) / n,
        "hit@5": sum(o.rank is not None and o.rank <= K_HIT for o in outcomes) / n,
        "mrr@10": sum(1 / o.rank for o in outcomes if o.rank) / n,
        "article@1": sum(o.article_rank == 1 for o in outcomes) / n,
    }


def split(outcomes: list[Outcome], group: str = "") -> dict[str, list[Outcome]]:
    """The tuned and the held-out part of the main set (``group`` "") or of a marked group."""
    chosen = [o for o in outcomes if o.query.group == group]
    parts = {"tuned": [o for o in chosen if not o.query.heldout],
             "held-out": [o for o in chosen if o.query.heldout]}
    return {name: part for name, part in parts.items() if part}


def breakdown(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """The main figures (without the marked groups) by part and kind, then each group by part
    and variant."""
    rows = {}
    for name, part in split(outcomes).items():
        rows[name] = metrics(part)
        for kind in KINDS:
            subset = [o for o in part if o.query.kind == kind]
            if subset:
                rows[f"{name} · {kind}"] = metrics(subset)
        hard = [o for o in part if o.query.hard]
        if hard:
            rows[f"{name} · (hard)"] = metrics(hard)
    for group, variants in GROUPS.items():
        for name, part in split(outcomes, group).items():
            rows[f"{group} {name}"] = metrics(part)
            for variant in variants:
                subset = [o for o in part if o.query.variant == variant]
                if subset:
                    rows[f"{group} {name} · {variant}"] = metrics(subset)
    return rows


def table(rows: dict[str, dict[str, float]], first: str = "part") -> str:
    lines = [f"{first:<44} {'n':>3}  {'Hit@1':>6}  {'Hit@5':>6}  {'MRR@10':>6}  {'Art@1':>6}"]
    for name, m in rows.items():
        lines.append(f"{name:<44} {m['n']:>3}  {m['hit@1']:>6.3f}  {m['hit@5']:>6.3f}  {m['mrr@10']:>6.3f}  "
                     f"{m['article@1']:>6.3f}")
    return "\n".join(lines)


def failures(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.rank is None or o.rank > K_HIT]


def _outcome_json(o: Outcome) -> dict:
    return {"q": o.query.q, "kind": o.query.kind, "heldout": o.query.heldout, "hard": o.query.hard or None,
            "group": o.query.group or None, "variant": o.query.variant or None,
            "rank": o.rank, "article_rank": o.article_rank, "relevant": o.query.relevant, "top": o.top}


def sweep(runner: Runner) -> list[tuple[dict, dict]]:
    """Every combination of SWEEP, scored on the tuned part only; best first."""
    names = list(SWEEP)
    results = []
    for values in itertools.product(*(SWEEP[n] for n in names)):
        settings = dict(zip(names, values))
        tuned = split(runner(settings)).get("tuned", [])
        results.append((settings, metrics(tuned)))
    results.sort(key=lambda r: (-r[1]["hit@1"], -r[1]["mrr@10"], -r[1]["hit@5"]))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--content", type=Path, default=CONTENT)
    parser.add_argument("--set", dest="settings", help="knobs to override, e.g. zones.heading=3,ranking.coord=0.5")
    parser.add_argument("--sweep", action="store_true", help="run the grid SWEEP on the tuned part")
    parser.add_argument("--no-synonyms", action="store_true", help="search without content/_synonyms.txt")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every query, not only the failing ones")
    parser.add_argument("--show-heldout", action="store_true",
                        help="list held-out queries too (by default only tuned ones are listed: nothing is chosen "
                             "by looking at the held-out ones)")
    args = parser.parse_args(argv)
    try:
        queries = load_queries(args.queries, args.content)
        settings = parse_settings(args.settings)
    except ValueError as e:
        parser.error(str(e))
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        runner = Runner(args.content, queries, Path(tmp), synonyms=not args.no_synonyms)
        if args.sweep:
            return _report_sweep(runner, args.json)
        outcomes = runner(settings)
    effective = {**current_settings(), **settings}
    rows = breakdown(outcomes)
    if args.json:
        print(json.dumps({"settings": effective, "synonyms": not args.no_synonyms, "metrics": rows,
                          "queries": [_outcome_json(o) for o in outcomes]}, ensure_ascii=False, indent=2))
        return 0
    print(f"settings {effective}  synonyms {'off' if args.no_synonyms else 'on'}  queries {len(outcomes)}")
    print(table(rows))
    shown = outcomes if args.verbose else failures(outcomes)
    if not args.show_heldout:
        shown = [o for o in shown if not o.query.heldout]
    if shown:
        print(f"\n{'all queries' if args.verbose else f'failing queries (rank > {K_HIT} or not in the top {K_MRR})'}"
              f"{'' if args.show_heldout else ' of the tuned parts (held-out ones: --show-heldout)'}:")
        for o in shown:
            rank = o.rank if o.rank else "-"
            first = o.top[0] if o.top else "(no results)"
            flags = ("  [held out]" if o.query.heldout else "") + ("  [hard]" if o.query.hard else "") + \
                (f"  [{o.query.group}: {o.query.variant}]" if o.query.group else "")
            print(f"  {rank!s:>2}  [{o.query.kind}] {o.query.q}{flags}\n      first: {first}\n"
                  f"      want:  {', '.join(o.query.relevant)}")
    return 0


def _report_sweep(runner: Runner, as_json: bool) -> int:
    results = sweep(runner)
    best, default = results[0][0], {n: v for n, v in current_settings().items() if n in SWEEP}
    chosen = {label: breakdown(runner(s)) for label, s in (("defaults", default), ("best on tuned", best))}
    if as_json:
        print(json.dumps({"grid": [{"settings": s, "tuned": m} for s, m in results], "defaults": default,
                          "best": best, "figures": chosen}, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(results)} configurations on the tuned part; the ten best:")
    print(table({json.dumps(s): m for s, m in results[:10]}, first="settings"))
    for label, rows in chosen.items():
        print(f"\n{label}: {json.dumps(default if label == 'defaults' else best)}")
        print(table({k: v for k, v in rows.items() if "·" not in k}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
