"""The targets of the speed benchmark, verdicts against them, and the Markdown tables."""
from __future__ import annotations

# Targets per corpus size, from the issue; measured on the 2-core machine of docs/benchmarks.md.
TARGETS: dict[int, dict[str, float]] = {  # issue 21's (the round before: p95 10 ms, 300 req/s, build 90 s, ...)
    10000: {"http_p95_ms": 6, "requests_per_s": 400, "load_errors": 0, "edit_s": 0.3, "build_s": 60,
            "pss_mb": 700, "worker_uss_mb": 150, "ready_s": 3, "idle_cpu_percent": 1.0},
    50000: {"build_s": 300, "http_p95_ms": 15, "ready_s": 10},
}
REFERENCE = 10000  # sizes without targets show these for orientation, without a verdict
LOWER_IS_BETTER = {"http_p95_ms", "load_errors", "edit_s", "build_s", "pss_mb", "worker_uss_mb", "ready_s",
                   "idle_cpu_percent"}
UNITS = {"http_p95_ms": "ms", "requests_per_s": "req/s", "edit_s": "s", "build_s": "s", "pss_mb": "MB",
         "worker_uss_mb": "MB", "ready_s": "s", "idle_cpu_percent": "% of a core"}
TARGET_TEXT = {
    "http_p95_ms": "p95 ≤ {:g} ms", "requests_per_s": "≥ {:g} req/s", "load_errors": "{:g} errors",
    "edit_s": "≤ {:g} s", "build_s": "≤ {:g} s", "pss_mb": "≤ {:g} MB PSS, all server processes",
    "worker_uss_mb": "≤ {:g} MB private per worker", "ready_s": "≤ {:g} s",
    "idle_cpu_percent": "≤ {:g} % of a core (“near zero”)",
}


def _get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or d.get(k) is None:
            return None
        d = d[k]
    return d


def measured(r: dict) -> dict[str, float]:
    """The figure each target is judged on, where the run measured it."""
    values = {
        "http_p95_ms": _get(r, "http", "client_ms", "p95"),
        "requests_per_s": _get(r, "load", "requests_per_s"),
        "load_errors": _get(r, "load", "errors"),
        "edit_s": _get(r, "edit", "max_s"),
        "build_s": _get(r, "build", "wall_s"),
        "pss_mb": max(filter(None, [_get(r, "memory_after_load", "pss_mb_sum"), _get(r, "memory_end", "pss_mb_sum")]),
                      default=None),
        "worker_uss_mb": max(filter(None, [_get(r, "memory_after_load", "worker_uss_mb_max"),
                                           _get(r, "memory_end", "worker_uss_mb_max")]), default=None),
        "ready_s": _get(r, "server", "ready_s"),
        "idle_cpu_percent": _get(r, "idle", "server_cpu_percent"),
    }
    if _get(r, "edit", "found") is not None and r["edit"]["found"] < len(r["edit"]["trials"]):
        values["edit_s"] = float("inf")  # an edit never found
    return {k: v for k, v in values.items() if v is not None}


def verdict(key: str, value: float, target: float) -> str:
    if key in LOWER_IS_BETTER:
        ok = value <= target
    else:
        ok = value >= target
    if ok:
        return "met"
    if value == float("inf"):
        return "**missed** (not found)"
    if key == "load_errors":
        return f"**missed**: {value:g} errors"
    gap = value - target
    share = f" ({100 * gap / target:+.0f} %)" if target else ""
    return f"**missed** by {abs(gap):,.{1 if abs(gap) < 100 else 0}f} {UNITS[key]}{share}"


def verdicts(r: dict) -> dict[str, dict]:
    targets = TARGETS.get(r["size"], {})
    return {k: {"value": v, "target": targets[k], "verdict": verdict(k, v, targets[k])}
            for k, v in measured(r).items() if k in targets}


# --- Markdown ---------------------------------------------------------------------------------

def _ms(s: dict | None, *keys: str) -> str:
    if not s or s.get("n") == 0:
        return "–"
    return " / ".join(f"{s[k]:,.1f}" for k in keys) + " ms"


def _cpu(c: dict | None) -> str:
    if not c:
        return "–"
    return (f"server {c['server_cpu_percent']} %, clients {c['clients_cpu_percent']} %, others "
            f"{c['others_cpu_percent']} % (of one core; {c['cores']} cores = {100 * c['cores']} %)")


def _rows(r: dict) -> list[tuple[str, str, str | None]]:
    """(measure, result, target key) for one size, in reading order; only what was measured."""
    c, b, e, h, ld, s = (r.get(k) or {} for k in ("corpus", "build", "engine", "http", "load", "slow"))
    m, ml, idle, ed, srv = (r.get(k) or {} for k in ("memory_end", "memory_after_load", "idle", "edit", "server"))
    j = r.get("jieba") or {}
    rows = [
        ("corpus: articles / sections / MB / body characters",
         c and f"{c['articles']:,} / {c['sections']:,} / {c['mb']} MB / {c['body_chars'] / 1e6:.1f} M", None),
        ("jieba.lcut alone over all bodies, one process", j and f"{j['seconds']} s", None),
        ("cold build `kb index --rebuild` (wall; the build's own figure)",
         b and f"{b['wall_s']} s ({b.get('reported_s', '–')} s)", "build_s"),
        ("build ÷ jieba alone", b and j and f"{b['wall_s'] / j['seconds']:.2f}×", None),
        ("build peak RSS: main process / largest other process / all at once (sampled)",
         b and f"{b['main_hwm_mb']:,.0f} / {b['worker_hwm_mb'] or 0:,.0f} / {b['tree_rss_mb_peak']:,.0f} MB "
         f"({_count(b['workers'], 'other process')})", None),
        ("index on disk", b and f"{b['index_mb']} MB", None),
        ("in-process `engine.search`, distinct queries, no cache: p50 / p95 / p99",
         e and _ms(e.get("ms"), "p50", "p95", "p99"), None),
        ("server start on the existing index → /healthz 200", srv.get("ready_s") is not None and f"{srv['ready_s']} s",
         "ready_s"),
        ("first search after /healthz 200 (client / `took_ms`)",
         _get(h, "first_search", "ms") and f"{h['first_search']['ms']:,.1f} / {h['first_search']['took_ms'] or 0:,.1f} ms",
         None),
        (f"HTTP `/api/search`, one client, {h.get('requests', 0):,} distinct queries: p50 / p95 / p99",
         h and _ms(h.get("client_ms"), "p50", "p95", "p99"), "http_p95_ms"),
        ("… of which the server's `took_ms`: p50 / p95", h and _ms(h.get("server_took_ms"), "p50", "p95"), None),
        ("… slowest kind of query: p95", h and _slowest_kind(h), None),
        ("… answers not 200 or incomplete (total, facets, grouping)", h and f"{h['errors']}", None),
        ("… CPU meanwhile", h and _cpu(h.get("cpu")), None),
        (f"{ld.get('clients', 8)} concurrent clients ({ld.get('mode', '')}), {ld.get('seconds', '')} s: requests/s",
         ld and f"{ld['requests_per_s']:,.0f} req/s", "requests_per_s"),
        ("… errors", ld and f"{ld['errors']} of {ld['requests']:,}", "load_errors"),
        ("… latency under load: p50 / p95", ld and _ms(ld.get("latency_ms"), "p50", "p95"), None),
        ("… CPU during the load", ld and _cpu(ld.get("cpu")), None),
        ("cheap query from a 5th client, alone: p50 / p95", s and _ms(s.get("cheap_alone_ms"), "p50", "p95"), None),
        (f"… while {_get(s, 'heavy', 'clients') or 4} clients send the heaviest queries: p50 / p95",
         s and _ms(s.get("cheap_under_load_ms"), "p50", "p95"), None),
        ("… the heavy queries themselves: p50 / p95, req/s",
         s and f"{_ms(s['heavy'].get('latency_ms'), 'p50', 'p95')}, {s['heavy']['requests_per_s']:,.0f} req/s", None),
        (f"edit on disk → found through the site: median / max of {len(ed.get('trials', []))}",
         ed and f"{ed['median_s']} / {ed['max_s']} s ({ed['found']} found)", "edit_s"),
        ("server processes: peak RSS (VmHWM) of the largest, after the load / at the end",
         ml and f"{ml['hwm_mb_max']:,.0f} / {m.get('hwm_mb_max') or 0:,.0f} MB ({_count(len(ml['processes']), 'process')})",
         None),
        ("server processes after the load: RSS sum / PSS sum (the larger of after the load and at the end)",
         ml and f"{ml['rss_mb_sum']:,.0f} / {max(ml['pss_mb_sum'], m.get('pss_mb_sum') or 0):,.0f} MB", "pss_mb"),
        ("largest private memory (USS) of a worker", ml.get("worker_uss_mb_max") is not None
         and f"{max(ml['worker_uss_mb_max'], m.get('worker_uss_mb_max') or 0):,.0f} MB", "worker_uss_mb"),
        (f"server CPU while idle ({idle.get('seconds', '')} s, all processes)",
         idle and f"{idle['server_cpu_percent']} % of a core", "idle_cpu_percent"),
    ]
    return [(label, value, key) for label, value, key in rows if value]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "es" if noun.endswith("s") else "s")


def _slowest_kind(h: dict) -> str:
    kinds = h.get("by_kind_ms") or {}
    if not kinds:
        return "–"
    kind, s = max(kinds.items(), key=lambda kv: kv[1]["p95"] or 0)
    return f"{kind}: {s['p95']:,.1f} ms"


def table(r: dict) -> str:
    n = r["size"]
    targets = TARGETS.get(n)
    shown = targets or TARGETS[REFERENCE]
    head = "| measure | result | target" + ("" if targets else f" (at {REFERENCE:,})") + " | verdict |\n|---|---|---|---|\n"
    judged = verdicts(r)
    lines = []
    for label, value, key in _rows(r):
        target = TARGET_TEXT[key].format(shown[key]) if key in shown else ""
        lines.append(f"| {label} | {value} | {target} | {judged[key]['verdict'] if key in judged else ''} |")
    for key, v in judged.items():  # a target without a row (not expected)
        if not any(k == key for *_, k in _rows(r)):
            lines.append(f"| {key} | {v['value']} | {TARGET_TEXT[key].format(v['target'])} | {v['verdict']} |")
    return head + "\n".join(lines) + "\n"


def markdown(results: list[dict]) -> str:
    text = ""
    for r in results:
        code = r.get("code", {})
        text += (f"\n### {r['size']:,} articles\n\nMeasured {r['when']} on code {code.get('sources_sha1', '?')} "
                 f"(schema {code.get('schema_version', '?')}); load average at the start "
                 f"{r['machine']['loadavg_at_start']}.\n\n" + table(r))
        q = r.get("queries") or {}
        for part in ("http", "load"):
            if _get(r, part, "mix"):
                text += f"\nQuery mix, {part}: " + ", ".join(f"{k} {v:,}" for k, v in r[part]["mix"].items()) + "."
        if q:
            text += (f"\nQueries made from {q['sample_articles']} sampled articles: {q['headings']:,} headings, "
                     f"{q['sentences']:,} sentences, {q['common_words']} common and {q['rare_words']} rare words.\n")
        problems = {p: n for part in ("http", "load") for p, n in (_get(r, part, "problems") or {}).items()}
        if problems:
            text += "\nFailed requests: " + "; ".join(f"{p} ×{n}" for p, n in problems.items()) + "\n"
    m = results[0]["machine"] if results else {}
    if m:
        text += (f"\nMachine: {m['cores']} cores ({m['cpu']}), {m['memory_mb']:,} MB RAM, {m['os']}, "
                 f"Python {m['python']}.\n")
    return text
