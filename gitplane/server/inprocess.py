"""An in-process API client: system controllers call the API through the same pipeline as every client.

Requests are handed to the ASGI app's request handling directly (no socket, no TLS) under a system identity
that the authentication stage recognises like a client certificate, so authorization, admission, validation,
finalizers and managed fields apply to controllers exactly as they do to users. Writes ask for
``fieldValidation=Ignore`` unless they say otherwise: the server stores the same object as with kube's default
(``Warn``), but nobody reads the warnings of a system write, so looking for duplicate and unknown fields to warn
about (a second parse of every body) is skipped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from gitplane.api import errors
from gitplane.server.app import App
from gitplane.server.peer import PEER_SCOPE_KEY, PeerCertificate
from gitplane.server.request import Request, StreamResponse

WRITES = frozenset({"POST", "PUT", "PATCH"})
IGNORE = "fieldValidation=Ignore"


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)

    def raise_for_status(self) -> None:
        if self.status >= 400:
            status = orjson.loads(self.body)
            raise errors.APIError(self.status, status.get("reason", ""), status.get("message", ""),
                                  status.get("details") or {})


def receive_once(body: bytes) -> Callable[[], Awaitable[dict[str, Any]]]:
    """An ASGI ``receive`` that hands over ``body`` in one message, then reports the client gone."""
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class InProcessClient:
    def __init__(self, app: App, *, user: str, groups: tuple[str, ...], user_agent: str) -> None:
        self._app = app
        self._peer = PeerCertificate(user, groups)
        self._user_agent = user_agent.encode()

    async def request(self, method: str, path: str, *, body: Any = None,
                      content_type: str = "application/json") -> Reply:
        raw = b"" if body is None else body if isinstance(body, bytes) else orjson.dumps(body)
        target, _, query = path.partition("?")
        if method in WRITES and "fieldValidation=" not in query:
            query = f"{query}&{IGNORE}" if query else IGNORE
        scope: dict[str, Any] = {
            "type": "http", "method": method, "path": target, "raw_path": target.encode(),
            "query_string": query.encode(),
            "headers": [(b"content-type", content_type.encode()), (b"user-agent", self._user_agent),
                        (b"accept", b"application/json")],
            PEER_SCOPE_KEY: self._peer,
        }
        response = await self._app.respond(Request(scope, receive_once(raw)))
        if isinstance(response, StreamResponse):
            raise TypeError("the in-process client does not stream")
        return Reply(response.status, response.body)

    async def create_unless_present(self, path: str, body: Any) -> None:
        """POST ``body`` to the collection ``path``; an object of that name already there is no failure (409),
        any other refusal raises."""
        reply = await self.request("POST", path, body=body)
        if reply.status != 409:
            reply.raise_for_status()
