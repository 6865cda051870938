"""Pipeline stage: the limit on requests in flight, as kube-apiserver's ``WithMaxInFlightLimit`` filter
(API priority and fairness off).

Why: a server that takes every request at once runs out of memory and answers nobody in time; refusing the
surplus with 429 and ``Retry-After: 1`` makes clients back off and retry (client-go does so by itself).

How: two pools, as kube keeps them: read-only requests (``get``, ``list``; ``--max-requests-inflight``,
default 400) and mutating ones (everything else: create, update, patch, delete, deletecollection;
``--max-mutating-requests-inflight``, default 200). Long-running requests (watches, and later exec, attach,
port-forward and proxy) hold no slot. A request that finds its pool full is refused with kube's 429
``TooManyRequests`` ("Too many requests, please try again later.") unless its user is in ``system:masters``,
which kube never refuses (the superuser and the server's own loopback client must always get an answer); such
a request is served without taking a slot. A limit of 0 turns that pool's limit off (its requests are still
counted, for the in-flight gauge).

The stage runs after authentication (so it knows the user) and takes the slot; the slot's release is left in
the scope under :data:`~gitplane.server.app.RELEASE_SCOPE_KEY`, which the app calls once the response is
complete: sent, failed, or cut off by the client going away. Taking and releasing a slot is a few integer
operations on the event loop; there is no lock, since every request runs on the one loop.
"""

from __future__ import annotations

from collections.abc import Callable

from gitplane.api import errors
from gitplane.server.app import RELEASE_SCOPE_KEY
from gitplane.server.request import Request

READ_ONLY_VERBS = frozenset({"get", "list", "watch", "head"})
"""kube's non-mutating verbs (``head``: a non-resource HEAD, which kube's request info names so)."""
LONG_RUNNING_VERBS = frozenset({"watch", "proxy"})
LONG_RUNNING_SUBRESOURCES = frozenset({"attach", "exec", "log", "portforward", "proxy"})
MASTERS = "system:masters"
MESSAGE = "Too many requests, please try again later."


class Pool:
    """The slots of one request kind: how many are in use now, the most in use since the last scrape."""

    __slots__ = ("in_use", "kind", "limit", "peak", "release")

    def __init__(self, kind: str, limit: int) -> None:
        self.kind = kind
        self.limit = limit
        self.in_use = 0
        self.peak = 0
        self.release: Callable[[], None] = self._release  # bound once, not per request

    def _release(self) -> None:
        self.in_use -= 1

    def take_peak(self) -> int:
        """The most slots in use since the last call (at least those in use now), and start over."""
        peak, self.peak = max(self.peak, self.in_use), self.in_use
        return peak


class InflightLimit:
    """The stage (see the module docstring). ``on_reject`` is told of every request refused with 429."""

    def __init__(self, max_read_only: int, max_mutating: int, *,
                 on_reject: Callable[[Request], None] | None = None) -> None:
        if max_read_only < 0 or max_mutating < 0:
            raise ValueError("in-flight limits must be 0 (no limit) or positive")
        self.read_only = Pool("readOnly", max_read_only)
        self.mutating = Pool("mutating", max_mutating)
        self._on_reject = on_reject

    async def __call__(self, request: Request) -> None:
        info = request.require_info()
        verb = info.verb
        if verb in LONG_RUNNING_VERBS or (info.subresource and info.subresource in LONG_RUNNING_SUBRESOURCES):
            return
        pool = self.read_only if verb in READ_ONLY_VERBS else self.mutating
        if pool.limit and pool.in_use >= pool.limit:
            if MASTERS in request.require_user().groups:
                return
            if self._on_reject is not None:
                self._on_reject(request)
            raise errors.too_many_requests(MESSAGE)
        pool.in_use += 1
        pool.peak = max(pool.peak, pool.in_use)
        request.scope[RELEASE_SCOPE_KEY] = pool.release
