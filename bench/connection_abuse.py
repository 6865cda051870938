"""Connection abuse: an admin's request latency while thousands of anonymous clients hold connections idle,
send headers a line at a time, bodies a byte at a time, or endless headers; and the server's memory before,
during and after, and after bursts of connections.

The baseline is the same admin request with no abuse, measured first in the same run. The server runs as a
real process with its default limits (``gitplane serve``); the abusive clients run in this process on one
asyncio loop; the admin's requests run in a thread, each on a new TLS connection (the handshake included, as
for a new client) and on one kept-alive connection.

Run from the repository root: ``python -m bench.connection_abuse [--idle 7800 --slow-headers 2000
--slow-bodies 200 --floods 20 --bursts 22 --burst-size 3000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import ssl
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import rss_mb
from gitplane.server.memory import TRIM_INTERVAL
from tests.integration.abuse_clients import Tally, client_context, header_flood, hold, idle, slow_body, slow_headers
from tests.integration.server import ServerProcess

TRIM_WAIT = TRIM_INTERVAL + 2
"""The server gives memory back at most every TRIM_INTERVAL seconds, on its once-a-second sweep."""


class Admin:
    """The admin's requests: GET /api/v1/namespaces/default, on a new connection or a kept-alive one."""

    def __init__(self, server: ServerProcess) -> None:
        pki = server.data_dir / "pki"
        self.context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        self.context.load_cert_chain(pki / "admin.crt", pki / "admin.key")
        self.port = server.port
        self.kept = self._connect()

    def _connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=30)

    def _get(self, conn: http.client.HTTPSConnection) -> float:
        started = time.perf_counter()
        conn.request("GET", "/api/v1/namespaces/default")
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"admin request failed: {response.status}")
        return time.perf_counter() - started

    def new_connection(self) -> float:
        conn = self._connect()
        try:
            return self._get(conn)
        finally:
            conn.close()

    def kept_alive(self) -> float:
        try:
            return self._get(self.kept)
        except (OSError, http.client.HTTPException):  # closed by the idle timeout: a client reconnects
            self.kept.close()
            self.kept = self._connect()
            return self._get(self.kept)


def sample(admin: Admin, seconds: float) -> tuple[list[float], list[float]]:
    fresh: list[float] = []
    kept: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fresh.append(admin.new_connection())
        kept.append(admin.kept_alive())
        time.sleep(0.05)
    return fresh, kept


def describe(name: str, values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return (f"{name}: n={len(ms)} median {statistics.median(ms):.1f} ms, "
            f"p99 {ms[min(len(ms) - 1, int(len(ms) * 0.99))]:.1f} ms, max {ms[-1]:.1f} ms")


async def abuse(server: ServerProcess, admin: Admin, args: argparse.Namespace) -> None:
    assert server.process is not None
    pid = server.process.pid
    context = client_context(server.data_dir)
    stop = asyncio.Event()
    tallies = {name: Tally() for name in ("idle", "slow-headers", "slow-bodies", "floods")}
    started = time.monotonic()
    running = []
    for name, kind, count in (("idle", idle, args.idle), ("slow-headers", slow_headers, args.slow_headers),
                              ("slow-bodies", slow_body, args.slow_bodies), ("floods", header_flood, args.floods)):
        running += await hold(server.port, context, kind, count, stop=stop, tally=tallies[name], persistent=True)
    print(f"abuse: opened in {time.monotonic() - started:.1f} s: "
          + ", ".join(f"{n} {t.opened} (failed {t.failed} {t.errors or ''})" for n, t in tallies.items()))
    rss_during = rss_mb(pid)
    fresh, kept = await asyncio.to_thread(sample, admin, args.seconds)
    print(describe("  admin GET, new TLS connection, under abuse", fresh))
    print(describe("  admin GET, kept-alive connection, under abuse", kept))
    held = sum(t.opened for t in tallies.values()) - sum(t.closed_by_server for t in tallies.values())
    print(f"  server RSS while held: {rss_during:.0f} MB; held at the end of sampling: {held}; closed by the "
          "server and reopened so far: " + ", ".join(f"{n} {t.closed_by_server}" for n, t in tallies.items()))
    stop.set()
    await asyncio.gather(*running, return_exceptions=True)


async def bursts(server: ServerProcess, count: int, size: int) -> None:
    context = client_context(server.data_dir)
    for _ in range(count):
        stop = asyncio.Event()
        tally = Tally()
        running = await hold(server.port, context, idle, size, stop=stop, tally=tally)
        stop.set()
        await asyncio.gather(*running, return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle", type=int, default=7800)
    parser.add_argument("--slow-headers", type=int, default=2000)
    parser.add_argument("--slow-bodies", type=int, default=200)
    parser.add_argument("--floods", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5.0, help="admin sampling time per phase")
    parser.add_argument("--bursts", type=int, default=22)
    parser.add_argument("--burst-size", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp)).start()
        try:
            assert server.process is not None
            pid = server.process.pid
            admin = Admin(server)
            admin.new_connection()
            rss_start = rss_mb(pid)
            fresh, kept = sample(admin, args.seconds)
            print(f"server RSS at start: {rss_start:.0f} MB")
            print(describe("baseline: admin GET, new TLS connection, no abuse", fresh))
            print(describe("baseline: admin GET, kept-alive connection, no abuse", kept))
            asyncio.run(abuse(server, admin, args))
            time.sleep(TRIM_WAIT)
            print(f"server RSS after the abuse ended: {rss_mb(pid):.0f} MB")
            started = time.monotonic()
            asyncio.run(bursts(server, args.bursts, args.burst_size))
            time.sleep(TRIM_WAIT)
            print(f"{args.bursts} bursts of {args.burst_size} idle connections in "
                  f"{time.monotonic() - started:.0f} s; server RSS after them: {rss_mb(pid):.0f} MB "
                  f"(start {rss_start:.0f} MB)")
            fresh, kept = sample(admin, args.seconds)
            print(describe("after: admin GET, new TLS connection", fresh))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
