"""What lasting addresses cost at scale: numbering every article of a corpus on first start, the
look at the whole folder after each index update when nothing changed, reading the registry,
and its size.

    python bench/addresses.py --count 10000 [--corpus bench/out/corpus-10000]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import ensure  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--corpus", type=Path)
    args = parser.parse_args(argv)
    corpus = args.corpus or ROOT / "bench" / "out" / f"corpus-{args.count}"
    ensure(args.count, corpus)

    from application.addresses import FolderLook
    from kb import addresses
    from kb.history import History
    from kb.store import ContentStore

    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(corpus, content)
        store = ContentStore(content, light=True)
        look = FolderLook(store, History(content))
        started = time.perf_counter()
        store.catalog()
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        notes = look()
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = look()
        second = time.perf_counter() - started
        text = (content / addresses.FILE).read_text(encoding="utf-8")
        addresses._parsed.clear()
        started = time.perf_counter()
        registry, _ = addresses.load(content)
        read = time.perf_counter() - started
        print(f"{len(registry)} articles numbered ({len(notes)} notes); catalog load {loaded:.2f} s")
        print(f"first look (number every article, write the registry): {first:.2f} s")
        print(f"a look with nothing to record (after each index update): {second:.2f} s, {len(again)} notes")
        print(f"reading the registry: {read * 1000:.0f} ms; its size {len(text.encode()) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
