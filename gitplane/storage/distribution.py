"""A distribution of observed values in fixed buckets: the store's histograms, kept as plain numbers.

Why: the store times its commits and checkpoints on its own threads, and the server exports those timings as
Prometheus histograms. The storage layer must not depend on the server's metrics library, and a commit must
not pay for a lock, so the thread that observes a value keeps the bucket counts itself in a list of ints and
the server's collector reads them at scrape time.

How: :meth:`Distribution.observe` finds the value's bucket by bisection and adds one to it and the value to
the sum. Each distribution has one observing thread; a reader on another thread takes :meth:`snapshot`,
which copies the counts (one atomic list copy under the GIL), so a scrape sees whole observations, at worst
with the sum one observation behind the counts.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence


class Distribution:
    """Counts of observations per bucket (``bounds`` are the buckets' inclusive upper bounds, ascending; the
    last count is everything above the last bound) and the sum of the observed values."""

    __slots__ = ("_counts", "bounds", "total")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(bounds)
        self._counts = [0] * (len(self.bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        self._counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    def snapshot(self) -> tuple[list[int], float]:
        """``(counts per bucket, sum)``, each count for its own bucket (not cumulative)."""
        return list(self._counts), self.total
