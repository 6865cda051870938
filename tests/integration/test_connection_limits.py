"""Connection abuse: header limits (431, refused before the rest is read), timeouts for handshakes, headers,
bodies and idle keep-alive connections, and the connection cap, each against a real server process.

The servers here run with short timeouts (a few seconds) so that every wait is short; the defaults are kube's
(32 s for headers, 90 s idle) and ``bench/connection_abuse.py`` measures them at scale.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.integration.abuse_clients import Tally, client_context, hold, idle, slow_headers
from tests.integration.rawclient import RawClient
from tests.integration.rawsocket import connect, read_response, read_until_closed, request_head
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

TIMEOUT = 2.0
"""Every timeout of the module's server; a closed connection must be seen within it plus the sweep's second."""
LATE = TIMEOUT + 3.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    args = ["--request-header-timeout", str(TIMEOUT), "--request-body-timeout", str(TIMEOUT),
            "--idle-timeout", str(TIMEOUT), "--tls-handshake-timeout", str(TIMEOUT)]
    proc = ServerProcess(tmp_path_factory.mktemp("gitplane"), extra_args=args).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def admin(server: ServerProcess) -> RawClient:
    return RawClient(server.url, server.data_dir)


def test_a_header_over_1_mib_is_refused_with_431_before_the_rest_is_read(server: ServerProcess,
                                                                         admin: RawClient) -> None:
    sock = connect(server, admin=False)
    sock.sendall(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
    sent = 0
    chunk = b"a" * 65536
    with pytest.raises(OSError):  # the server stops reading, then cuts the connection off
        while sent < 100 << 20:
            sock.sendall(chunk)
            sent += len(chunk)
    assert sent < 24 << 20, f"the server read {sent} bytes of one header"
    sock.close()
    assert admin.request("GET", "/version").status == 200


def test_the_431_answer_reaches_a_client_that_reads_it(server: ServerProcess) -> None:
    with connect(server, admin=False) as sock:
        sock.sendall(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
        status, body = read_response(sock)
    assert status == 431
    assert body == b"431 Request Header Fields Too Large"


def test_headers_just_under_the_limit_are_served(server: ServerProcess) -> None:
    with connect(server) as sock:
        sock.sendall(request_head("GET", "/version", {"X-Big": "a" * ((1 << 20) - 200)}))
        status, _ = read_response(sock)
    assert status == 200


def test_too_many_headers_are_refused_with_431(server: ServerProcess) -> None:
    with connect(server, admin=False) as sock:
        sock.sendall(request_head("GET", "/version", {f"X-{i}": "y" for i in range(100_000)}))
        status, _ = read_response(sock)
    assert status == 431


@pytest.mark.parametrize(("count", "expected"), [(499, 200), (500, 431)])
def test_the_header_count_limit_is_exact(server: ServerProcess, count: int, expected: int) -> None:
    """500 headers in all (Host is one) are served; one more is refused, also when all arrive in one read."""
    with connect(server, admin=False) as sock:
        sock.sendall(request_head("GET", "/version", {f"X-{i}": "y" for i in range(count)}))
        status, _ = read_response(sock)
    assert status == expected


def test_a_request_line_over_the_limit_is_refused_with_431(server: ServerProcess) -> None:
    with connect(server, admin=False) as sock:
        sock.sendall(b"GET /version?" + b"a" * (2 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _ = read_response(sock)
    assert status == 431


def test_a_connection_that_sends_nothing_is_closed_at_the_header_timeout(server: ServerProcess) -> None:
    with connect(server, admin=False) as sock:
        started = time.monotonic()
        assert read_until_closed(sock, limit=LATE + 5) == b""
        assert TIMEOUT - 0.5 <= time.monotonic() - started <= LATE


def test_headers_sent_a_line_at_a_time_are_cut_off_at_the_header_timeout(server: ServerProcess) -> None:
    with connect(server, admin=False) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /version HTTP/1.1\r\n")
        with pytest.raises(OSError):
            for i in range(100):
                time.sleep(0.2)
                sock.sendall(b"X-Slow-%d: y\r\n" % i)
        assert time.monotonic() - started <= LATE


def test_a_body_sent_a_byte_at_a_time_is_cut_off_at_the_body_timeout(server: ServerProcess) -> None:
    with connect(server) as sock:
        started = time.monotonic()
        sock.sendall(request_head("POST", "/api/v1/namespaces/default/configmaps",
                                  {"Content-Type": "application/json", "Content-Length": "1024"}))
        with pytest.raises(OSError):
            for _ in range(100):
                time.sleep(0.2)
                sock.sendall(b" ")
        assert time.monotonic() - started <= LATE


def test_an_idle_keep_alive_connection_is_closed_at_the_idle_timeout(server: ServerProcess) -> None:
    with connect(server) as sock:
        sock.sendall(request_head("GET", "/version", {}))
        assert read_response(sock)[0] == 200
        sock.sendall(request_head("GET", "/version", {}))  # a second request: the connection is kept alive
        assert read_response(sock)[0] == 200
        started = time.monotonic()
        assert read_until_closed(sock, limit=LATE + 5) == b""
        assert TIMEOUT - 0.5 <= time.monotonic() - started <= LATE


def test_a_client_that_never_finishes_the_tls_handshake_is_dropped(server: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=LATE + 5) as raw:
        started = time.monotonic()
        assert raw.recv(1024) == b""
        assert time.monotonic() - started <= LATE


def test_a_busy_request_is_not_cut_off_by_the_timeouts(server: ServerProcess, admin: RawClient) -> None:
    """A watch outlives every timeout: the timeouts bound waiting for the client, not serving it."""
    with connect(server) as sock:
        sock.sendall(request_head("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=4", {}))
        started = time.monotonic()
        read_until_closed(sock, limit=15)  # the watch ends at its own timeout, then the idle timeout closes
        assert time.monotonic() - started >= 4


def test_at_the_connection_cap_the_longest_idle_connections_make_room(tmp_path_factory: pytest.TempPathFactory,
                                                                     ) -> None:
    cap = 64
    proc = ServerProcess(tmp_path_factory.mktemp("gitplane"), extra_args=["--max-connections", str(cap)]).start()
    try:
        admin = RawClient(proc.url, proc.data_dir)
        tally = Tally()
        stop = asyncio.Event()
        done = threading.Event()
        loop = asyncio.new_event_loop()

        async def flood() -> None:
            running = await hold(proc.port, client_context(proc.data_dir), idle, 3 * cap, stop=stop, tally=tally)
            done.set()
            await stop.wait()
            await asyncio.gather(*running, return_exceptions=True)

        thread = threading.Thread(target=loop.run_until_complete, args=(flood(),), daemon=True)
        thread.start()
        assert done.wait(60)
        assert tally.opened == 3 * cap
        # the oldest idle connections were closed to admit the newer ones
        deadline = time.monotonic() + 10
        while tally.closed_by_server < 2 * cap - 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tally.closed_by_server >= 2 * cap - 1
        started = time.monotonic()
        assert admin.request("GET", "/api/v1/namespaces/default").status == 200  # a new client still gets in
        assert time.monotonic() - started < 1.0
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()
    finally:
        proc.stop()


def test_an_admin_gets_through_while_a_thousand_idle_and_slow_clients_hold_connections(server: ServerProcess,
                                                                                       admin: RawClient) -> None:
    """The goal at CI's scale (``bench/connection_abuse.py`` holds 10,000): anonymous clients hold
    connections idle and send headers a line at a time; a new admin connection is served within a second."""
    tallies = (Tally(), Tally())
    stop = asyncio.Event()
    held = threading.Event()
    loop = asyncio.new_event_loop()

    async def abuse() -> None:
        context = client_context(server.data_dir)
        running = await hold(server.port, context, idle, 800, stop=stop, tally=tallies[0], persistent=True)
        running += await hold(server.port, context, slow_headers, 200, stop=stop, tally=tallies[1],
                              persistent=True)
        held.set()
        await stop.wait()
        await asyncio.gather(*running, return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(abuse(),), daemon=True)
    thread.start()
    try:
        assert held.wait(120)
        assert tallies[0].opened >= 800 and tallies[1].opened >= 200
        for _ in range(5):
            started = time.monotonic()
            assert admin.request("GET", "/api/v1/namespaces/default").status == 200
            assert time.monotonic() - started < 1.0
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(60)
        loop.close()
