"""Continue tokens: opaque to clients, a pinned revision and the key to resume after.

The token has kube's shape (base64url of ``{"v":"meta.k8s.io/v1","rv":N,"start":"<key>"}``); the key is
relative to the listed prefix, so a token can never reach outside the range of the request that uses it (the
store bounds every list by its prefix as well).
"""

from __future__ import annotations

import base64
import binascii

import orjson

from gitplane.api import errors

_VERSION = "meta.k8s.io/v1"


def encode(revision: int, start_after: str) -> str:
    raw = orjson.dumps({"v": _VERSION, "rv": revision, "start": start_after})
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(token: str) -> tuple[int, str]:
    """The revision and relative key of a continue token; 400 when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = orjson.loads(raw)
        revision, start = data["rv"], data["start"]
        if data.get("v") != _VERSION or not isinstance(revision, int) or not isinstance(start, str) \
                or revision <= 0 or not start:
            raise ValueError("unexpected fields")
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise errors.bad_request("continue key is not valid: incorrect encoded start resourceVersion "
                                 "(version meta.k8s.io/v1)") from None
    return revision, start
