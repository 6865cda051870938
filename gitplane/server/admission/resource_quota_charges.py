"""What the ResourceQuota plugin and the quota controller share: a turn per namespace, and the charges the
plugin has admitted that the store has not shown yet.

Why: the controller recounts a namespace's objects, but an admitted create (its charge already written into the
quota) may not be stored yet. Counting only stored objects would give that create's quota away a second time,
and a burst of creates could then exceed ``hard``. So the plugin records every create it charges (where, name,
the revision of the charge) and the controller counts those names as used until the store shows them: any
event for the name after the charge settles it. A charge whose create failed after admission (the name exists,
a generated name was replaced, the store refused it) is never shown, and expires instead.

Charging and recounting a namespace both take its turn (an ``asyncio.Lock`` that lives while someone holds or
waits for it), so in this process a recount never interleaves with a charge.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from gitplane.storage import interface as storage

EXPIRY_SECONDS = 60.0
"""How long an admitted create may take to reach the store (kube's request timeout)."""


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


@dataclass(frozen=True, slots=True)
class _Charge:
    revision: storage.Revision
    expires: float


class Charges:
    """Per-namespace turns and unsettled charges.

    Args:
        expiry_seconds: how long a charge stays unsettled at most.
        clock: monotonic seconds.
    """

    def __init__(self, *, expiry_seconds: float = EXPIRY_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.expiry_seconds = expiry_seconds
        self._clock = clock
        self._turns: dict[tuple[str, str], _Turn] = {}
        self._unsettled: dict[storage.Prefix, dict[str, _Charge]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, cluster: str, namespace: str) -> AsyncIterator[None]:
        """Hold the namespace's turn: charges and recounts of one namespace run one at a time."""
        key = (cluster, namespace)
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[key]

    def record(self, where: storage.Prefix, name: str, revision: storage.Revision) -> None:
        """A create of ``name`` under ``where`` (a type in one namespace) was charged at ``revision``."""
        now = self._clock()
        charges = self._unsettled.setdefault(where, {})
        for expired in [n for n, charge in charges.items() if charge.expires <= now]:
            del charges[expired]
        charges[name] = _Charge(revision, now + self.expiry_seconds)

    def settle(self, key: storage.Key, revision: storage.Revision) -> None:
        """The store showed ``key`` at ``revision``: a charge for it made before then is settled."""
        where = storage.Prefix(key.group, key.resource, key.identity, key.cluster, key.namespace)
        charges = self._unsettled.get(where)
        if charges is None:
            return
        charge = charges.get(key.name)
        if charge is not None and charge.revision < revision:
            del charges[key.name]
            if not charges:
                del self._unsettled[where]

    def unsettled(self, where: storage.Prefix) -> dict[str, float]:
        """The names charged under ``where`` and not settled, each with the seconds until its charge expires."""
        charges = self._unsettled.get(where)
        if not charges:
            return {}
        now = self._clock()
        left = {name: charge.expires - now for name, charge in charges.items() if charge.expires > now}
        if len(left) < len(charges):
            for name in [n for n in charges if n not in left]:
                del charges[name]
            if not charges:
                del self._unsettled[where]
        return left
