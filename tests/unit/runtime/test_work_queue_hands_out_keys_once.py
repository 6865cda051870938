"""The controllers' work queue: keys are deduplicated, never processed by two workers at once (a key added while
it is processed runs again after), delayed keys come out in due order, failures back off exponentially until
forgotten, and shutting down wakes every waiting worker."""

from __future__ import annotations

import asyncio

import pytest

from gitplane.runtime.queue import Backoff, ShutDown, WorkQueue

WAIT_SECONDS = 10.0
"""A guard against hangs when waiting for a key that must come; never a timing assertion."""


async def next_key(queue: WorkQueue[str]) -> str:
    async with asyncio.timeout(WAIT_SECONDS):
        return await queue.get()


async def test_a_key_added_twice_is_handed_out_once() -> None:
    """Adds of a key that is already waiting collapse into one."""
    queue: WorkQueue[str] = WorkQueue()
    for key in ("a", "b", "a", "a"):
        queue.add(key)
    assert len(queue) == 2
    assert [await next_key(queue), await next_key(queue)] == ["a", "b"]
    assert len(queue) == 0


async def test_a_key_being_processed_is_not_handed_to_another_worker() -> None:
    """Added while a worker holds it, the key waits until the worker is done, then comes out once more."""
    queue: WorkQueue[str] = WorkQueue()
    queue.add("a")
    assert await next_key(queue) == "a"
    queue.add("a")
    queue.add("a")
    assert len(queue) == 0
    second_worker = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    assert not second_worker.done()
    queue.done("a")
    async with asyncio.timeout(WAIT_SECONDS):
        assert await second_worker == "a"
    queue.done("a")
    assert len(queue) == 0


async def test_done_without_new_adds_does_not_requeue() -> None:
    """A key processed without being added meanwhile is finished."""
    queue: WorkQueue[str] = WorkQueue()
    queue.add("a")
    queue.done(await next_key(queue))
    assert len(queue) == 0


async def test_other_keys_flow_while_one_is_processed() -> None:
    """Holding one key blocks only that key."""
    queue: WorkQueue[str] = WorkQueue()
    queue.add("a")
    assert await next_key(queue) == "a"
    queue.add("a")
    queue.add("b")
    assert await next_key(queue) == "b"


async def test_waiting_workers_each_get_a_different_key() -> None:
    """Two workers blocked on an empty queue share the keys that arrive."""
    queue: WorkQueue[str] = WorkQueue()
    workers = [asyncio.create_task(queue.get()) for _ in range(2)]
    await asyncio.sleep(0)
    queue.add("a")
    queue.add("b")
    async with asyncio.timeout(WAIT_SECONDS):
        assert sorted(await asyncio.gather(*workers)) == ["a", "b"]


async def test_delayed_keys_come_out_in_due_order() -> None:
    """A key due sooner comes out first, whatever the order of the add_after calls."""
    queue: WorkQueue[str] = WorkQueue()
    queue.add_after("late", 0.05)
    queue.add_after("soon", 0.01)
    assert len(queue) == 0
    assert [await next_key(queue), await next_key(queue)] == ["soon", "late"]


async def test_a_delay_of_zero_adds_at_once() -> None:
    """No timer is involved for a key that is already due."""
    queue: WorkQueue[str] = WorkQueue()
    queue.add_after("now", 0)
    assert len(queue) == 1


async def test_a_delayed_key_that_comes_due_while_processed_runs_once_more_after() -> None:
    """A timer firing for a key a worker holds does not hand it to another worker; it comes back after done."""
    queue: WorkQueue[str] = WorkQueue()
    queue.add("a")
    assert await next_key(queue) == "a"
    queue.add_after("a", 0.01)
    queue.add_after("b", 0.02)
    assert await next_key(queue) == "b"
    assert len(queue) == 0
    queue.done("a")
    assert len(queue) == 1
    assert await next_key(queue) == "a"


def test_backoff_doubles_per_failure_up_to_the_cap() -> None:
    """Without jitter the delay is ``base * 2**failures``, never above the cap."""
    backoff = Backoff(base=0.5, cap=10.0, jitter=0.0)
    assert [backoff.delay(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff.delay(10_000) == 10.0


@pytest.mark.parametrize("failures", [0, 3, 40])
def test_jitter_adds_at_most_its_share(failures: int) -> None:
    """Jitter only lengthens a delay, by at most ``jitter`` of it."""
    backoff = Backoff(base=1.0, cap=100.0, jitter=0.25)
    raw = min(100.0, 2.0 ** min(failures, 32))
    for _ in range(50):
        assert raw <= backoff.delay(failures) <= raw * 1.25


async def test_rate_limited_adds_count_failures_until_forgotten() -> None:
    """Each failure is counted and the key comes back after its backoff; forget starts over."""
    queue: WorkQueue[str] = WorkQueue(Backoff(base=0.001, cap=0.01, jitter=0.0))
    queue.add("a")
    for expected_failures in (1, 2, 3):
        key = await next_key(queue)
        queue.add_rate_limited(key)
        queue.done(key)
        assert queue.failures("a") == expected_failures
    assert await next_key(queue) == "a"
    queue.forget("a")
    queue.done("a")
    assert queue.failures("a") == 0


async def test_shutdown_wakes_every_waiting_worker() -> None:
    """Workers blocked on an empty queue stop with ShutDown."""
    queue: WorkQueue[str] = WorkQueue()
    workers = [asyncio.create_task(queue.get()) for _ in range(3)]
    await asyncio.sleep(0)
    queue.shutdown()
    async with asyncio.timeout(WAIT_SECONDS):
        results = await asyncio.gather(*workers, return_exceptions=True)
    assert all(isinstance(r, ShutDown) for r in results)


async def test_after_shutdown_queued_keys_drain_and_new_ones_are_ignored() -> None:
    """Keys waiting at shutdown are still handed out; adds and delayed adds after it are dropped."""
    queue: WorkQueue[str] = WorkQueue()
    queue.add("a")
    queue.add_after("timer", 60)
    queue.shutdown()
    queue.add("b")
    queue.add_after("c", 0.01)
    assert await next_key(queue) == "a"
    with pytest.raises(ShutDown):
        await next_key(queue)
