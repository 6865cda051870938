"""Abusive clients for the connection-limit tests and ``bench/connection_abuse.py``: many TLS connections that
stay idle, send their headers a line at a time, their body a byte at a time, or an endless header.

Each kind is a coroutine run by one asyncio loop in the calling process, so thousands of connections cost one
thread. Every loop is bounded: a client stops when its ``stop`` event is set or the server closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

Kind = Callable[[asyncio.StreamReader, asyncio.StreamWriter, asyncio.Event], Awaitable[None]]


def client_context(data_dir: Path) -> ssl.SSLContext:
    """Anonymous TLS (the server's CA, no client certificate)."""
    return ssl.create_default_context(cafile=str(data_dir / "pki" / "ca.crt"))


@dataclass
class Tally:
    opened: int = 0
    failed: int = 0
    closed_by_server: int = 0
    errors: dict[str, int] = field(default_factory=dict)


async def _until_closed(reader: asyncio.StreamReader, stop: asyncio.Event) -> bool:
    """Wait for the server to close (True) or for ``stop`` (False); whatever the server answers is read."""
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while True:
            read = asyncio.ensure_future(reader.read(65536))
            done, _ = await asyncio.wait({read, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if read not in done:
                read.cancel()
                return False
            if not read.result():
                return True
    finally:
        stopping.cancel()


async def idle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    """Connect, finish the handshake, send nothing."""
    del writer
    await _until_closed(reader, stop)


async def slow_headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event,
                       interval: float = 10.0) -> None:
    """A request line, then one header line every ``interval`` seconds, never the end of the headers."""
    writer.write(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    i = 0
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(interval):
                if await _until_closed(reader, stop):
                    return
        writer.write(b"X-Slow-%d: y\r\n" % i)
        i += 1


async def slow_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event,
                    interval: float = 10.0) -> None:
    """Headers announcing a 1 KiB body, then one byte of it every ``interval`` seconds."""
    writer.write(b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/json\r\nContent-Length: 1024\r\n\r\n")
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(interval):
                if await _until_closed(reader, stop):
                    return
        writer.write(b" ")


async def header_flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event) -> None:
    """A header that never ends, sent as fast as the server takes it."""
    writer.write(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Flood: ")
    chunk = b"a" * 65536
    with contextlib.suppress(ConnectionError, ssl.SSLError):
        while (not stop.is_set() and not reader.at_eof() and reader.exception() is None
               and not writer.transport.is_closing()):
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0)  # drain does not notice a reset TLS connection: look again before writing


async def hold(port: int, context: ssl.SSLContext, kind: Kind, count: int, *, stop: asyncio.Event,
               tally: Tally, concurrency: int = 200, persistent: bool = False) -> list[asyncio.Task[None]]:
    """Open ``count`` connections of ``kind`` (``concurrency`` handshakes at a time); returns once every
    attempt has connected or failed, with the tasks that run the connections until ``stop`` is set.
    ``persistent`` clients reconnect when the server closes them, as a determined attacker would."""
    gate = asyncio.Semaphore(concurrency)

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        try:
            async with gate:
                connection = await asyncio.open_connection("127.0.0.1", port, ssl=context,
                                                           server_hostname="127.0.0.1")
        except (OSError, ssl.SSLError) as exc:
            tally.failed += 1
            tally.errors[type(exc).__name__] = tally.errors.get(type(exc).__name__, 0) + 1
            return None
        tally.opened += 1
        return connection

    async def run(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                await kind(reader, writer, stop)
            except (OSError, ssl.SSLError):
                pass
            finally:
                writer.transport.abort()
            if stop.is_set():
                return
            tally.closed_by_server += 1
            if not persistent:
                return
            connection = await connect()
            if connection is None:
                return
            reader, writer = connection

    running: list[asyncio.Task[None]] = []

    async def one() -> None:
        connection = await connect()
        if connection is not None:
            running.append(asyncio.ensure_future(run(*connection)))

    await asyncio.gather(*(one() for _ in range(count)))
    return running
