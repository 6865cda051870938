"""Every open connection of the HTTP server, its phase and its deadline; the cap on connections.

Why: a client that connects and sends nothing, sends its headers a line at a time, or its body a byte at a
time, holds a file descriptor and memory for as long as the server lets it. kube-apiserver (Go's net/http)
bounds each of those waits; so does this table, with one timer for the whole server instead of one per
connection.

How: a connection is always in exactly one phase, and each phase has one timeout:

    HANDSHAKE  accepted, TLS handshake running          (the event loop aborts it at the handshake timeout;
                                                         the table forgets it shortly after)
    HEADERS    waiting for, or reading, request headers  --request-header-timeout (kube: 32 s)
    BODY       reading a request body                    --request-body-timeout
    BUSY       the request is being served (watches too) no timeout here
    IDLE       keep-alive, between two requests          --idle-timeout (kube: 90 s)

Each phase keeps its connections in a dict in the order they entered it; since every connection of a phase
waits the same time, that is also the order of their deadlines, so the sweep (once a second) pops expired
connections off the front and never scans the rest, and "the connection that has waited longest" is the
first key. A phase change is two dict operations. The sweep also gives the memory of closed connections back
to the operating system (:mod:`gitplane.server.memory`).

The cap: when a new connection would exceed ``max_connections``, the connection that has waited longest in
IDLE or HEADERS (a request that has not started) is closed to make room, so a flood of idle or slow clients
can never lock out a client that sends its request promptly. Connections still in their TLS handshake cannot
be closed from here (the event loop owns them until the handshake ends); they end at the handshake timeout.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import resource
from collections.abc import Callable
from typing import Protocol

from gitplane.server.memory import MemoryTrimmer
from gitplane.settings import ConnectionLimits

log = logging.getLogger(__name__)

SWEEP_SECONDS = 1.0
FD_RESERVE = 512
"""File descriptors kept free for the store, the log and the process's own use when the cap is derived."""


class Phase(enum.IntEnum):
    HANDSHAKE = 0
    HEADERS = 1
    BODY = 2
    BUSY = 3
    IDLE = 4


TIMEOUT_REASON = {Phase.HEADERS: "header-timeout", Phase.BODY: "body-timeout", Phase.IDLE: "idle-timeout"}


class ConnectionEvents(Protocol):
    """What the server reports about connections (the metrics implement it)."""

    def connection_opened(self) -> None: ...

    def connection_closed(self) -> None: ...

    def rejected(self, reason: str) -> None: ...


class NoEvents:
    """Reports nothing."""

    def connection_opened(self) -> None:
        return None

    def connection_closed(self) -> None:
        return None

    def rejected(self, reason: str) -> None:
        return None


class Connection(Protocol):
    """What the table needs of a connection's protocol."""

    phase: Phase

    def close_now(self, reason: str) -> None:
        """Drop the connection at once (a timeout or eviction); it leaves the table by itself."""


def raise_descriptor_limit() -> int:
    """Raise the soft limit on open files to the hard limit; returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = max(soft, 1 << 20)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):  # not permitted here: keep the soft limit
            log.debug("could not raise the open-files limit from %s to %s", soft, hard)
    return soft


def connection_cap(configured: int, descriptor_limit: int) -> int:
    """The cap in force: the configured one, never closer than the reserve to the descriptor limit."""
    ceiling = max(descriptor_limit - FD_RESERVE, descriptor_limit // 2)
    return min(configured, ceiling) if configured > 0 else ceiling


class ConnectionTable:
    """The open connections by phase (see the module docstring). Used from the event loop only."""

    def __init__(self, limits: ConnectionLimits, events: ConnectionEvents, *, cap: int,
                 clock: Callable[[], float]) -> None:
        self.limits = limits
        self.events = events
        self.cap = cap
        self._clock = clock
        self._timeouts = {Phase.HANDSHAKE: limits.tls_handshake_timeout + 2 * SWEEP_SECONDS,
                          Phase.HEADERS: limits.request_header_timeout,
                          Phase.BODY: limits.request_body_timeout,
                          Phase.IDLE: limits.idle_timeout}
        self._phases: dict[Phase, dict[Connection, float]] = {phase: {} for phase in Phase}
        self._sweeper: asyncio.TimerHandle | None = None
        self._trimmer = MemoryTrimmer(clock)

    def __len__(self) -> int:
        return sum(len(members) for members in self._phases.values())

    def count(self, phase: Phase) -> int:
        return len(self._phases[phase])

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._sweeper = loop.call_later(SWEEP_SECONDS, self._sweep, loop)

    def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None

    def admit(self, conn: Connection) -> None:
        """A new connection (accepted, before its TLS handshake); makes room under the cap first."""
        if len(self) >= self.cap and not self._evict_one():
            # nothing can be closed to make room: admitted above the cap; the handshakes that fill it end at
            # their timeout, or make room when they finish (:meth:`opened`)
            log.debug("connection cap %s reached with no idle connection to close", self.cap)
        conn.phase = Phase.HANDSHAKE
        self._phases[Phase.HANDSHAKE][conn] = self._clock() + self._timeouts[Phase.HANDSHAKE]

    def enter(self, conn: Connection, phase: Phase) -> bool:
        """Move ``conn`` to ``phase``, whose timeout starts now; False if it has left the table (closed)."""
        if self._phases[conn.phase].pop(conn, None) is None:
            return False
        conn.phase = phase
        timeout = self._timeouts.get(phase)
        self._phases[phase][conn] = self._clock() + timeout if timeout is not None else 0.0
        return True

    def opened(self, conn: Connection) -> bool:
        """The handshake is done: the connection waits for its first request. False if it was closed (to make
        room, or while its handshake ran)."""
        if not self.enter(conn, Phase.HEADERS):
            return False
        # handshakes admitted above the cap (nothing could be closed then) make room now that they can
        while len(self) > self.cap and self._evict_one():
            pass
        if conn not in self._phases[Phase.HEADERS]:
            return False
        self.events.connection_opened()
        return True

    def forget(self, conn: Connection, *, was_open: bool) -> None:
        """The connection is closed."""
        self._phases[conn.phase].pop(conn, None)
        if was_open:
            self.events.connection_closed()
            self._trimmer.connection_closed()

    def _evict_one(self) -> bool:
        """Close the connection that has waited longest for a request; False if there is none."""
        for phase in (Phase.IDLE, Phase.HEADERS):
            members = self._phases[phase]
            if members:
                victim = next(iter(members))
                del members[victim]
                self.events.rejected("connection-limit")
                victim.close_now("connection-limit")
                return True
        return False

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = self._clock()
        for phase, members in self._phases.items():
            if phase is Phase.BUSY:
                continue
            expired: list[Connection] = []
            for conn, deadline in members.items():
                if deadline > now:
                    break
                expired.append(conn)
            for conn in expired:
                del members[conn]
                if phase is Phase.HANDSHAKE:
                    continue  # the loop has aborted it (handshake timeout); nothing was opened
                self.events.rejected(TIMEOUT_REASON[phase])
                conn.close_now(TIMEOUT_REASON[phase])
        self._trimmer.maybe_trim(loop)
        self._sweeper = loop.call_later(SWEEP_SECONDS, self._sweep, loop)
