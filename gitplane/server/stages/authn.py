"""Pipeline stage 2: authentication.

Authenticators are tried in kube-apiserver's order: a verified client certificate (CN = user, O = groups),
then a bearer token from the static token file, then a ServiceAccount token (a JWT this server signed, for a
ServiceAccount that still exists: :mod:`gitplane.server.serviceaccounts.tokens`). A request with neither is
anonymous
(``system:anonymous`` in ``system:unauthenticated``), which the authorizers allow only health and version; a
bearer token that matches nothing is refused with 401 at once. Every authenticated user is in
``system:authenticated``.

The token file has kube's ``--token-auth-file`` format: ``token,user,uid,"group1,group2"`` per line.

Impersonation (``Impersonate-User``, ``-Group``, ``-Uid``, ``-Extra-*``: ``kubectl --as``) is a later stage of
its own (:mod:`gitplane.server.stages.impersonation`): this one finds the real caller, whom that stage checks
(an unknown token is 401 here first, as kube authenticates before it impersonates).

:meth:`Authenticator.review_token` asks the same authenticators about a token that is not the request's own
(a TokenReview), with the audiences it is asked for.
"""

from __future__ import annotations

import csv
import hmac
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from gitplane.api import errors
from gitplane.server.peer import PEER_SCOPE_KEY, PeerCertificate
from gitplane.server.request import Request, UserInfo
from gitplane.server.serviceaccounts.tokens import INVALID_TOKEN, ServiceAccountAuthenticator, looks_like_a_jwt

log = logging.getLogger(__name__)

AUTHENTICATED = "system:authenticated"
ANONYMOUS = UserInfo("system:anonymous", ("system:unauthenticated",))


def load_token_file(path: Path) -> dict[str, UserInfo]:
    """Read a static token file; a malformed line is an error naming the file and line."""
    tokens: dict[str, UserInfo] = {}
    with path.open(newline="") as f:
        for lineno, row in enumerate(csv.reader(f), start=1):
            if not row or row[0].startswith("#"):
                continue
            if len(row) < 2 or not row[0] or not row[1]:
                raise ValueError(f"{path}:{lineno}: expected token,user[,uid[,\"group1,group2\"]]")
            groups = tuple(g.strip() for g in row[3].split(",") if g.strip()) if len(row) > 3 else ()
            tokens[row[0]] = UserInfo(row[1], groups, row[2] if len(row) > 2 else "")
    return tokens


class TokenReviewAnswer(NamedTuple):
    user: UserInfo | None
    """None: not authenticated."""
    audiences: tuple[str, ...]
    error: str


def _with_authenticated(user: UserInfo) -> UserInfo:
    if AUTHENTICATED in user.groups:
        return user
    return UserInfo(user.name, (*user.groups, AUTHENTICATED), user.uid, user.extra)


class Authenticator:
    """The authentication stage."""

    def __init__(self, tokens: Mapping[str, UserInfo],
                 service_accounts: ServiceAccountAuthenticator | None = None) -> None:
        self._tokens = {t.encode(): _with_authenticated(u) for t, u in tokens.items()}
        self._service_accounts = service_accounts
        self._by_peer: dict[PeerCertificate, UserInfo] = {}

    def _from_token(self, token: bytes) -> UserInfo | None:
        user = self._tokens.get(token)
        if user is not None:
            return user
        # constant-time comparison over the table, so a miss does not reveal a near hit by timing
        for known, candidate in self._tokens.items():
            if hmac.compare_digest(known, token):
                return candidate
        return None

    async def __call__(self, request: Request) -> None:
        user = self._authenticate(request)
        if user is None:
            user = await self._from_service_account_token(request)
        request.user = user

    def _authenticate(self, request: Request) -> UserInfo | None:
        """The caller from a certificate, a static token or nothing; None for a bearer token that may be a
        ServiceAccount token."""
        peer: PeerCertificate | None = request.scope.get(PEER_SCOPE_KEY)
        if peer is not None:
            user = self._by_peer.get(peer)
            if user is None:
                user = _with_authenticated(UserInfo(peer.common_name, peer.organizations))
                if len(self._by_peer) < 10_000:
                    self._by_peer[peer] = user
            return user
        authorization = request.headers.get(b"authorization")
        if authorization is not None:
            scheme, _, token = authorization.partition(b" ")
            token = token.strip()
            # kube's bearer authenticator has no opinion on other schemes or an empty token (anonymous then);
            # a bearer token it does not know is refused
            if scheme.lower() == b"bearer" and token:
                user = self._from_token(token)
                if user is None:
                    if self._service_accounts is not None and looks_like_a_jwt(token):
                        return None
                    raise errors.unauthorized()
                return user
        return ANONYMOUS

    async def review_token(self, token: str, audiences: Sequence[str]) -> TokenReviewAnswer:
        """A TokenReview: who ``token`` authenticates as, for which of ``audiences`` (empty: the server's own).

        A static token is audience-agnostic (kube's ``WrapAudienceAgnosticToken``): it is valid for the server's
        audiences among those asked. A ServiceAccount token must be for one of them."""
        api_audiences = self._service_accounts.signer.audiences if self._service_accounts is not None else ()
        wanted = tuple(audiences) or api_audiences
        raw = token.encode()
        user = self._from_token(raw)
        if user is not None:
            valid = tuple(a for a in api_audiences if a in wanted)
            if wanted and not valid:
                return TokenReviewAnswer(None, (), INVALID_TOKEN)
            return TokenReviewAnswer(user, valid, "")
        if self._service_accounts is None or not looks_like_a_jwt(raw):
            return TokenReviewAnswer(None, (), INVALID_TOKEN)
        found = await self._service_accounts.review(raw, wanted)
        if isinstance(found, str):
            return TokenReviewAnswer(None, (), found)
        return TokenReviewAnswer(found[0], found[1], "")

    async def _from_service_account_token(self, request: Request) -> UserInfo:
        assert self._service_accounts is not None
        token = (request.headers.get(b"authorization") or b"").partition(b" ")[2].strip()
        user = await self._service_accounts.authenticate(token)
        if user is None:
            raise errors.unauthorized()
        return user
