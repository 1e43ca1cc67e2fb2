"""Time a search may take. Building the plan and ranking check it between steps — each word,
each group — and once it has run out, stop and answer with what they have: a query of forty
common-word phrases took 4 s at 10,000 articles, and a request should never hold a thread that
long. The first step always runs, so an answer is never empty for want of time alone."""
from __future__ import annotations

import time


class Budget:
    def __init__(self, deadline: float | None = None):
        """``deadline``: a ``time.monotonic()`` value, or None for no limit."""
        self.deadline = deadline
        self.exceeded = False

    @classmethod
    def of(cls, milliseconds: int) -> "Budget":
        return cls(time.monotonic() + milliseconds / 1000 if milliseconds > 0 else None)

    def over(self) -> bool:
        """The time is up (and remembered as such: the answer will say it is incomplete)."""
        if not self.exceeded and self.deadline is not None and time.monotonic() >= self.deadline:
            self.exceeded = True
        return self.exceeded


UNLIMITED = Budget()
