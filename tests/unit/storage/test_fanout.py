"""The watch fan-out on its own: its index of watchers, and the hand-over from history to live events."""

from __future__ import annotations

import asyncio
import builtins

import pytest

from gitplane.storage.fanout import Fanout
from gitplane.storage.interface import Closed, Event, EventType, Prefix, Record, Revision
from tests.unit.storage.storage_samples import key, take

CONFIGMAPS = Prefix("", "configmaps")


def event(revision: Revision, name: str = "a") -> Event:
    return Event(EventType.ADDED, Record(key(name), b"{}", revision), None)


class FakeHistory:
    """A history of events up to some revision, served once ``gate`` is open."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        self.gate = asyncio.Event()
        self.gate.set()
        self.entered = asyncio.Event()
        self.reads = 0

    async def events_after(self, prefix: Prefix, since: Revision, *, limit: int) -> builtins.list[Event]:
        self.entered.set()
        await self.gate.wait()
        self.reads += 1
        return [e for e in self.events if e.revision > since and prefix.contains(e.record.key)][:limit]


async def test_closed_and_overflowed_watchers_leave_the_index() -> None:
    """Neither a closed watcher nor one that fell behind stays registered."""
    fanout = Fanout(FakeHistory([]), revision=0, queue_size=2)
    kept, closed, slow = (fanout.subscribe(CONFIGMAPS, 0) for _ in range(3))
    closed.close()
    assert fanout.watcher_count == 2
    fanout.publish(event(1))
    fanout.publish(event(2))
    assert [e.revision for e in await take(kept, 2)] == [1, 2]
    fanout.publish(event(3))
    assert fanout.watcher_count == 1
    assert [e.revision for e in await take(kept, 1)] == [3]
    assert [e.revision async for e in slow] == [1, 2]


async def test_history_hands_over_to_live_events_without_loss_or_repetition() -> None:
    """Events read from history and the same events arriving live are delivered once, in order."""
    history = FakeHistory([event(revision) for revision in range(1, 13)])
    fanout = Fanout(history, revision=10, history_page=3)
    watch = fanout.subscribe(CONFIGMAPS, 5)
    fanout.publish(event(11))
    fanout.publish(event(12))
    assert [e.revision for e in await take(watch, 7)] == list(range(6, 13))
    assert history.reads == 3
    fanout.publish(event(13))
    assert [e.revision for e in await take(watch, 1)] == [13]


async def test_a_cancelled_wait_for_history_leaves_the_watch_usable() -> None:
    """A consumer cancelled while history is read (by its timeout, say) can go on and loses nothing."""
    history = FakeHistory([event(1), event(2)])
    history.gate.clear()
    fanout = Fanout(history, revision=2)
    watch = fanout.subscribe(CONFIGMAPS, 0)
    waiting = asyncio.ensure_future(anext(watch))
    await history.entered.wait()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    history.gate.set()
    assert [e.revision for e in await take(watch, 2)] == [1, 2]


async def test_closing_the_fanout_ends_watches_and_refuses_new_ones() -> None:
    """After close, iteration ends and subscribing fails."""
    fanout = Fanout(FakeHistory([]), revision=0)
    watch = fanout.subscribe(CONFIGMAPS, 0)
    fanout.publish(event(1))
    fanout.close()
    assert [e async for e in watch] == []
    with pytest.raises(Closed):
        fanout.subscribe(CONFIGMAPS, 0)


async def test_a_batch_holds_every_event_waiting_and_never_repeats_one() -> None:
    """``batch`` hands over all buffered events at once (history pages first, then live ones, each once), an
    empty list when nothing came within the wait, and None once the watch ended (after the last events)."""
    history = FakeHistory([event(revision) for revision in range(1, 7)])
    fanout = Fanout(history, revision=6, history_page=4, queue_size=8)
    watch = fanout.subscribe(CONFIGMAPS, 0)
    fanout.publish(event(7))
    fanout.publish(event(8))
    got: list[int] = []
    while len(got) < 8:
        batch = await watch.batch(1.0)
        assert batch, "events were waiting"
        got.extend(e.revision for e in batch)
    assert got == list(range(1, 9))
    assert await watch.batch(0.01) == []
    fanout.publish(event(9))
    fanout.publish(event(10))
    assert [e.revision for e in await watch.batch(1.0) or []] == [9, 10]
    waiting = asyncio.ensure_future(watch.batch(30.0))
    await asyncio.sleep(0)
    fanout.publish(event(11))
    assert [e.revision for e in await asyncio.wait_for(waiting, 1.0) or []] == [11]
    fanout.publish(event(12))
    fanout.close()
    assert await watch.batch(1.0) is None  # closing the fan-out ends the watch; buffered events go with it


async def test_a_watcher_that_fell_behind_gets_its_buffer_then_the_end() -> None:
    fanout = Fanout(FakeHistory([]), revision=0, queue_size=2)
    slow = fanout.subscribe(CONFIGMAPS, 0)
    for revision in (1, 2, 3):
        fanout.publish(event(revision))
    assert [e.revision for e in await slow.batch(1.0) or []] == [1, 2]
    assert await slow.batch(1.0) is None
    assert fanout.watcher_count == 0
