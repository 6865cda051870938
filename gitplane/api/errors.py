"""API errors: the one exception family that becomes a Kubernetes ``Status`` object.

Everything that fails a request raises :class:`APIError` (or builds one with the helpers below); the server's
encoder turns it into the JSON ``Status`` that kubectl and the client libraries parse, so the HTTP code, the
``reason`` and the message wording follow kube-apiserver exactly (clients match on them).

    APIError
      code, reason, message, details (name, group, kind, causes, retryAfterSeconds)

Field-level problems are collected as :class:`FieldError` values and joined into one ``Invalid`` (422) error by
:func:`invalid`, so that every failing field is reported at once, each with its path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

# Cause reasons used by kube-apiserver (k8s.io/apimachinery/pkg/util/validation/field).
FIELD_VALUE_INVALID = "FieldValueInvalid"
FIELD_VALUE_REQUIRED = "FieldValueRequired"
FIELD_VALUE_NOT_SUPPORTED = "FieldValueNotSupported"
FIELD_VALUE_DUPLICATE = "FieldValueDuplicate"
FIELD_VALUE_TOO_LONG = "FieldValueTooLong"
FIELD_VALUE_TOO_MANY = "FieldValueTooMany"
FIELD_VALUE_FORBIDDEN = "FieldValueForbidden"
FIELD_VALUE_TYPE_INVALID = "FieldValueTypeInvalid"
FIELD_MANAGER_CONFLICT = "FieldManagerConflict"

_FIELD_ERROR_TEXT = {
    FIELD_VALUE_INVALID: "Invalid value",
    FIELD_VALUE_REQUIRED: "Required value",
    FIELD_VALUE_NOT_SUPPORTED: "Unsupported value",
    FIELD_VALUE_DUPLICATE: "Duplicate value",
    FIELD_VALUE_TOO_LONG: "Too long",
    FIELD_VALUE_TOO_MANY: "Too many",
    FIELD_VALUE_FORBIDDEN: "Forbidden",
    FIELD_VALUE_TYPE_INVALID: "Invalid value",
}

_NO_VALUE = object()


def _render_value(value: Any) -> str:
    """Render a bad value the way Go's ``%#v``-based field errors do, for the common JSON types."""
    if isinstance(value, str):
        return orjson.dumps(value).decode()
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return '"object"'
    if isinstance(value, list):
        return '"array"'
    return orjson.dumps(str(value)).decode()


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field: ``metadata.name: Invalid value: "Bad_Name": <detail>``."""

    type: str
    field: str
    detail: str = ""
    value: Any = _NO_VALUE

    @property
    def message(self) -> str:
        """The cause message, without the field path (as kube puts it in ``details.causes[].message``)."""
        text = _FIELD_ERROR_TEXT.get(self.type, "Invalid value")
        if self.type in (FIELD_VALUE_REQUIRED, FIELD_VALUE_FORBIDDEN, FIELD_VALUE_TOO_LONG,
                         FIELD_VALUE_TOO_MANY) or self.value is _NO_VALUE:
            return f"{text}: {self.detail}" if self.detail else text
        rendered = _render_value(self.value)
        return f"{text}: {rendered}: {self.detail}" if self.detail else f"{text}: {rendered}"

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def required(path: str, detail: str = "") -> FieldError:
    return FieldError(FIELD_VALUE_REQUIRED, path, detail)


def invalid_value(path: str, value: Any, detail: str) -> FieldError:
    return FieldError(FIELD_VALUE_INVALID, path, detail, value)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError(FIELD_VALUE_FORBIDDEN, path, detail)


def not_supported(path: str, value: Any, allowed: Iterable[str]) -> FieldError:
    quoted = ", ".join(orjson.dumps(a).decode() for a in allowed)
    return FieldError(FIELD_VALUE_NOT_SUPPORTED, path, f"supported values: {quoted}", value)


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError(FIELD_VALUE_DUPLICATE, path, "", value)


def too_long(path: str, max_length: int) -> FieldError:
    return FieldError(FIELD_VALUE_TOO_LONG, path, f"may not be more than {max_length} bytes")


@dataclass
class APIError(Exception):
    """A failed API request, rendered as a ``Status`` object with the same code, reason and message as kube."""

    code: int
    reason: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    def __str__(self) -> str:
        return self.message

    def status(self) -> dict[str, Any]:
        """The ``Status`` object for this error."""
        out: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            out["details"] = self.details
        return out

    def status_bytes(self) -> bytes:
        return orjson.dumps(self.status())


def _details(name: str = "", group: str = "", kind: str = "", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if name:
        out["name"] = name
    if group:
        out["group"] = group
    if kind:
        out["kind"] = kind
    out.update({k: v for k, v in extra.items() if v})
    return out


def _qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def bad_request(message: str) -> APIError:
    return APIError(400, "BadRequest", message)


def unauthorized(message: str = "Unauthorized") -> APIError:
    return APIError(401, "Unauthorized", message)


def forbidden_error(message: str, *, resource: str = "", group: str = "", name: str = "",
                    causes: list[dict[str, str]] | None = None) -> APIError:
    return APIError(403, "Forbidden", message, _details(name, group, resource, causes=causes))


def not_found(resource: str, name: str, group: str = "") -> APIError:
    return APIError(404, "NotFound", f'{_qualified(resource, group)} "{name}" not found',
                    _details(name, group, resource))


def route_not_found() -> APIError:
    return APIError(404, "NotFound", "the server could not find the requested resource",
                    {"causes": [{"reason": "UnexpectedServerResponse", "message": "404 page not found"}]})


def already_exists(resource: str, name: str, group: str = "") -> APIError:
    return APIError(409, "AlreadyExists", f'{_qualified(resource, group)} "{name}" already exists',
                    _details(name, group, resource))


def conflict(resource: str, name: str, detail: str, group: str = "") -> APIError:
    return APIError(409, "Conflict",
                    f'Operation cannot be fulfilled on {_qualified(resource, group)} "{name}": {detail}',
                    _details(name, group, resource))


MODIFIED_CONFLICT = ("the object has been modified; please apply your changes to the latest version "
                     "and try again")


def stale_conflict(resource: str, name: str, group: str = "") -> APIError:
    return conflict(resource, name, MODIFIED_CONFLICT, group)


def invalid(kind: str, name: str, errors: Iterable[FieldError], group: str = "") -> APIError:
    """An ``Invalid`` (422) error listing every failing field, worded as kube does: the kind qualified by its
    group (``Role.rbac.authorization.k8s.io "r" is invalid: ...``), a core kind bare."""
    errs = list(errors)
    summary = str(errs[0]) if len(errs) == 1 else "[" + ", ".join(str(e) for e in errs) + "]"
    causes = [{"reason": e.type, "message": e.message, "field": e.field} for e in errs]
    qualified = f"{kind}.{group}" if group else kind
    return APIError(422, "Invalid", f'{qualified} "{name}" is invalid: {summary}',
                    _details(name, group, kind, causes=causes))


def method_not_allowed() -> APIError:
    return APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")


def not_acceptable(offered: Iterable[str]) -> APIError:
    return APIError(406, "NotAcceptable",
                    "only the following media types are accepted: " + ", ".join(offered))


def unsupported_media_type(accepted: Iterable[str]) -> APIError:
    return APIError(415, "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types include: "
                    + ", ".join(accepted))


def expired(message: str) -> APIError:
    return APIError(410, "Expired", message)


def too_old_resource_version(requested: int, oldest: int) -> APIError:
    return expired(f"too old resource version: {requested} ({oldest})")


def too_large(message: str) -> APIError:
    return APIError(413, "RequestEntityTooLarge", message)


def too_many_requests(message: str, retry_after: int = 1) -> APIError:
    return APIError(429, "TooManyRequests", message, {"retryAfterSeconds": retry_after},
                    {"Retry-After": str(retry_after)})


def internal(message: str) -> APIError:
    return APIError(500, "InternalError", f"Internal error occurred: {message}")


def service_unavailable(message: str) -> APIError:
    return APIError(503, "ServiceUnavailable", message)


def timeout(message: str) -> APIError:
    return APIError(504, "Timeout", message)


def status_success(details: Mapping[str, Any]) -> dict[str, Any]:
    """The ``Status`` a successful delete may answer with."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": dict(details)}
