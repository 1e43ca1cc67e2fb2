"""Slow clients against a running site, and whether others are still served (issue 16).

    python bench/slowloris.py http://127.0.0.1:5000 --connections 200 --seconds 40

opens ``--connections`` connections that each send a request line and then one header line
every ``--every`` seconds (slowloris), or with ``--partial`` only half a request line and then
nothing, or with ``--body`` a whole head announcing a 100 KB form and then one byte of it every
``--every`` seconds; meanwhile one probe a second asks ``/api/search?q=保密`` on a connection of its own.
Prints how many probes were answered, the slowest, and how many slow connections the server
had closed by the end. Traffic goes only to the address given (use a loopback address).
Bounded: it stops after ``--seconds``.
"""
from __future__ import annotations

import argparse
import socket
import threading
import time
import urllib.request
from urllib.parse import urlsplit


def slow_client(host: str, port: int, every: float, until: float, mode: str, closed: list) -> None:
    try:
        s = socket.create_connection((host, port), timeout=10)
    except OSError:
        closed.append("refused")
        return
    try:
        if mode == "partial":
            s.sendall(b"GET /api/sea")
        elif mode == "body":
            s.sendall(b"POST /login HTTP/1.1\r\nHost: " + host.encode() + b"\r\nContent-Type: "
                      b"application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nname=")
        else:
            s.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: " + host.encode() + b"\r\n")
        n = 0
        while time.monotonic() < until:
            time.sleep(every)
            if mode == "body":
                s.sendall(b"x")
            elif mode == "slowloris":
                s.sendall(b"X-Slow-%d: %d\r\n" % (n, n))
                n += 1
            else:
                s.setblocking(False)
                try:
                    if s.recv(1) == b"":
                        raise OSError("closed")
                except BlockingIOError:
                    pass
                s.setblocking(True)
    except OSError:
        closed.append("closed")
    finally:
        s.close()


def probe(base: str, until: float, results: list) -> None:
    while time.monotonic() < until:
        began = time.monotonic()
        try:
            with urllib.request.urlopen(base + "/api/search?q=%E4%BF%9D%E5%AF%86", timeout=15) as r:
                r.read()
                results.append(("ok", time.monotonic() - began))
        except OSError as exc:
            results.append((f"failed: {exc}", time.monotonic() - began))
        time.sleep(max(0.0, 1.0 - (time.monotonic() - began)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--partial", action="store_true", help="half a request line, then nothing")
    parser.add_argument("--body", action="store_true", help="a whole head, then the body a byte at a time")
    args = parser.parse_args()
    parts = urlsplit(args.url)
    until = time.monotonic() + args.seconds
    closed: list = []
    mode = "partial" if args.partial else "body" if args.body else "slowloris"
    slow = [threading.Thread(target=slow_client, args=(parts.hostname, parts.port, args.every, until, mode, closed),
                             daemon=True) for _ in range(args.connections)]
    for t in slow:
        t.start()
    time.sleep(1.0)  # the slow connections are in place
    results: list = []
    probe(args.url.rstrip("/"), until, results)
    for t in slow:
        t.join(args.every + 15)
    answered = [d for what, d in results if what == "ok"]
    failed = [what for what, _ in results if what != "ok"]
    print(f"{args.connections} {mode} connections, "
          f"{args.seconds:.0f} s: probes answered {len(answered)}/{len(results)}, slowest "
          f"{max(answered, default=0) * 1000:.0f} ms, median {sorted(answered)[len(answered) // 2] * 1000 if answered else 0:.0f} ms; "
          f"slow connections closed by the server: {len(closed)}")
    if failed:
        print("failures:", sorted(set(failed))[:3])


if __name__ == "__main__":
    main()
