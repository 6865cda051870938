"""Impersonation headers (kubectl --as) are refused with 403 rather than ignored, once the caller is known."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.errors import APIError
from gitplane.server.request import Request, UserInfo
from gitplane.server.stages.authn import Authenticator

TOKENS = {"t1": UserInfo("alice")}


def request(*headers: tuple[bytes, bytes]) -> Request:
    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    return Request({"type": "http", "method": "GET", "path": "/api", "headers": list(headers)}, receive)


@pytest.mark.parametrize(("headers", "named"), [
    pytest.param([(b"impersonate-user", b"bob")], "Impersonate-User", id="user"),
    pytest.param([(b"impersonate-group", b"devs")], "Impersonate-Group", id="group"),
    pytest.param([(b"impersonate-uid", b"1")], "Impersonate-Uid", id="uid"),
    pytest.param([(b"impersonate-extra-scopes", b"x")], "Impersonate-Extra-*", id="extra"),
    pytest.param([(b"impersonate-user", b"bob"), (b"impersonate-group", b"g")],
                 "Impersonate-Group, Impersonate-User", id="several"),
])
async def test_impersonation_headers_are_refused_naming_them(headers: list[tuple[bytes, bytes]],
                                                            named: str) -> None:
    """403 Forbidden, saying impersonation is not supported yet and which headers asked for it."""
    with pytest.raises(APIError) as caught:
        await Authenticator(TOKENS)(request((b"authorization", b"Bearer t1"), *headers))
    assert (caught.value.code, caught.value.reason) == (403, "Forbidden")
    assert caught.value.message == (f'User "alice" cannot impersonate: impersonation is not supported yet '
                                    f"(the request has {named})")


async def test_an_unknown_token_is_401_before_impersonation_is_looked_at() -> None:
    """kube authenticates first: a bad token is Unauthorized whatever else the request asks."""
    with pytest.raises(APIError) as caught:
        await Authenticator(TOKENS)(request((b"authorization", b"Bearer nope"), (b"impersonate-user", b"bob")))
    assert caught.value.code == 401


async def test_other_headers_that_start_alike_are_not_impersonation() -> None:
    """Only kube's impersonation headers count."""
    req = request((b"authorization", b"Bearer t1"), (b"impersonate-me", b"x"))
    await Authenticator(TOKENS)(req)
    assert req.require_user().name == "alice"
