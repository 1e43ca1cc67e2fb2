"""Cold builds of two versions of the code over one corpus, in turns.

    python bench/build_turns.py --content CORPUS --work DIR --code OLD NEW [--rounds 2]

On a machine shared with other work, two builds one after the other measure the load as much
as the code. Here each round builds the corpus once with every version — `kb index --rebuild -q`
in a fresh process with the version's folder first on the path (a ``git archive`` of main, the
working tree) — the order alternating from round to round, so that both meet the same load.

Per build: the wall time; the CPU seconds (user + sys) of the process and of every process it
started and waited for (its build and record workers: ``wait4``'s resource usage); the seconds
after which the new index was searchable and the whole build's, as `kb index` reports them; the
load average (one minute) before and after; and where the version logs them (search.writer,
search.record), the seconds until the files were read, the CPU seconds of the build workers by
stage, and the seconds Whoosh's record took. Each version's last index is kept in
DIR/index-<n> (n: its place in --code) for comparing answers (bench/turns.py --index A B).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Runs `kb index` from the folder given first on the path; prints which search/ it imported, and
# lets search.writer's INFO lines (CPU by stage) through.
_RUN = (
    "import logging, sys\n"
    "sys.path.insert(0, sys.argv.pop(1))\n"
    "logging.basicConfig(level=logging.WARNING, format='%(levelname)s %(name)s: %(message)s')\n"
    "logging.getLogger('search.writer').setLevel(logging.INFO)\n"
    "logging.getLogger('search.record').setLevel(logging.INFO)\n"
    "import search\n"
    "print('code:', search.__file__, file=sys.stderr, flush=True)\n"
    "from cli.main import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def build(code: Path, content: Path, index: Path) -> dict:
    shutil.rmtree(index, ignore_errors=True)
    cmd = [sys.executable, "-c", _RUN, str(code), "index", "--content", str(content), "--index", str(index),
           "--rebuild", "-q"]
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=str(code),
                            env={**os.environ, "PYTHONPATH": str(code)})
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{code}: the build failed:\n{output[-3000:]}")
    imported = re.search(r"code: (.*)", output)
    if not imported or Path(imported.group(1)).resolve().parent.parent != code.resolve():
        raise SystemExit(f"{code}: the build imported search/ from {imported.group(1) if imported else '?'}")
    total = re.search(r"用时 ([\d.]+) 秒", output)
    searchable = re.search(r"（([\d.]+) 秒后即可搜索", output)
    stages = re.search(r"CPU seconds of the workers by stage: (\{.*\})", output)
    read = re.search(r"files read in ([\d.]+) s", output)
    record = re.search(r"index record of \S+ written in ([\d.]+) s", output)
    return {"code": str(code), "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "user_s": round(usage.ru_utime, 1), "sys_s": round(usage.ru_stime, 1),
            "reported_s": float(total.group(1)) if total else None,
            "searchable_s": float(searchable.group(1)) if searchable else None,
            "worker_cpu_by_stage": json.loads(stages.group(1).replace("'", '"')) if stages else None,
            "files_read_s": float(read.group(1)) if read else None, "record_s": float(record.group(1)) if record else None,
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
            "largest_process_maxrss_mb": round(usage.ru_maxrss / 1024, 1), "output": output.strip()[-400:]}


def _median(runs: list[dict], key: str):
    values = [r[key] for r in runs if r.get(key) is not None]
    return round(statistics.median(values), 2) if values else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--content", type=Path, required=True, help="the corpus (bench/corpus.py); only read")
    ap.add_argument("--work", type=Path, required=True, help="where the indexes are built")
    ap.add_argument("--code", type=Path, nargs="+", required=True, help="folders with cli/, kb/ and search/")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", type=Path, help="write every run here")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    runs: dict[int, list[dict]] = {i: [] for i in range(len(args.code))}
    for r in range(args.rounds):
        order = list(range(len(args.code)))
        for i in order if r % 2 == 0 else reversed(order):
            found = build(args.code[i].resolve(), args.content.resolve(), args.work.resolve() / f"index-{i}")
            runs[i].append(found)
            print(f"round {r + 1}: {args.code[i]}: wall {found['wall_s']} s, CPU {found['cpu_s']} s, searchable "
                  f"after {found['searchable_s']} s, load {found['load_before']} → {found['load_after']}",
                  file=sys.stderr, flush=True)
    summary = {str(args.code[i]): {k: _median(found, k) for k in ("wall_s", "cpu_s", "searchable_s", "load_before")}
               for i, found in runs.items()}
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "runs": {str(args.code[i]): v for i, v in runs.items()}},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
