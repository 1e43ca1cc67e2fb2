"""Speed benchmark: what staff meet on a running site with N articles, against the targets.

    python bench/speed.py --sizes 1000                       # every part
    python bench/speed.py --sizes 10000 --corpora DIR        # corpora made earlier, in DIR/corpus-N
    python bench/speed.py --sizes 10000 --parts http,load    # some parts; the others are kept
    python bench/speed.py --sizes 50000 --parts jieba,build,http
    python bench/speed.py --sizes 1000 --profile             # also cProfile of engine.search

For each size N the corpus ``corpus-N`` made by bench/corpus.py (fixed seed) is indexed into
``--work``/index-N and measured. Parts, in the order they run:

  jieba   jieba.lcut over every article body, one process, after warm-up: the baseline
  build   `kb index --rebuild` as a subprocess: wall time, and the peak RSS of it and its
          worker processes (/proc, sampled; wait4's ru_maxrss of the largest exactly)
  engine  in-process: open_engine(config, cache_size=0).search over the same distinct queries
          that `http` sends — what HTTP adds is the difference (with --profile: cProfile)
  http    `kb serve` as a subprocess, /healthz 200; one keep-alive client sends --queries
          distinct queries; client-side latency and the server's took_ms, per kind of query
  load    --clients clients (processes, or threads with --client-mode threads) send distinct
          queries for --load-seconds after a warm-up: requests/s, errors, latency under load,
          and the CPU of server, clients and everything else on the machine meanwhile
  slow    a cheap query's latency from one more client, alone and while 4 clients send the most
          expensive distinct queries (long questions of the commonest words)
  idle    RSS of every server process after the load; CPU of all of them over --idle-seconds
  edit    --edits times: append a sentence with a new word to an article file, search the word
          through the site every 10 ms until found; files restored (bytes and times)

The server parts share one `kb serve`, and every query it receives in them is one it has not
seen before (bench/queries.py), so no result cache answers. Every request's answer is checked:
200, JSON with an exact total (type facets add up to it), facets and one result per article.

Results go to ``--out`` (bench/out/, gitignored): speed-N.json per size, speed.json and
speed.md (a table per size against the targets of bench/report.py). A run of some --parts
keeps the other parts of an earlier run on the same corpus, code (SHA-1 of kb/, search/, web/
and pyproject.toml) and method; results of other code are moved aside to speed-N.<sha>.json.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import io
import json
import os
import platform
import pstats
import re
import resource
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, Path(__file__).resolve().parent):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import corpus as corpus_mod  # noqa: E402  (bench/corpus.py)
import load  # noqa: E402
import queries as queries_mod  # noqa: E402
import report  # noqa: E402
from server import Server, command_of, kb_command, memory, process_tree, status_mb  # noqa: E402

PARTS = ("jieba", "build", "engine", "http", "load", "slow", "idle", "edit")
SERVER_PARTS = {"http", "load", "slow", "idle", "edit"}
METHOD = "2"  # changes when what a figure means changes; results of another method are not merged


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    total = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))) // 1024
    from importlib.metadata import version

    return {"cores": os.cpu_count(), "cpu": cpu, "memory_mb": total, "os": platform.platform(),
            "python": platform.python_version(), "jieba": version("jieba"), "whoosh": version("Whoosh-Reloaded"),
            "numpy": version("numpy"), "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}


def code_state() -> dict:
    """Which code was measured (no VCS calls: the working tree is what runs)."""
    from search.schema import SCHEMA_VERSION

    h = hashlib.sha1()
    files = [ROOT / "pyproject.toml"] + sorted(f for d in ("kb", "search", "web") for f in (ROOT / d).rglob("*"))
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".txt", ".html", ".toml"):
            h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return {"schema_version": SCHEMA_VERSION, "sources_sha1": h.hexdigest()[:12]}


def dir_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6, 1)


# --- corpus and jieba alone ------------------------------------------------------------------

def corpus_dir(n: int, args) -> tuple[Path, dict]:
    """The corpus of ``n`` articles: generated into --work when missing; in --corpora only used,
    never regenerated (it may be shared)."""
    if args.corpora is None:
        manifest, made = corpus_mod.ensure(n, args.work / f"corpus-{n}", args.seed, args.content, args.seeds)
        log(f"{n}: corpus {'generated' if made else 'reused'} in {args.work / f'corpus-{n}'}")
        return args.work / f"corpus-{n}", manifest
    root = args.corpora / f"corpus-{n}"
    try:
        manifest = json.loads((root / corpus_mod.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SystemExit(f"{root} is not a corpus made by bench/corpus.py; make it with "
                         f"python bench/corpus.py --count {n} --out {root}") from None
    want = {"count": n, "seed": args.seed, "generator": corpus_mod.GENERATOR_VERSION}
    if any(manifest.get(k) != v for k, v in want.items()):
        raise SystemExit(f"{root} holds {manifest.get('count')} articles of seed {manifest.get('seed')}, "
                         f"generator {manifest.get('generator')}; wanted {want}")
    return root, manifest


def scan_corpus(root: Path, with_jieba: bool) -> tuple[dict, dict | None]:
    """Counts of the corpus, file by file; with jieba.lcut timed over each body (only the
    segmentation is timed, not the reading)."""
    from kb.store import content_files, load_article

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    jieba.lcut("办公室主任要当好参谋助手，做好综合协调工作。" * 20)  # warm-up
    stats = {"articles": 0, "sections": 0, "body_chars": 0, "problems": 0}
    seconds = words = 0.0
    for path in content_files(root):
        article, problems = load_article(path, root)
        stats["problems"] += sum(p.severity == "error" for p in problems)
        if article is None:
            continue
        stats["articles"] += 1
        stats["sections"] += sum(1 for s in article.sections if s.anchor)
        stats["body_chars"] += len(article.body)
        if with_jieba:
            t = time.perf_counter()
            words += len(jieba.lcut(article.body))
            seconds += time.perf_counter() - t
    baseline = None
    if with_jieba:
        baseline = {"seconds": round(seconds, 2), "words": int(words),
                    "chars_per_s": round(stats["body_chars"] / seconds) if seconds else None}
    return stats, baseline


# --- cold build ------------------------------------------------------------------------------

class TreeSampler(threading.Thread):
    """Peak memory of a process and its descendants, read from /proc every ``every`` s."""

    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.hwm: dict[int, float] = {}
        self.commands: dict[int, str] = {}
        self.tree_peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            rss_sum = 0.0
            for pid in process_tree(self.pid):
                hwm, rss = status_mb(pid, "VmHWM"), status_mb(pid, "VmRSS")
                if hwm is not None:
                    self.hwm[pid] = max(self.hwm.get(pid, 0.0), hwm)
                    self.commands.setdefault(pid, command_of(pid))
                rss_sum += rss or 0.0
            self.tree_peak = max(self.tree_peak, rss_sum)
            self.done.wait(self.every)


def run_build(content: Path, index: Path, rebuild: bool = True) -> dict:
    """`kb index [--rebuild]` as a user runs it, into a new index folder when rebuilding."""
    if rebuild:
        shutil.rmtree(index, ignore_errors=True)
    cmd = kb_command() + ["index", "--content", str(content), "--index", str(index), "-q"]
    cmd += ["--rebuild"] if rebuild else []
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{output[-3000:]}")
    reported = re.search(r"用时 ([\d.]+) 秒", output)
    workers = [mb for pid, mb in sampler.hwm.items() if pid != proc.pid]
    return {
        "command": shlex.join(cmd), "wall_s": round(wall, 2), "reported_s": float(reported.group(1)) if reported else None,
        "output": output.strip()[-500:], "main_hwm_mb": sampler.hwm.get(proc.pid),
        "worker_hwm_mb": max(workers, default=None), "workers": len(workers),
        "tree_rss_mb_peak": round(sampler.tree_peak, 1),
        "processes": [{"command": sampler.commands[pid], "hwm_mb": mb} for pid, mb in sampler.hwm.items()],
        "largest_process_maxrss_mb": round(usage.ru_maxrss / 1024, 1),  # exact, of the largest process
        "index_mb": dir_mb(index),
    }


# --- in-process engine --------------------------------------------------------------------------

def write_profile(profiler: cProfile.Profile, path: Path, title: str, seconds: float) -> None:
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    buf.write(f"# {title}: {seconds:.2f} s wall (with cProfile overhead)\n\n## by own time\n")
    stats.sort_stats("tottime").print_stats(30)
    buf.write("\n## by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(40)
    buf.write("\n## the project's own functions (kb/, search/, web/) by cumulative time\n")
    stats.sort_stats("cumulative").print_stats(re.escape(str(ROOT)) + "/(kb|search|web)/", 40)
    path.write_text(buf.getvalue(), encoding="utf-8")


def engine_latency(config, pool: queries_mod.QueryPool, n: int, profile_to: Path | None) -> dict:
    """open_engine(config, cache_size=0).search over ``n`` distinct queries, one after another."""
    from search.analyzer import query_words
    from search.interface import Query, open_engine

    query_words("预热")  # jieba's dictionary first, so the first search times opening the index
    engine = open_engine(config, cache_size=0)
    try:
        t = time.perf_counter()
        engine.search(Query("办公室"))
        first_ms = (time.perf_counter() - t) * 1000
        asked = pool.take(n)
        times: dict[str, list[float]] = {}
        for kind, q in asked:
            t = time.perf_counter()
            engine.search(Query(q))
            times.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
        out = {"first_search_ms": round(first_ms, 1), "mix": queries_mod.mix(asked),
               "ms": load.summary_ms([v for vs in times.values() for v in vs]),
               "by_kind_ms": {k: load.summary_ms(v) for k, v in sorted(times.items())}}
        if profile_to:
            more = pool.take(n)
            profiler = cProfile.Profile()
            t = time.perf_counter()
            profiler.enable()
            for _, q in more:
                engine.search(Query(q))
            profiler.disable()
            write_profile(profiler, profile_to, f"engine.search over {len(more)} distinct queries",
                          time.perf_counter() - t)
            out["profile"] = str(profile_to)
        return out
    finally:
        engine.close()


# --- the running site ----------------------------------------------------------------------------

def server_parts(n: int, content: Path, index: Path, material, parts: set[str], args, res: dict) -> None:
    """Start `kb serve` once and run the server parts against it, in a fixed order."""
    pool = queries_mod.QueryPool(material, args.seed, material_dictionary(content))
    server = Server(content, index, args.out / f"serve-{n}.log", ROOT)
    log(f"{n}: starting {shlex.join(server.command)}")
    try:
        res["server"] = {"command": shlex.join(server.command), "ready_s": round(server.start(args.ready_timeout), 2),
                         "processes": len(server.pids()), "log": str(server.log)}
        if "http" in parts:
            log(f"{n}: http: one client, {args.queries} distinct queries …")
            warmup = pool.take(20, {"word": 1, "words": 1})
            res["http"] = load.sequential(server, pool.take(args.queries), warmup)
            log(f"{n}: http: {res['http']['client_ms']}, errors {res['http']['errors']}")
        if "load" in parts:
            log(f"{n}: load: {args.clients} clients ({args.client_mode}), {args.warmup} s warm-up + {args.load_seconds} s …")
            res["load"] = load.throughput(server, pool, args.clients, args.warmup, args.load_seconds,
                                          args.client_mode, args.max_rps)
            log(f"{n}: load: {res['load']['requests_per_s']} req/s, errors {res['load']['errors']}, "
                f"p95 {res['load']['latency_ms']['p95']} ms, cpu {res['load']['cpu']}")
        if "slow" in parts:
            log(f"{n}: slow: a cheap query beside {args.heavy_clients} clients of heavy queries …")
            res["slow"] = load.slow_versus_cheap(server, pool, args.heavy_clients, 5.0, args.slow_seconds,
                                                 args.client_mode)
            log(f"{n}: slow: cheap alone {res['slow']['cheap_alone_ms']['p50']} ms, beside heavy "
                f"{res['slow']['cheap_under_load_ms']['p50']} / {res['slow']['cheap_under_load_ms']['p95']} ms")
        if "idle" in parts:
            res["memory_after_load"] = memory(server.pids())
            log(f"{n}: idle: memory {res['memory_after_load']['hwm_mb_max']} MB peak; {args.idle_seconds} s of idle CPU …")
            res["idle"] = load.idle(server, args.idle_seconds)
            log(f"{n}: idle: {res['idle']['server_cpu_percent']} % of a core")
        if "edit" in parts:
            log(f"{n}: edit: {args.edits} edits found through the site …")
            res["edit"] = load.edits(server, content, args.edits, args.edit_spacing)
            log(f"{n}: edit: median {res['edit']['median_s']} s, max {res['edit']['max_s']} s")
        res["memory_end"] = memory(server.pids())
        res["server"]["pids_seen"] = len(server.seen)
        res["server"]["queries_handed_out"] = pool.given  # sent, or prepared for the load and left over
        if not server.alive():
            res["server"]["exited"] = f"kb serve exited during the run: {server.log_tail(1000)}"
    finally:
        server.stop()


def material_dictionary(content: Path) -> tuple[str, ...]:
    from search.analyzer import read_dictionary

    return read_dictionary(content / "_dictionary.txt")


# --- one size ------------------------------------------------------------------------------------

def run_size(n: int, args, parts: set[str]) -> dict:
    from kb.config import load_config

    content, manifest = corpus_dir(n, args)
    index = args.work / f"index-{n}"
    res: dict = {"size": n, "method": METHOD, "when": dt.datetime.now().isoformat(timespec="seconds"),
                 "command": shlex.join([Path(sys.executable).name, *sys.argv]), "machine": machine(),
                 "code": code_state(), "corpus_dir": str(content), "index_dir": str(index)}
    log(f"{n}: reading the corpus{' and timing jieba alone' if 'jieba' in parts else ''} …")
    stats, baseline = scan_corpus(content, "jieba" in parts)
    res["corpus"] = {**stats, "mb": round(manifest["bytes"] / 1e6, 1), "seed": manifest["seed"],
                     "generator": manifest["generator"], "sources": manifest.get("sources")}
    if baseline:
        res["jieba"] = baseline
        log(f"{n}: jieba alone {baseline['seconds']} s")
    if "build" in parts:
        log(f"{n}: cold build …")
        res["build"] = run_build(content, index)
        log(f"{n}: build {res['build']['wall_s']} s, main {res['build']['main_hwm_mb']} MB, "
            f"workers {res['build']['worker_hwm_mb']} MB")
    if parts & (SERVER_PARTS | {"engine"}):
        check = run_build(content, index, rebuild=False)  # brings a missing or stale index up to date
        log(f"{n}: index checked in {check['wall_s']} s: {check['output'].splitlines()[-1] if check['output'] else ''}")
        t = time.perf_counter()
        material = queries_mod.learn(content)
        res["queries"] = {"sample_articles": material.articles, "headings": len(material.headings),
                          "sentences": len(material.sentences), "common_words": len(material.common),
                          "rare_words": len(material.rare), "seed": args.seed,
                          "learn_s": round(time.perf_counter() - t, 1)}
    if "engine" in parts:
        log(f"{n}: engine: in-process, {args.queries} distinct queries …")
        config = load_config(content_dir=content, index_dir=index)
        pool = queries_mod.QueryPool(material, args.seed, material_dictionary(content))  # the queries http sends
        res["engine"] = engine_latency(config, pool, args.queries, args.out / f"profile-query-{n}.txt" if args.profile else None)
        log(f"{n}: engine: {res['engine']['ms']}")
    if parts & SERVER_PARTS:
        server_parts(n, content, index, material, parts, args, res)
    res["bench_maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if code_state() != res["code"]:
        res["code_changed_during_run"] = code_state()
        log(f"{n}: WARNING: kb/, search/ or web/ changed during the run")
    return res


def save(n: int, res: dict, out: Path) -> None:
    """Keep parts of an earlier run on the same corpus, code and method; move others aside."""
    path = out / f"speed-{n}.json"
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    same = (old.get("method") == METHOD and old.get("code", {}).get("sources_sha1") == res["code"]["sources_sha1"]
            and {k: old.get("corpus", {}).get(k) for k in ("seed", "generator", "sources")}
            == {k: res["corpus"].get(k) for k in ("seed", "generator", "sources")})
    if same:
        res = {**old, **res}
    elif old:
        stamp = old.get("code", {}).get("sources_sha1", "old")
        path.rename(out / f"speed-{n}.{stamp}.json")
    path.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000])
    ap.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out", help="where indexes (and new corpora) go")
    ap.add_argument("--corpora", type=Path, help="use the corpora DIR/corpus-N made earlier (never regenerated)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="where results go")
    ap.add_argument("--content", type=Path, default=ROOT / "content", help="real articles a new corpus is made from")
    ap.add_argument("--seeds", type=Path, help="optional raw seed texts for a new corpus (bench/corpus.py --seeds)")
    ap.add_argument("--seed", type=int, default=corpus_mod.DEFAULT_SEED, help="of the corpus and of the queries")
    ap.add_argument("--queries", type=int, default=2000, help="distinct queries of the one-client part (and engine)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--client-mode", choices=("processes", "threads"), default="processes")
    ap.add_argument("--warmup", type=float, default=5, help="seconds of load before measuring")
    ap.add_argument("--load-seconds", type=float, default=20)
    ap.add_argument("--max-rps", type=float, default=2000, help="sizes the supply of distinct queries for the load")
    ap.add_argument("--heavy-clients", type=int, default=4)
    ap.add_argument("--slow-seconds", type=float, default=15)
    ap.add_argument("--idle-seconds", type=float, default=30)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--edit-spacing", type=float, default=3, help="seconds between edits")
    ap.add_argument("--ready-timeout", type=float, default=900, help="seconds to wait for /healthz")
    ap.add_argument("--profile", action="store_true", help="cProfile of engine.search (with the engine part)")
    args = ap.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if parts - set(PARTS):
        ap.error(f"unknown parts: {', '.join(sorted(parts - set(PARTS)))}")
    args.work, args.out = args.work.resolve(), args.out.resolve()
    args.corpora = args.corpora.resolve() if args.corpora else None
    args.out.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        save(n, run_size(n, args, parts), args.out)
    results = [json.loads(p.read_text(encoding="utf-8"))
               for p in sorted(args.out.glob("speed-*.json"), key=lambda p: p.name)
               if re.fullmatch(r"speed-\d+\.json", p.name)]
    results.sort(key=lambda r: r["size"])
    judged = {str(r["size"]): report.verdicts(r) for r in results}
    (args.out / "speed.json").write_text(json.dumps({"results": results, "verdicts": judged, "targets": report.TARGETS},
                                                    ensure_ascii=False, indent=1), encoding="utf-8")
    text = report.markdown(results)
    (args.out / "speed.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
