"""Token buckets in one process: how often an anonymous client may make the site write.

The analytics beacon took 40,000 anonymous posts at about 445 a second and wrote each
(issue 16). A bucket per address and one for everyone bound it; they live in the worker's
memory (a busy site's worker processes each allow as much — the total is bounded by their
number), and the daily cap in the database (kb.analytics) bounds what is kept whatever the
number of workers or machines.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict


class Bucket:
    """``rate`` events a second on average, ``burst`` at once."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Throttle:
    """A bucket per key (an address) and one for all keys together. Keys beyond ``keys`` are
    forgotten oldest first: memory stays bounded however many addresses write."""

    def __init__(self, per_key: tuple[float, float], total: tuple[float, float], keys: int = 10_000):
        self.per_key, self.total = per_key, Bucket(*total)
        self.keys = keys
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.pop(key, None) or Bucket(*self.per_key)
            self._buckets[key] = bucket
            while len(self._buckets) > self.keys:
                self._buckets.popitem(last=False)
            if not bucket.take(now):
                return False
            if not self.total.take(now):
                bucket.tokens += 1  # not this key's fault
                return False
            return True
