"""ServiceAccount tokens: what a token says (kube's claims) and who presents it (the authenticator's check).

A token is a JWT from :class:`~gitplane.server.serviceaccounts.signing.Signer` with kube's claims (``iss``,
``sub: system:serviceaccount:<ns>:<name>``, ``aud``, ``exp``, ``iat``, ``nbf``, ``jti`` and
``kubernetes.io: {namespace, serviceaccount: {name, uid}, secret?}``) and gitplane's logical cluster
(``gitplane.io/cluster``). It authenticates only while it has not expired and while its ServiceAccount (and the
object it is bound to, if any) still exists with the uid it names: deleting the ServiceAccount revokes every
token issued for it, at once.

A TokenReview asks about a token for audiences of its own choosing (:meth:`ServiceAccountAuthenticator.review`):
that check is not cached and says why a token is refused (expired, other audiences, revoked).

How the hot path stays cheap: a token's signature is verified once, and what it says is kept (up to
:data:`CACHE_SIZE` tokens); every request then checks the expiry and reads the ServiceAccount (a point read the
store serves from its cache).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
import orjson

from gitplane.api.gosyntax import go_quote
from gitplane.server.request import UserInfo
from gitplane.server.serviceaccounts.signing import Signer
from gitplane.storage import interface as storage

CACHE_SIZE = 10_000
CLUSTER_CLAIM = "gitplane.io/cluster"
CLUSTER_EXTRA = "authentication.kcp.io/cluster-name"
CREDENTIAL_EXTRA = "authentication.kubernetes.io/credential-id"
SERVICE_ACCOUNTS = "system:serviceaccounts"
AUTHENTICATED = "system:authenticated"
INVALID_TOKEN = "invalid bearer token"
"""kube's answer for a bearer token no authenticator accepts."""


def user_name(namespace: str, name: str) -> str:
    return f"system:serviceaccount:{namespace}:{name}"


@dataclass(frozen=True)
class Binding:
    """The object a token is bound to (kube: a Secret, Pod or Node); only Secrets are served here."""

    kind: str
    name: str
    uid: str


def claims(*, signer: Signer, cluster: str, namespace: str, name: str, uid: str, audiences: list[str],
           expiration_seconds: int, now: float, bound: Binding | None = None) -> dict[str, Any]:
    issued = int(now)
    kube: dict[str, Any] = {"namespace": namespace, "serviceaccount": {"name": name, "uid": uid}}
    if bound is not None:
        kube[bound.kind.lower()] = {"name": bound.name, "uid": bound.uid}
    return {"aud": audiences, "exp": issued + expiration_seconds, "iat": issued, "iss": signer.issuer,
            "jti": str(uuid.uuid4()), "kubernetes.io": kube, "nbf": issued, "sub": user_name(namespace, name),
            CLUSTER_CLAIM: cluster}


def looks_like_a_jwt(token: bytes) -> bool:
    """Whether a bearer token has a JWT's shape (three base64url parts, a JSON header first)."""
    return token.startswith(b"eyJ") and token.count(b".") == 2


@dataclass(frozen=True)
class _Verified:
    user: UserInfo
    expires: float
    account: storage.Key
    account_uid: str
    bound: tuple[storage.Key, str] | None


class ServiceAccountAuthenticator:
    """Authenticates ServiceAccount tokens (see the module docstring)."""

    def __init__(self, signer: Signer, store: storage.Store) -> None:
        self.signer = signer
        self.store = store
        self._verified: dict[bytes, _Verified] = {}

    async def authenticate(self, token: bytes) -> UserInfo | None:
        """The token's user, or None when it is not (or no longer) a valid ServiceAccount token."""
        verified = self._verified.get(token)
        if verified is None:
            verified = self._verify(token)
            if verified is None:
                return None
            if len(self._verified) >= CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = verified
        if time.time() >= verified.expires:
            self._verified.pop(token, None)
            return None
        if not await self._exists(verified.account, verified.account_uid):
            return None
        if verified.bound is not None and not await self._exists(*verified.bound):
            return None
        return verified.user

    async def review(self, token: bytes, audiences: Sequence[str]) -> tuple[UserInfo, tuple[str, ...]] | str:
        """A TokenReview's answer: the token's user and those of ``audiences`` it is for, or why it is not valid
        (kube's words where kube has them). Not cached: the audiences differ from the server's own."""
        try:
            found = self.signer.verify(token.decode("ascii"), audiences)
        except jwt.ExpiredSignatureError:
            return "service account token has expired"
        except jwt.InvalidAudienceError:
            return (f"token audiences {go_quoted_list(_audiences_of(token))} is invalid for the target audiences "
                    f"{go_quoted_list(audiences)}")
        except (jwt.InvalidTokenError, UnicodeDecodeError):
            return INVALID_TOKEN
        verified = _claims(found)
        if verified is None:
            return INVALID_TOKEN
        if not await self._exists(verified.account, verified.account_uid) or (
                verified.bound is not None and not await self._exists(*verified.bound)):
            return "token has been invalidated"
        return verified.user, tuple(a for a in _audiences_of(token) if a in audiences)

    def _verify(self, token: bytes) -> _Verified | None:
        try:
            found = self.signer.verify(token.decode("ascii"))
        except (jwt.InvalidTokenError, UnicodeDecodeError):
            return None
        return _claims(found)

    async def _exists(self, key: storage.Key, uid: str) -> bool:
        try:
            record = await self.store.get(key)
        except storage.NotFound:
            return False
        meta = orjson.loads(record.value).get("metadata") or {}
        return bool(meta.get("uid") == uid and not meta.get("deletionTimestamp"))


def go_quoted_list(values: Sequence[str]) -> str:
    """Go's ``%q`` of a ``[]string``: ``["a" "b"]``."""
    return "[" + " ".join(go_quote(v) for v in values) + "]"


def _audiences_of(token: bytes) -> list[str]:
    """The ``aud`` claim of a token whose signature was checked (a string or a list of strings)."""
    aud = jwt.decode(token, options={"verify_signature": False}).get("aud")
    return [aud] if isinstance(aud, str) else [a for a in aud or () if isinstance(a, str)]


def _claims(found: Mapping[str, Any]) -> _Verified | None:
    """What a verified token says, or None when its claims are not a ServiceAccount token's."""
    kube = found.get("kubernetes.io")
    if not isinstance(kube, Mapping):
        return None
    account = kube.get("serviceaccount") or {}
    namespace, name = kube.get("namespace"), account.get("name") if isinstance(account, Mapping) else None
    uid, cluster = account.get("uid") if isinstance(account, Mapping) else None, found.get(CLUSTER_CLAIM)
    if not all(isinstance(v, str) and v for v in (namespace, name, uid, cluster)):
        return None
    assert isinstance(namespace, str) and isinstance(name, str) and isinstance(uid, str)
    assert isinstance(cluster, str)
    if found.get("sub") != user_name(namespace, name):
        return None
    bound: tuple[storage.Key, str] | None = None
    secret = kube.get("secret")
    if isinstance(secret, Mapping):
        bound = (storage.Key("", "secrets", "", cluster, namespace, str(secret.get("name", ""))),
                 str(secret.get("uid", "")))
    extra: list[tuple[str, tuple[str, ...]]] = [(CLUSTER_EXTRA, (cluster,))]
    if isinstance(found.get("jti"), str):
        extra.append((CREDENTIAL_EXTRA, (f"JTI={found['jti']}",)))
    user = UserInfo(user_name(namespace, name),
                    (SERVICE_ACCOUNTS, f"{SERVICE_ACCOUNTS}:{namespace}", AUTHENTICATED), uid, tuple(extra))
    return _Verified(user, float(found["exp"]),
                     storage.Key("", "serviceaccounts", "", cluster, namespace, name), uid, bound)
