"""What a user of a running `kb serve` meets: latency of one client, throughput of many,
whether a slow query holds up a cheap one, how soon an edit is searchable, and what the
server costs when nobody asks.

Every search sent in these measurements is a query the server has not seen before (see
bench/queries.py), so neither its result cache nor a warm repeat answers it.

Clients are processes (``mode="processes"``, forked) or threads of this process
(``"threads"``), each with its own keep-alive connection. Either way they run outside the
server's processes; their own CPU is measured and reported, since on 2 cores whatever the
clients use the server cannot.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import random
import resource
import statistics
import threading
import time
from collections import Counter
from pathlib import Path

from kb.store import load_article

from queries import QueryPool, mix, sample_paths
from server import Client, CpuWindow, Server, ask


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def summary_ms(values: list[float]) -> dict:
    r = lambda v: round(v, 2) if v is not None else None  # noqa: E731
    return {"n": len(values), "p50": r(percentile(values, 50)), "p95": r(percentile(values, 95)),
            "p99": r(percentile(values, 99)), "max": r(max(values, default=None)),
            "mean": r(statistics.fmean(values)) if values else None}


def _cpu_s() -> float:
    """CPU seconds this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _problems(answers) -> dict:
    """Failed requests by what went wrong (a few of each)."""
    return dict(Counter(a.problem[:160] for a in answers if not a.ok).most_common(10))


# --- one client, one query after another -----------------------------------------------------

def sequential(server: Server, queries: list[tuple[str, str]], warmup: list[tuple[str, str]]) -> dict:
    """One keep-alive client sends ``queries`` one after another, after the ``warmup`` ones (the
    first search after the start is reported apart: it opens the index)."""
    client = Client(server.port)
    answers = []
    try:
        first = [ask(client, query) for _, query in warmup]
        window, own = CpuWindow(server).start(), _cpu_s()
        for kind, query in queries:
            answers.append((kind, query, ask(client, query)))
        cpu = window.stop(_cpu_s() - own)
    finally:
        client.close()
    ok = [(k, q, a) for k, q, a in answers if a.ok]
    by_kind: dict[str, list[float]] = {}
    for kind, _, a in ok:
        by_kind.setdefault(kind, []).append(a.ms)
    slowest = sorted(ok, key=lambda x: -x[2].ms)[:10]
    return {
        "first_search": {"query": warmup[0][1], "ms": round(first[0].ms, 1), "took_ms": first[0].took_ms,
                         "ok": first[0].ok} if first else None,
        "warmup": {"requests": len(first), "errors": sum(not a.ok for a in first),
                   "ms": summary_ms([a.ms for a in first[1:] if a.ok])},
        "requests": len(answers), "errors": len(answers) - len(ok), "problems": _problems(a for *_, a in answers),
        "connections": client.connects, "mix": mix(queries), "cpu": cpu,
        "client_ms": summary_ms([a.ms for *_, a in ok]),
        "server_took_ms": summary_ms([a.took_ms for *_, a in ok if a.took_ms is not None]),
        "by_kind_ms": {k: summary_ms(v) for k, v in sorted(by_kind.items())},
        "slowest": [{"query": q, "kind": k, "ms": round(a.ms, 1), "took_ms": a.took_ms, "total": a.total}
                    for k, q, a in slowest],
        "totals_median": statistics.median(a.total for *_, a in ok) if ok else None,
    }


# --- many clients at once ------------------------------------------------------------------

def _client(port: int, queries: list[str], start: float, measure_from: float, end: float) -> dict:
    """Send ``queries`` (each once) from ``start`` until ``end`` (time.monotonic, which every
    process on the machine shares); keep what completed after ``measure_from``."""
    cpu0 = _cpu_s()
    client = Client(port)
    while time.monotonic() < start:
        time.sleep(0.001)
    records, problems, ran_out = [], Counter(), True
    for query in queries:
        if time.monotonic() >= end:
            ran_out = False
            break
        answer = ask(client, query)
        done = time.monotonic()
        if measure_from <= done <= end:
            records.append((round(answer.ms, 3), answer.ok, answer.took_ms, round(done - start, 2)))
            if not answer.ok:
                problems[answer.problem[:160]] += 1
    client.close()
    return {"records": records, "problems": dict(problems), "ran_out": ran_out, "connections": client.connects,
            "cpu_s": _cpu_s() - cpu0}


def _in_process(conn, *args) -> None:
    conn.send(_client(*args))
    conn.close()


class Clients:
    """One client per share of queries, all sending from ``start`` to ``end``; ``collect``
    waits for them and returns what each measured."""

    def __init__(self, port: int, shares: list[list[str]], start: float, measure_from: float, end: float,
                 mode: str):
        self.mode = mode
        args = [(port, share, start, measure_from, end) for share in shares]
        if mode == "threads":
            self.out: list[dict] = [{} for _ in shares]
            self.cpu0 = _cpu_s()
            self.workers = [threading.Thread(target=self._thread, args=(i, a)) for i, a in enumerate(args)]
            for t in self.workers:
                t.start()
            return
        ctx = multiprocessing.get_context("fork")  # forked before any other thread starts
        self.pipes, self.workers = [], []
        for a in args:
            parent, child = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_in_process, args=(child, *a), daemon=True)
            p.start()
            child.close()
            self.pipes.append(parent)
            self.workers.append(p)

    def _thread(self, i: int, args) -> None:
        self.out[i] = _client(*args)

    def collect(self) -> list[dict]:
        if self.mode == "threads":
            for t in self.workers:
                t.join()
            cpu = _cpu_s() - self.cpu0
            for r in self.out:  # threads share one process: its CPU, split evenly
                r["cpu_s"] = cpu / len(self.out)
            return self.out
        results = [pipe.recv() for pipe in self.pipes]
        for p in self.workers:
            p.join(30)
        return results


def _merge(results: list[dict], seconds: float) -> dict:
    records = [r for res in results for r in res["records"]]
    ok = [ms for ms, good, *_ in records if good]
    problems: Counter = Counter()
    for res in results:
        problems.update(res["problems"])
    return {
        "requests": len(records), "errors": len(records) - len(ok), "problems": dict(problems.most_common(10)),
        "requests_per_s": round(len(ok) / seconds, 1) if seconds else None,
        "latency_ms": summary_ms(ok),
        "server_took_ms": summary_ms([t for _, good, t, _ in records if good and t is not None]),
        "slowest": [{"ms": ms, "took_ms": t, "done_at_s": at} for ms, _, t, at in sorted(records, key=lambda r: -r[0])[:5]],
        "clients_ran_out_of_queries": sum(res["ran_out"] for res in results),
        "connections": sum(res["connections"] for res in results),
        "clients_cpu_s": round(sum(res["cpu_s"] for res in results), 2),
    }


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def _shares(pool: QueryPool, clients: int, per_client: int, kinds=None) -> tuple[list[list[str]], dict]:
    queries = pool.take(clients * per_client, kinds)
    return [[q for _, q in queries[i::clients]] for i in range(clients)], mix(queries)


def throughput(server: Server, pool: QueryPool, clients: int, warmup: float, seconds: float, mode: str,
               max_rps: float) -> dict:
    """``clients`` clients send distinct queries as fast as answers come for ``warmup`` +
    ``seconds``; requests completed in the last ``seconds`` count. ``max_rps`` sizes the
    supply of queries (a client that runs out stops, and says so)."""
    per_client = math.ceil((warmup + seconds) * max_rps / clients)
    shares, queries_mix = _shares(pool, clients, per_client)
    start = time.monotonic() + 1.0
    measure_from, end = start + warmup, start + warmup + seconds
    running = Clients(server.port, shares, start, measure_from, end, mode)
    _sleep_until(measure_from)
    window = CpuWindow(server).start()
    _sleep_until(end)
    window.close()
    results = running.collect()
    out = _merge(results, seconds)
    # the clients' CPU is counted over their whole run; the window covers its measured part
    out["cpu"] = window.stop(out["clients_cpu_s"] * seconds / (warmup + seconds))
    out.update({"clients": clients, "mode": mode, "warmup_s": warmup, "seconds": seconds,
                "queries_prepared": sum(map(len, shares)), "mix": queries_mix})
    return out


def slow_versus_cheap(server: Server, pool: QueryPool, heavy_clients: int, alone: float, seconds: float,
                      mode: str, interval: float = 0.05) -> dict:
    """A cheap query's latency from one more client, alone and while ``heavy_clients`` clients
    send the most expensive queries (long questions of the commonest words)."""
    probe_client = Client(server.port)

    def probe(until: float) -> list:
        answers = []
        while time.monotonic() < until:
            t = time.monotonic()
            (_, query), = pool.take(1, {"cheap": 1}) or [("cheap", "")]
            answers.append(ask(probe_client, query))
            time.sleep(max(0.0, interval - (time.monotonic() - t)))
        return answers

    quiet = probe(time.monotonic() + alone)
    warm = 2.0
    shares, heavy_mix = _shares(pool, heavy_clients, math.ceil((warm + seconds) * 200), {"heavy": 1})
    start = time.monotonic() + 0.5
    measure_from, end = start + warm, start + warm + seconds
    running = Clients(server.port, shares, start, measure_from, end, mode)
    _sleep_until(measure_from)
    window = CpuWindow(server).start()
    loaded = probe(end)
    window.close()
    heavy = running.collect()
    cpu = window.stop(sum(r["cpu_s"] for r in heavy) * seconds / (warm + seconds))
    probe_client.close()
    return {
        "cheap_alone_ms": summary_ms([a.ms for a in quiet if a.ok]),
        "cheap_under_load_ms": summary_ms([a.ms for a in loaded if a.ok]),
        "cheap_errors": sum(not a.ok for a in quiet + loaded), "cheap_problems": _problems(quiet + loaded),
        "heavy": {**_merge(heavy, seconds), "clients": heavy_clients, "mix": heavy_mix, "cpu": cpu,
                  "example": shares[0][0] if shares and shares[0] else None},
        "interval_s": interval, "alone_s": alone, "seconds": seconds, "mode": mode,
    }


# --- an edit, through the running site ------------------------------------------------------------

def pick_articles(root: Path, n: int, seed: int = 20240626) -> list:
    """``n`` articles (not checklists) from all over the corpus, the same ones every time."""
    candidates = []
    for path in sample_paths(root, max(10 * n, 50)):
        article, _ = load_article(path, root)
        if article is not None and article.type != "checklist":
            candidates.append(article)
    return sorted(random.Random(seed).sample(candidates, min(n, len(candidates))), key=lambda a: a.rel_path)


def _marker(i: int) -> str:
    return f"zqbench{i}{os.urandom(4).hex()}"  # letters and digits: one word, in no article


def _poll(client: Client, marker: str, slug: str, present: bool, timeout: float, every: float) -> tuple[bool, int]:
    """Search ``marker`` until the article is (``present``) or is no longer found."""
    started, polls = time.monotonic(), 0
    while time.monotonic() - started < timeout:
        polls += 1
        answer = ask(client, marker)
        if answer.ok and (slug in answer.slugs) == present:
            return True, polls
        time.sleep(every)
    return False, polls


def edits(server: Server, root: Path, n: int, spacing: float, every: float = 0.01) -> dict:
    """Append a sentence with a new word to an article file, then search that word through the
    site every ``every`` s until the article is found; the file is restored (bytes and times)."""
    client = Client(server.port)
    trials = []
    try:
        for i, article in enumerate(pick_articles(root, n)):
            path, marker = Path(article.path), _marker(i)
            original, st = path.read_bytes(), path.stat()
            sentence = f"\n补充说明：本事项的登记编号为 {marker}，请办公室备案。\n"
            try:
                t0 = time.monotonic()
                path.write_bytes(original.rstrip(b"\n") + b"\n" + sentence.encode("utf-8"))
                found, polls = _poll(client, marker, article.slug, True, 30, every)
                trials.append({"file": article.rel_path, "seconds": round(time.monotonic() - t0, 3) if found else None,
                               "polls": polls})
            finally:
                path.write_bytes(original)
                os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
            gone, _ = _poll(client, marker, article.slug, False, 60, 0.1)
            trials[-1]["restored_in_index"] = gone
            time.sleep(spacing)
    finally:
        client.close()
    done = [t["seconds"] for t in trials if t["seconds"] is not None]
    return {"trials": trials, "found": len(done), "median_s": round(statistics.median(done), 3) if done else None,
            "max_s": max(done) if done else None, "poll_every_s": every, "spacing_s": spacing}


def idle(server: Server, seconds: float) -> dict:
    """CPU of all the server's processes while nobody asks anything."""
    window = CpuWindow(server).start()
    time.sleep(seconds)
    out = window.stop()
    out["processes"] = len(server.pids())
    return out
