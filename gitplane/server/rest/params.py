"""Query parameters of resource requests, parsed and checked once, with kube-apiserver's error wording."""

from __future__ import annotations

from typing import Literal

from gitplane.api import errors
from gitplane.server.request import Request

FieldValidation = Literal["Strict", "Warn", "Ignore"]
MAX_FIELD_MANAGER_LENGTH = 128


def flag(request: Request, name: str) -> bool:
    value = request.query.get(name)
    if value is None or value == "":
        return False
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise errors.bad_request(f'invalid value for {name}: "{value}" is not a boolean')


def integer(request: Request, name: str, *, minimum: int = 0) -> int | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise errors.bad_request(f'invalid value for {name}: "{value}" is not an integer') from None
    if number < minimum:
        raise errors.bad_request(f"invalid value for {name}: must be at least {minimum}")
    return number


def dry_run(request: Request) -> bool:
    """``dryRun=All`` (the only value kube accepts); unknown values are a 400."""
    values = [v for v in request.query.get("dryRun", "").split(",") if v]
    for value in values:
        if value != "All":
            raise errors.bad_request(f'invalid dry run option "{value}": only "All" is supported')
    return bool(values)


def field_validation(request: Request) -> FieldValidation:
    value = request.query.get("fieldValidation", "")
    if value == "":
        return "Warn"
    lowered = value.lower()
    if lowered == "strict":
        return "Strict"
    if lowered == "warn":
        return "Warn"
    if lowered == "ignore":
        return "Ignore"
    raise errors.bad_request(
        f"fieldValidation must be one of Strict, Warn, Ignore; got {value!r}")


def field_manager(request: Request, *, required: bool = False) -> str:
    """The manager a write is recorded under: ``fieldManager``, else the User-Agent's product name."""
    manager = request.query.get("fieldManager", "")
    if not manager:
        if required:
            raise errors.bad_request("PATCH, application/apply-patch+yaml requests must include a fieldManager "
                                     "query parameter")
        manager = request.header(b"user-agent").split("/", 1)[0].strip()
    if len(manager) > MAX_FIELD_MANAGER_LENGTH:
        raise errors.bad_request(f"fieldManager: Too long: may not be more than {MAX_FIELD_MANAGER_LENGTH} bytes")
    if any(not ch.isprintable() for ch in manager):
        raise errors.bad_request("fieldManager: Invalid value: must only contain printable characters")
    return manager
