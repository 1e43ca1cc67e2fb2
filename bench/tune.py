"""Choosing ranking settings on the tuned sets only, then looking at the held-out ones once.

    python bench/tune.py                      # the grid GRID; needs ../shared/data/drcd (else office only)
    python bench/tune.py --grid ranking.coord=0,0.5,1 ranking.head=0.5,1,2
    python bench/tune.py --questions 4000 --tuned-only --grid ranking.k1=1.2,2   # all of dev, no held-out

Two tuned sets: the tuned part of bench/eval_queries.yaml (office staff's queries over the
bundled articles) and DRCD's dev split (1,000 encyclopedia questions, bench/drcd.py). Every
combination of the grid is scored on both — the objective is the mean of the office Hit@1 and
DRCD's section R@1, each a share of questions answered by the first result — and only the best
combination (and the current defaults, for comparison) is then run on the held-out sets: the
held-out part of eval_queries.yaml, bench/eval_blind.yaml and DRCD's test split. Nothing seen
there feeds back into the choice.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import evaluate  # noqa: E402

GRID: dict[str, list[float]] = {
    "ranking.coord": [0.0, 0.5, 1.0],
    "ranking.head": [0.5, 1.0, 2.0],
    "zones.summary": [0.25, 0.5],
}


class Drcd:
    """One DRCD split as a knowledge base, indexed once per indexing setting."""

    def __init__(self, split: str, tmp: Path, questions: int = 1000):
        from bench import drcd

        self.drcd = drcd
        path = drcd.DATA / drcd.SPLITS[split][0]
        self.content = tmp / f"drcd-{split}" / "content"
        self.corpus = drcd.build_kb(drcd.load_split(path), self.content, drcd.simplifier())
        self.questions = self.corpus.questions[:questions]
        self.tmp = tmp / f"drcd-{split}"
        self._indexes: dict[tuple, Path] = {}

    def __call__(self, settings: dict) -> dict:
        from kb.config import load_config
        from search.interface import open_engine

        key = evaluate.reindexing(settings)
        if key not in self._indexes:
            self._indexes[key] = evaluate.build_index(self.tmp / f"index-{len(self._indexes)}", self.content, dict(key))
        config = load_config(content_dir=str(self.content), index_dir=str(self._indexes[key]))
        engine = open_engine(config, evaluate.parameters_for(settings), cache_size=0)
        ours = self.drcd.Ours.__new__(self.drcd.Ours)
        ours.engine = engine
        try:
            outcomes = [self.drcd.outcome(q, ours.rank(q.text)) for q in self.questions]
        finally:
            engine.close()
        return self.drcd.metrics(outcomes)


def _grid(specs: list[str]) -> dict[str, list[float]]:
    if not specs:
        return GRID
    grid = {}
    for spec in specs:
        name, _, values = spec.partition("=")
        evaluate.parse_settings(f"{name}=0")  # the knob exists
        grid[name] = [float(v) for v in values.split(",")]
    return grid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", nargs="*", default=[], help="knob=v1,v2,… (default: GRID)")
    parser.add_argument("--questions", type=int, default=1000, help="DRCD questions per split")
    parser.add_argument("--tuned-only", action="store_true",
                        help="stop before the held-out sets (while exploring: look at them once, at the end)")
    args = parser.parse_args(argv)
    grid = _grid(args.grid)
    have_drcd = evaluate.ROOT.parent.joinpath("shared", "data", "drcd").is_dir()
    queries = [q for q in evaluate.load_queries() if not q.group]  # marked groups (forgiving) are never tuned on
    tuned_queries = [q for q in queries if not q.heldout]
    with tempfile.TemporaryDirectory(prefix="kb-tune-") as tmp:
        office = evaluate.Runner(evaluate.CONTENT, tuned_queries, Path(tmp))
        dev = Drcd("dev", Path(tmp), args.questions) if have_drcd else None
        rows = []
        for values in itertools.product(*grid.values()):
            settings = dict(zip(grid, values))
            o = evaluate.metrics(office(settings))
            d = dev(settings) if dev else None
            objective = (o["hit@1"] + d["section@1"]) / 2 if d else o["hit@1"]
            rows.append((objective, settings, o, d))
            print(f"{objective:.3f}  office {o['hit@1']:.3f}/{o['mrr@10']:.3f}"
                  + (f"  drcd-dev art {d['article@1']:.3f} sec {d['section@1']:.3f}" if d else "")
                  + f"  {json.dumps(settings)}", flush=True)
        rows.sort(key=lambda r: -r[0])
        best = rows[0][1]
        defaults = {n: v for n, v in evaluate.current_settings().items() if n in grid}
        print(f"\nbest on the tuned sets: {json.dumps(best)}  (defaults {json.dumps(defaults)})")
        if args.tuned_only:
            return 0
        print("\nheld-out, run once for the defaults and the best:")
        held = [q for q in queries if q.heldout]
        blind = evaluate.load_queries(ROOT / "bench" / "eval_blind.yaml")
        test = Drcd("test", Path(tmp), args.questions) if have_drcd else None
        for label, settings in (("defaults", defaults), ("best", best)):
            h = evaluate.metrics(evaluate.Runner(evaluate.CONTENT, held, Path(tmp) / label)(settings))
            b = evaluate.metrics(evaluate.Runner(evaluate.CONTENT, blind, Path(tmp) / f"{label}-b")(settings))
            t = test(settings) if test else None
            print(f"  {label:<9} office held-out {h['hit@1']:.3f}/{h['hit@5']:.3f}/{h['mrr@10']:.3f}"
                  f"  blind {b['hit@1']:.3f}/{b['hit@5']:.3f}/{b['mrr@10']:.3f}"
                  + (f"  drcd-test art {t['article@1']:.3f} sec {t['section@1']:.3f}/{t['section@5']:.3f}" if t else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
