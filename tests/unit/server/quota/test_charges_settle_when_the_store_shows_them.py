"""Admission's charges stay unsettled until the store shows the object after the charge, or they expire; a
namespace's turn is held by one charger or recounter at a time and forgotten when nobody needs it."""

from __future__ import annotations

import asyncio

import pytest

from gitplane.server.admission.resource_quota_charges import Charges
from gitplane.storage import interface as storage

WHERE = storage.Prefix("", "configmaps", "", "root", "unit")


def _key(name: str, namespace: str = "unit") -> storage.Key:
    return storage.Key("", "configmaps", "", "root", namespace, name)


@pytest.mark.parametrize(("event_revision", "settled"), [
    pytest.param(11, True, id="an-event-after-the-charge-settles-it"),
    pytest.param(10, False, id="the-charge-revision-itself-does-not"),
    pytest.param(7, False, id="an-older-event-does-not"),
])
def test_an_event_settles_a_charge_only_when_it_follows_it(event_revision: int, settled: bool) -> None:
    """Only a write of the name after the charge's revision proves the charged create reached the store."""
    charges = Charges(clock=lambda: 0.0)
    charges.record(WHERE, "a", 10)
    charges.settle(_key("a"), event_revision)
    assert (charges.unsettled(WHERE) == {}) is settled


def test_events_elsewhere_settle_nothing() -> None:
    """Another name or another namespace leaves the charge unsettled."""
    charges = Charges(clock=lambda: 0.0, expiry_seconds=30.0)
    charges.record(WHERE, "a", 10)
    charges.settle(_key("b"), 20)
    charges.settle(_key("a", namespace="other"), 20)
    assert charges.unsettled(WHERE) == {"a": 30.0}


def test_charges_expire() -> None:
    """An unsettled charge counts for ``expiry_seconds``, reporting the time it has left."""
    now = [100.0]
    charges = Charges(clock=lambda: now[0], expiry_seconds=60.0)
    charges.record(WHERE, "a", 10)
    now[0] = 130.0
    charges.record(WHERE, "b", 11)
    assert charges.unsettled(WHERE) == {"a": 30.0, "b": 60.0}
    now[0] = 160.0
    assert charges.unsettled(WHERE) == {"b": 30.0}
    now[0] = 190.0
    assert charges.unsettled(WHERE) == {}


async def test_a_namespace_turn_is_held_by_one_at_a_time() -> None:
    """Holders of one namespace's turn run one after the other; another namespace's turn is independent."""
    charges = Charges()
    inside: list[str] = []
    entered = {label: asyncio.Event() for label in ("first", "second", "elsewhere")}
    release = asyncio.Event()

    async def hold(namespace: str, label: str) -> None:
        async with charges.turn("root", namespace):
            inside.append(label)
            entered[label].set()
            await release.wait()
            inside.remove(label)

    first = asyncio.create_task(hold("unit", "first"))
    second = asyncio.create_task(hold("unit", "second"))
    elsewhere = asyncio.create_task(hold("other", "elsewhere"))
    async with asyncio.timeout(10):
        await entered["first"].wait()
        await entered["elsewhere"].wait()
    assert sorted(inside) == ["elsewhere", "first"]
    release.set()
    await asyncio.gather(first, second, elsewhere)
    assert inside == []
    async with charges.turn("root", "unit"):
        pass
    assert not charges._turns
