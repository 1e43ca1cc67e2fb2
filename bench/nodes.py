"""Two nodes of one site on this machine, under load, with one node killed and restarted.

    python bench/nodes.py --corpus DIR/corpus-1000 --database postgresql+psycopg://user:pw@127.0.0.1/db
    python bench/nodes.py --corpus DIR/corpus-10000 --index DIR/work/index-10000 --database … --seconds 60

What it builds: a bare git repository with the corpus as its first commit; two `kb serve` (one
worker each unless --workers), each with an empty content folder that it clones from the bare
repository, its own index (copied from --index when given, else built at start) and instance
folder, and one PostgreSQL database made for the run (dropped afterwards; --database names the
server and a database to connect to first).

What it does for --seconds: --clients processes search distinct queries (bench/queries.py), each
through a round-robin balancer of its own that, like nginx's ``proxy_next_upstream``, sends a
request the node did not answer to the other node; --editors threads each save one of their own
articles every --save-every seconds on the next node in turn, appending a sentence with a marker
word. A third of the way through, node b is killed (SIGKILL to its process group), and restarted
after --down seconds.

What it reports (bench/out/nodes.json): searches and their errors (a request no node answered,
or an answer failing bench/server.check_result), requests the other node had to take, saves
acknowledged (303) and refused (with what the page said: the problems shown, or the start of the
page), how long each acknowledged save's requests took (opening the form and saving it), and how
long until each node finds its marker through /api/search (polled every 50 ms), counted from the
editor opening the form (``found_on_both_s``) and from the save's answer
(``found_on_both_after_the_answer_s``); lost saves: acknowledged, yet not in the shared repository
or not found on both nodes at the end. With --verbose --keep, each node's serve.log has the
timing of every save (commit, push, notify, index), exchange with the shared repository and index
update (`grep -E "save of|sync:|exchange|keeper:|opened index|catalog|looked at"`).
"""
from __future__ import annotations

import argparse
import hashlib
import http.cookiejar
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, Path(__file__).resolve().parent):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import queries as queries_mod  # noqa: E402
from server import Client, ask, free_port, kb_command, memory, process_tree  # noqa: E402

PASSWORD = "bench-password"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def git(folder, *args, timeout=None) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True,
                          timeout=timeout).stdout.strip()


# --- the site --------------------------------------------------------------------------------

class Node:
    def __init__(self, name: str, root: Path, bare: Path, database: str, workers: int, sync_seconds: int = 5,
                 verbose: bool = False):
        self.name, self.root, self.workers, self.verbose = name, root, workers, verbose
        self.content, self.index = root / "content", root / "index"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "KB_CONTENT_REMOTE": str(bare), "KB_DATABASE_URL": database,
                    "KB_INSTANCE_DIR": str(root / "instance"), "KB_SECRET_KEY": "", "KB_ANALYTICS": "false",
                    "KB_SYNC_SECONDS": str(sync_seconds)}
        self.process: subprocess.Popen | None = None
        root.mkdir(parents=True, exist_ok=True)

    def start(self) -> float:
        """Start; seconds until /healthz answers 200."""
        command = [*kb_command(), *(["-v"] if self.verbose else []), "serve", "--content", str(self.content), "--index", str(self.index),
                   "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        began = time.monotonic()
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=open(self.root / "serve.log", "a"),
                                        stderr=subprocess.STDOUT, start_new_session=True)
        client = Client(self.port, timeout=5)
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"node {self.name} exited:\n{(self.root / 'serve.log').read_text()[-3000:]}")
            try:
                if client.get("/healthz")[0] == 200:
                    return time.monotonic() - began
            except OSError:
                pass
            time.sleep(0.1)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def make_database(url: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"kb_nodes_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def shared_repository(corpus: Path, bare: Path) -> None:
    seed = bare.with_name("seed")
    shutil.copytree(corpus, seed, ignore=shutil.ignore_patterns(".git", ".kb-locks"))
    (seed / ".gitignore").write_text(".kb-locks/\n*.saving\n", encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "b@x"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A", "."], ["commit", "-q", "-m", "corpus"]):
        subprocess.run(["git", "-C", str(seed), *args], check=True, env=env)
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(bare)], check=True)
    shutil.rmtree(seed)


# --- clients -----------------------------------------------------------------------------------

class Balancer:
    """Round robin over the nodes; a request a node does not answer goes to the next one."""

    def __init__(self, ports: list[int]):
        self.clients = [Client(p, timeout=10) for p in ports]
        self.turn = 0
        self.down_until = [0.0] * len(ports)
        self.moved = 0

    def ask(self, query: str):
        for attempt in range(len(self.clients)):
            i = self.turn % len(self.clients)
            self.turn += 1
            if self.down_until[i] > time.monotonic() and attempt < len(self.clients) - 1:
                continue
            answer = ask(self.clients[i], query)
            if answer.status == 0 or answer.status >= 502:  # not answered: a balancer tries the other node
                self.down_until[i] = time.monotonic() + 1.0
                self.moved += 1
                continue
            return answer
        return answer


def searcher(ports, queries: list[str], end: float, out) -> None:
    balancer, done, errors, examples = Balancer(ports), 0, 0, []
    for query in queries:
        if time.monotonic() >= end:
            break
        answer = balancer.ask(query)
        done += 1
        if not answer.ok:
            errors += 1
            if len(examples) < 5:
                examples.append(f"{query}: {answer.problem}")
    out.put({"requests": done, "errors": errors, "moved": balancer.moved, "examples": examples})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Editor:
    """A logged-in editor (the session is the site's: valid on every node)."""

    def __init__(self, base: str):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect)
        status, _ = self.post(base + "/login", {**self.form(base + "/login")[0], "name": "editor", "password": PASSWORD})
        assert status == 303, status

    def form(self, url: str) -> dict:
        page = self.opener.open(url, timeout=30).read().decode("utf-8")
        return dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', page)), page

    def post(self, url: str, fields: dict) -> tuple[int, str]:
        try:
            r = self.opener.open(url, data=urllib.parse.urlencode(fields).encode(), timeout=30)
            return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def save(self, base: str, slug: str, sentence: str) -> tuple[int, str]:
        """(status, what the page said when it was not the redirect of a save)."""
        import html

        # the source (front matter and body) in one box: the form's first box is the summary, and
        # saving that as the whole text wrote the article over with its summary, a new title and no
        # headings, changing its entry in _addresses.yaml at every save
        fields, page = self.form(f"{base}/a/{slug}/edit?mode=source")
        text = html.unescape(re.search(r'<textarea id="text" name="text"[^>]*>(.*?)</textarea>', page, re.S).group(1))
        text = text.lstrip("\n")
        status, page = self.post(f"{base}/a/{slug}/edit", {**fields, "text": f"{text}\n{sentence}\n", "message": sentence})
        return status, "" if status == 303 else shown(page)


def shown(page: str) -> str:
    """The problems a page showed the editor (web/templates/_problems.html), else its start."""
    import html

    found = re.search(r'<div class="problems"[^>]*>(.*?)</div>', page, re.S)
    text = re.sub(r"<[^>]+>", " ", found.group(1) if found else page[:300])
    return " ".join(html.unescape(text).split())[:300]


def editing(i: int, nodes: list[Node], slugs: list[str], every: float, end: float, saves: list, lock) -> None:
    editor = None  # logged in on whichever node answers first
    n = 0
    while time.monotonic() < end:
        node = nodes[(i + n) % len(nodes)]
        marker = f"zqnode{i}x{n}q"
        sentence = f"节点压测：编辑 {i} 的第 {n} 次保存，登记编号 {marker}。"
        slug = slugs[n % len(slugs)]
        started = time.monotonic()
        status, problems, said = None, [], ""
        for target in (node, *[x for x in nodes if x is not node]):
            try:
                editor = editor or Editor(target.base)
                status, said = editor.save(target.base, slug, sentence)
                node = target
                break
            except (OSError, urllib.error.URLError, AttributeError, AssertionError) as exc:
                problems.append(f"{target.name}: {type(exc).__name__}: {exc}"[:200])
                editor = None
                continue
        with lock:
            saves.append({"editor": i, "n": n, "slug": slug, "marker": marker, "node": node.name, "status": status,
                          "at": started, "answered": time.monotonic(), "problems": problems, "shown": said})
        n += 1
        time.sleep(max(0.0, every - (time.monotonic() - started)))


def watch_saves(nodes: list[Node], saves: list, lock, stop: threading.Event, found: dict) -> None:
    """Poll each node for each acknowledged save's marker until it answers it; record when."""
    clients = {node.name: Client(node.port, timeout=5) for node in nodes}
    while not stop.is_set() or any(k not in found for k in _wanted(saves, lock, nodes)):
        for key in _wanted(saves, lock, nodes):
            if key in found:
                continue
            marker, name, at, slug = key
            try:
                status, body = clients[name].get(f"/api/search?q={marker}")
            except OSError:
                continue
            if status == 200 and slug in [r["slug"] for r in json.loads(body).get("results", [])]:
                found[key] = time.monotonic() - at
        if stop.is_set() and time.monotonic() > stop.deadline:
            break
        time.sleep(0.05)


def _wanted(saves, lock, nodes):
    with lock:
        return [(s["marker"], node.name, s["at"], s["slug"]) for s in saves if s["status"] == 303 for node in nodes]


# --- the run -----------------------------------------------------------------------------------

def run(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="kb-nodes-", dir=args.work))
    bare = work / "shared.git"
    log(f"shared repository from {args.corpus} …")
    shared_repository(args.corpus, bare)
    database, drop = make_database(args.database)
    from kb.users import Users

    users = Users(database)
    users.add("editor", PASSWORD, "editor")
    users.close()
    nodes = [Node(name, work / name, bare, database, args.workers, args.sync_seconds, args.verbose) for name in ("a", "b")]
    result: dict = {"command": " ".join(sys.argv), "loadavg_at_start": os.getloadavg(), "corpus": str(args.corpus)}
    try:
        for node in nodes:
            if args.index:
                shutil.copytree(args.index, node.index, symlinks=True)
            result[f"start_{node.name}_s"] = round(node.start(), 1)
            log(f"node {node.name} ready in {result[f'start_{node.name}_s']} s")
        # from the corpus, the same files: a node's clone has .git, whose folders git's own
        # housekeeping removes while a walk of the folder is in them
        material = queries_mod.learn(args.corpus)
        pool = queries_mod.QueryPool(material, 20240626)
        # enough distinct queries for the whole run (a client that ran out stopped searching early)
        shares = [[q for _, q in pool.take(int(args.seconds * args.max_rps) // args.clients)] for _ in range(args.clients)]
        mine = [_slugs_of(i, args.corpus) for i in range(args.editors)]  # before the clock starts
        begin = time.monotonic() + 2
        end = begin + args.seconds
        out = multiprocessing.Queue()
        ports = [n.port for n in nodes]
        procs = [multiprocessing.Process(target=searcher, args=(ports, s, end, out)) for s in shares]
        for p in procs:
            p.start()
        saves, lock, found = [], threading.Lock(), {}
        stop = threading.Event()
        stop.deadline = float("inf")
        editors = [threading.Thread(target=editing, args=(i, nodes, mine[i], args.save_every,
                                                          end, saves, lock)) for i in range(args.editors)]
        watcher = threading.Thread(target=watch_saves, args=(nodes, saves, lock, stop, found))
        for t in (*editors, watcher):
            t.start()
        time.sleep(max(0.0, begin + args.seconds / 3 - time.monotonic()))
        log("killing node b")
        killed_at = time.monotonic()
        nodes[1].kill()
        time.sleep(args.down)
        log("restarting node b")
        result["restart_b_s"] = round(nodes[1].start(), 1)
        back_at = time.monotonic()
        result["b_down_s"] = round(back_at - killed_at, 1)
        log(f"node b back after {result['b_down_s']} s (healthz 200 {result['restart_b_s']} s after its start)")
        for t in editors:
            t.join()
        searches = [out.get() for _ in procs]
        for p in procs:
            p.join()
        stop.deadline = time.monotonic() + args.settle
        stop.set()
        watcher.join()
        result["memory"] = {n.name: memory(process_tree(n.process.pid)) for n in nodes}
        result.update(report(searches, saves, found, nodes, bare, (killed_at, back_at)))
    finally:
        for node in nodes:
            node.stop()
        drop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return result


def _slugs_of(i: int, content: Path) -> list[str]:
    """The articles editor ``i`` saves (its own: two editors never save the same article here;
    simultaneous saves of one article are tests/web/test_nodes.py's)."""
    from kb.store import load_article

    mine = []
    for path in sorted(content.rglob("*.md")):
        if path.name.startswith("_") or any(part.startswith(("_", ".")) for part in path.relative_to(content).parts):
            continue
        article, _ = load_article(path, content)
        if article is not None and article.type != "checklist" and int(hashlib.sha1(article.slug.encode()).hexdigest(), 16) % 2 == i % 2:
            mine.append(article.slug)
            if len(mine) == 50:
                break
    return mine


def report(searches, saves, found, nodes, bare, down: tuple[float, float]) -> dict:
    """Saves made while node b was down (or just before, not yet on b when it was killed) are
    found there once it is back: their delay on b is counted from its return (/healthz 200),
    the others' from the save."""
    acknowledged = [s for s in saves if s["status"] == 303]
    log_text = git(bare, "log", "--format=%s", "main")
    key = lambda s, n: (s["marker"], n.name, s["at"], s["slug"])  # noqa: E731
    lost = [s["marker"] for s in acknowledged if s["marker"] not in log_text or any(key(s, n) not in found for n in nodes)]
    # made while b was down, or just before and not on b yet when it was killed
    during = [s for s in acknowledged if s["at"] <= down[1] and s["at"] + found.get(key(s, nodes[1]), 1e9) >= down[0]]
    normal = [s for s in acknowledged if s not in during]
    both = sorted(max(found.get(key(s, n), float("inf")) for n in nodes) for s in normal)
    after = sorted(found.get(key(s, nodes[1]), float("inf")) - (down[1] - s["at"]) for s in during)
    requests = sorted(s["answered"] - s["at"] for s in acknowledged)  # opening the form and saving it
    answered = sorted(max(found.get(key(s, n), float("inf")) for n in nodes) - (s["answered"] - s["at"]) for s in normal)
    pct = lambda xs, q: round(xs[min(len(xs) - 1, int(q * len(xs)))], 2) if xs else None  # noqa: E731
    return {
        "searches": sum(s["requests"] for s in searches), "search_errors": sum(s["errors"] for s in searches),
        "moved_to_other_node": sum(s["moved"] for s in searches),
        "error_examples": [e for s in searches for e in s["examples"]][:10],
        "saves": len(saves), "saves_acknowledged": len(acknowledged),
        "saves_not_acknowledged": [{k: s[k] for k in ("marker", "node", "status", "problems", "shown")} for s in saves
                                   if s["status"] != 303],
        "save_request_s": {"median": pct(requests, 0.5), "max": round(requests[-1], 2) if requests else None},
        "found_on_both_after_the_answer_s": {"median": pct(answered, 0.5), "max": round(answered[-1], 2) if answered
                                             else None},
        "lost_saves": lost,
        "found_on_both_s": {"saves": len(both), "median": pct(both, 0.5), "p95": pct(both, 0.95),
                            "max": round(both[-1], 2) if both else None},
        "saves_while_b_was_down": len(during),
        "found_on_b_after_its_return_s": {"median": pct(after, 0.5), "max": round(after[-1], 2) if after else None},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT / "content")
    parser.add_argument("--index", type=Path, help="an index of the corpus to copy to each node (else built at start)")
    parser.add_argument("--database", required=True, help="PostgreSQL URL to connect to; the run makes its own database")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument("--max-rps", type=float, default=400, help="sizes the supply of distinct queries")
    parser.add_argument("--save-every", type=float, default=3.0)
    parser.add_argument("--down", type=float, default=8.0, help="seconds node b stays down before its restart")
    parser.add_argument("--settle", type=float, default=30.0, help="seconds to wait for the last saves to be found")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sync-seconds", type=int, default=5, help="the nodes' sync_seconds (a long one: only the "
                        "notification from the other node brings a save)")
    parser.add_argument("--verbose", action="store_true", help="the nodes log at debug level (kb -v): each save's, "
                        "exchange's and index update's timing in DIR/a/serve.log and DIR/b/serve.log (with --keep)")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "nodes.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "memory"}, ensure_ascii=False, indent=2))
    return 0 if not result["search_errors"] and not result["lost_saves"] else 1


if __name__ == "__main__":
    sys.exit(main())
