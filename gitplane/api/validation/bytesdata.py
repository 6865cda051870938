"""The ``[]byte`` maps of ConfigMap (``binaryData``) and Secret (``data``): base64 on the wire, bytes in kube.

kube decodes these values while decoding the request body, so a value that is not standard base64 fails the
whole request with a 400 (``Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input
byte 4``) before any validation runs; :func:`check_base64` reproduces that step for one map. Validation then
works on the decoded sizes, which :func:`decoded` provides.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from gitplane.api import errors, goformats

SIZE_LIMIT = 1024 * 1024
"""kube's ``MaxSecretSize``, the cap on the total data of a Secret or a ConfigMap."""


def cannot_handle(kind: str, version: str, detail: str) -> errors.APIError:
    """The 400 kube answers when a body does not decode into the type (``transformDecodeError``)."""
    return errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: {detail}')


def check_base64(values: Mapping[str, Any] | None, *, kind: str, version: str = "v1") -> None:
    """Reject the first value of a ``[]byte`` map that is not base64, in document order.

    Raises:
        APIError: 400 BadRequest with kube's decoding message.
    """
    for value in (values or {}).values():
        if isinstance(value, str):
            problem = goformats.base64_error(value)
            if problem is not None:
                raise cannot_handle(kind, version, problem)


def decoded(value: Any) -> bytes:
    """The bytes a base64 value stands for (``null`` is no bytes); CR and LF are skipped, as Go does."""
    if not isinstance(value, str) or not value:
        return b""
    try:
        return base64.b64decode(value.replace("\r", "").replace("\n", ""))
    except binascii.Error:
        return b""
