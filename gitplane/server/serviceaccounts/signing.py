"""The ServiceAccount token signer: one RSA key per data directory, JWTs signed with it, and its public half.

Why RSA (RS256): it is what kube-apiserver signs with by default and what every JWT verifier accepts; the
key is generated with ``cryptography`` on first start (``<data-dir>/pki/service-account.key``, 0600) and kept,
so tokens survive restarts. Signing and verifying are pyjwt's (no hand-written JOSE).

The key id (``kid``) is kube's: the unpadded base64url SHA-256 of the public key's DER encoding, so a verifier
that fetched ``/openid/v1/jwks`` finds the key by the token's header.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gitplane.server.certs import write_private

ALGORITHM = "RS256"
KEY_BITS = 2048
DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local"
SERVICE_ACCOUNT_KEY = "service-account.key"
"""The signing key's file name in the data directory's ``pki`` folder."""


def load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    """The signing key at ``path``; a new one is generated (and written 0600) when there is none."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        write_private(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path}: the ServiceAccount signing key must be an RSA key")
    return key


@functools.cache
def ephemeral_signer() -> Signer:
    """A signer whose key lives only in this process (generated on first use): for servers assembled without
    a data directory, as the unit tests assemble them."""
    return Signer(rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """Signs and verifies ServiceAccount JWTs for one issuer."""

    def __init__(self, key: rsa.RSAPrivateKey, *, issuer: str = DEFAULT_ISSUER,
                 audiences: Sequence[str] = ()) -> None:
        self._key = key
        self._public = key.public_key()
        self.issuer = issuer
        self.audiences = tuple(audiences) or (issuer,)
        """The API server's own audiences (kube's --api-audiences): a token must be for one of them."""
        der = self._public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.key_id = _b64(hashlib.sha256(der).digest())

    def sign(self, claims: Mapping[str, Any]) -> str:
        return jwt.encode(dict(claims), self._key, algorithm=ALGORITHM, headers={"kid": self.key_id})

    def verify(self, token: str, audiences: Sequence[str] | None = None) -> dict[str, Any]:
        """The claims of a token this signer issued for one of ``audiences`` (default: its own), not expired.

        Raises:
            jwt.InvalidTokenError: a bad signature, another issuer or audience, an expired or malformed token.
        """
        claims: dict[str, Any] = jwt.decode(token, self._public, algorithms=[ALGORITHM], issuer=self.issuer,
                                            audience=list(self.audiences if audiences is None else audiences),
                                            options={"require": ["exp", "iat", "sub", "iss", "aud"]})
        return claims

    def jwks(self) -> dict[str, Any]:
        """``/openid/v1/jwks``: the public key as a JSON Web Key Set."""
        numbers = self._public.public_numbers()
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
        return {"keys": [{"use": "sig", "kty": "RSA", "kid": self.key_id, "alg": ALGORITHM, "n": _b64(n),
                          "e": _b64(e)}]}

    def openid_configuration(self) -> dict[str, Any]:
        """``/.well-known/openid-configuration``, as kube serves it."""
        return {"issuer": self.issuer, "jwks_uri": f"{self.issuer}/openid/v1/jwks",
                "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": [ALGORITHM]}
