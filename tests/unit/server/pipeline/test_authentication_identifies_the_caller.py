"""Authentication: a verified client certificate, else a bearer token from the static token file, else the
anonymous user; a bearer token that matches nothing is 401. Token files are read with file:line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gitplane.api.errors import APIError
from gitplane.server.peer import PEER_SCOPE_KEY, PeerCertificate
from gitplane.server.request import Request, UserInfo
from gitplane.server.stages.authn import ANONYMOUS, Authenticator, load_token_file

ALICE = UserInfo("alice", ("devs",), "uid-alice")


def request(*, authorization: str | None = None, peer: PeerCertificate | None = None) -> Request:
    headers = [(b"authorization", authorization.encode())] if authorization is not None else []
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": "/api", "headers": headers}
    if peer is not None:
        scope[PEER_SCOPE_KEY] = peer

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    return Request(scope, receive)


async def authenticate(authenticator: Authenticator, req: Request) -> UserInfo:
    await authenticator(req)
    return req.require_user()


def test_token_file_rows_become_users(tmp_path: Path) -> None:
    """kube's --token-auth-file format: token,user[,uid[,"group1,group2"]]; comments and blank lines skipped."""
    path = tmp_path / "tokens.csv"
    path.write_text('# admin\nt1,alice,uid-alice,"devs, ops"\n\nt2,bob\nt3,carol,uid-carol\n')
    assert load_token_file(path) == {
        "t1": UserInfo("alice", ("devs", "ops"), "uid-alice"),
        "t2": UserInfo("bob"),
        "t3": UserInfo("carol", (), "uid-carol"),
    }


@pytest.mark.parametrize(("content", "line"), [
    pytest.param("t1,alice\nlonely\n", 2, id="token-without-user"),
    pytest.param(",alice\n", 1, id="empty-token"),
    pytest.param("t1,alice\n# note\nt2,\n", 3, id="empty-user"),
])
def test_a_malformed_token_line_is_named_by_file_and_line(tmp_path: Path, content: str, line: int) -> None:
    """The error says which file and which line is wrong."""
    path = tmp_path / "tokens.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=rf"^{path}:{line}: expected token,user"):
        load_token_file(path)


async def test_a_known_bearer_token_is_its_user_and_authenticated() -> None:
    """A matching token yields its user, with ``system:authenticated`` added to the groups."""
    user = await authenticate(Authenticator({"s3cret": ALICE}), request(authorization="Bearer s3cret"))
    assert user == UserInfo("alice", ("devs", "system:authenticated"), "uid-alice")


async def test_the_bearer_scheme_is_case_insensitive() -> None:
    """``bearer`` works as well as ``Bearer``."""
    user = await authenticate(Authenticator({"s3cret": ALICE}), request(authorization="bearer s3cret"))
    assert user.name == "alice"


@pytest.mark.parametrize("authorization", [
    pytest.param("Bearer wrong", id="unknown-token"),
    pytest.param("Bearer s3cre", id="prefix-of-a-token"),
])
async def test_bearer_tokens_that_match_nothing_are_401(authorization: str) -> None:
    """A presented bearer token that is not valid is refused, never downgraded to anonymous."""
    with pytest.raises(APIError) as caught:
        await authenticate(Authenticator({"s3cret": ALICE}), request(authorization=authorization))
    assert caught.value.status() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                     "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


async def test_a_client_certificate_names_user_and_groups() -> None:
    """CN is the user name and each O a group, as in Kubernetes."""
    peer = PeerCertificate("carol", ("system:masters", "ops"))
    user = await authenticate(Authenticator({}), request(peer=peer))
    assert user == UserInfo("carol", ("system:masters", "ops", "system:authenticated"))


async def test_a_client_certificate_wins_over_a_bearer_token() -> None:
    """The certificate is checked first, as in kube-apiserver; the token is then not looked at."""
    peer = PeerCertificate("carol", ())
    user = await authenticate(Authenticator({"s3cret": ALICE}), request(peer=peer, authorization="Bearer wrong"))
    assert user.name == "carol"


async def test_the_same_certificate_is_one_identity() -> None:
    """Requests on connections with the same certificate subject get the same (cached) user value."""
    authenticator = Authenticator({})
    peer = PeerCertificate("carol", ("ops",))
    first = await authenticate(authenticator, request(peer=peer))
    second = await authenticate(authenticator, request(peer=PeerCertificate("carol", ("ops",))))
    assert first is second


async def test_no_credentials_is_the_anonymous_user() -> None:
    """Without certificate or token the request is ``system:anonymous`` in ``system:unauthenticated``."""
    user = await authenticate(Authenticator({"s3cret": ALICE}), request())
    assert user == ANONYMOUS == UserInfo("system:anonymous", ("system:unauthenticated",))


async def test_a_token_user_already_authenticated_is_not_doubled() -> None:
    """A token file user listed in ``system:authenticated`` keeps the group once."""
    listed = UserInfo("dave", ("system:authenticated",))
    user = await authenticate(Authenticator({"t": listed}), request(authorization="Bearer t"))
    assert user.groups == ("system:authenticated",)


@pytest.mark.parametrize("authorization", [
    pytest.param("Basic YWxpY2U6czNjcmV0", id="another-scheme"),
    pytest.param("Bearer ", id="empty-bearer-token"),
])
async def test_an_authorization_header_without_a_bearer_token_is_anonymous(authorization: str) -> None:
    """Only a presented bearer token can fail authentication; other Authorization headers are not credentials."""
    user = await authenticate(Authenticator({"s3cret": ALICE}), request(authorization=authorization))
    assert user == ANONYMOUS
