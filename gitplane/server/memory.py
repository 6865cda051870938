"""Giving freed memory back to the operating system after bursts of connections.

Why: each TLS connection allocates its buffers (OpenSSL's records, uvloop's read buffer, the protocol's
objects) from the C heap. When a burst of connections closes, glibc's malloc keeps the freed memory in its
heaps for reuse, fragmented between the allocations that stay, and returns almost none of it: measured, 22
bursts of 3,000 idle TLS connections took the server from 63 MB to 749 MB, still rising, although no object of
those connections remained (gc found nothing to collect). ``malloc_trim(0)`` hands the free pages of every heap
back; after it the same bursts leave the server within 15 MB of where it started (bench/connection_abuse.py).

How: the connection table counts closed connections and, on its once-a-second sweep, asks for a trim when
enough have closed since the last one (:data:`TRIM_AFTER_CLOSES`), at most every :data:`TRIM_INTERVAL`
seconds. The trim runs in a worker thread (it takes up to ~20 ms after a burst and releases the GIL), so the
event loop never waits for it. On a C library without ``malloc_trim`` (musl, macOS) nothing is done.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

TRIM_AFTER_CLOSES = 256
TRIM_INTERVAL = 5.0


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


class MemoryTrimmer:
    """Trims the C heap after enough connections closed (see the module docstring). Event loop only."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._trim = _malloc_trim()
        self._clock = clock
        self._closed = 0
        self._last = clock()
        self._running = False

    def connection_closed(self) -> None:
        self._closed += 1

    def maybe_trim(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._trim is None or self._running or self._closed < TRIM_AFTER_CLOSES:
            return
        now = self._clock()
        if now - self._last < TRIM_INTERVAL:
            return
        self._closed, self._last, self._running = 0, now, True
        loop.run_in_executor(None, self._trim, 0).add_done_callback(self._done)

    def _done(self, future: asyncio.Future[int]) -> None:
        self._running = False
        if future.exception() is not None:
            log.warning("malloc_trim failed: %s", future.exception())
