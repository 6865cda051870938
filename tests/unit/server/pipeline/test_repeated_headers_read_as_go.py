"""A header sent twice reads as its first value, as Go's ``Header.Get`` reads it (so a second Authorization
header cannot replace the first)."""

from __future__ import annotations

from typing import Any

from gitplane.server.request import Request


def request(headers: list[tuple[bytes, bytes]]) -> Request:
    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    return Request({"type": "http", "method": "GET", "path": "/api", "headers": headers}, receive)


def test_the_first_of_repeated_headers_wins() -> None:
    req = request([(b"authorization", b"Bearer first"), (b"accept", b"a"), (b"authorization", b"Bearer second")])
    assert req.header(b"authorization") == "Bearer first"
    assert req.header(b"accept") == "a"


def test_single_headers_read_as_sent() -> None:
    assert request([(b"accept", b"application/json")]).header(b"accept") == "application/json"
