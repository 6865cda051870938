"""Workers reconcile keys under one policy: done, look again later, or back off after an error."""

from __future__ import annotations

import asyncio
import logging

import pytest

from gitplane.runtime.queue import Backoff, WorkQueue
from gitplane.runtime.workers import work


async def test_results_decide_what_happens_to_the_key(caplog: pytest.LogCaptureFixture) -> None:
    """None forgets the key, seconds schedule another look, errors back off (expected ones without a trace)."""
    queue: WorkQueue[str] = WorkQueue(Backoff(base=0.001, cap=0.001, jitter=0))
    seen: list[str] = []
    finished = asyncio.Event()
    scheduled: list[tuple[str, float]] = []

    async def reconcile(key: str) -> float | None:
        seen.append(key)
        if key == "expected" and seen.count(key) == 1:
            raise ValueError("conflict")
        if key == "broken" and seen.count(key) == 1:
            raise RuntimeError("boom")
        if key == "later":
            return 30.0
        if {"expected", "broken"} <= set(seen) and seen.count("expected") == 2 and seen.count("broken") == 2:
            finished.set()
        return None

    worker = asyncio.create_task(work(queue, reconcile, name="test", again=lambda k, s: scheduled.append((k, s)),
                                      expected=lambda exc: isinstance(exc, ValueError)))
    with caplog.at_level(logging.INFO, logger="gitplane.runtime.workers"):
        for key in ("later", "expected", "broken"):
            queue.add(key)
        await asyncio.wait_for(finished.wait(), 10)
    queue.shutdown()
    await asyncio.wait_for(worker, 10)
    assert scheduled == [("later", 30.0)]
    assert queue.failures("expected") == 0 and queue.failures("broken") == 0
    expected = next(r for r in caplog.records if "expected" in r.getMessage())
    broken = next(r for r in caplog.records if "broken" in r.getMessage())
    assert expected.exc_info is None and broken.exc_info is not None
