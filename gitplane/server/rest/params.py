"""Query parameters of resource requests, parsed and checked once, with kube-apiserver's error wording."""

from __future__ import annotations

import re
from typing import Literal

from gitplane.api import errors
from gitplane.server.request import Request

FieldValidation = Literal["Strict", "Warn", "Ignore"]
MAX_FIELD_MANAGER_LENGTH = 128
INT64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"[-+]?[0-9]+")


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
    """An ``int64`` parameter as Go's ``strconv.ParseInt`` reads it: ASCII digits after an optional sign."""
    value = request.query.get(name)
    if value is None or value == "":
        return None
    if not _DECIMAL.fullmatch(value):
        raise errors.bad_request(f'invalid value for {name}: "{value}" is not an integer')
    # more than 19 significant digits is out of range (and int() refuses texts over 4300 digits)
    number = int(value) if len(value.lstrip("+-0")) <= 19 else INT64_MAX + 1
    if not -INT64_MAX - 1 <= number <= INT64_MAX:
        raise errors.bad_request(f'invalid value for {name}: "{value}" is out of range')
    if number < minimum:
        raise errors.bad_request(f"invalid value for {name}: must be at least {minimum}")
    return number


_OPTIONS_KIND = {"create": "CreateOptions", "update": "UpdateOptions", "patch": "PatchOptions",
                 "delete": "DeleteOptions", "deletecollection": "DeleteOptions"}


def invalid_options(request: Request, error: errors.FieldError) -> errors.APIError:
    """kube's refusal of a write's options: 422 on ``CreateOptions.meta.k8s.io`` (or Update, Patch, Delete)."""
    verb = request.info.verb if request.info is not None else "create"
    return errors.invalid(f"{_OPTIONS_KIND.get(verb, 'CreateOptions')}.meta.k8s.io", "", [error])


def dry_run(request: Request) -> bool:
    """``dryRun=All`` (the only value kube accepts); others are refused as invalid options."""
    values = [v for v in request.query.get("dryRun", "").split(",") if v]
    for value in values:
        if value != "All":
            raise invalid_options(request, errors.not_supported("dryRun", value, ("All",)))
    return bool(values)


def field_validation(request: Request) -> FieldValidation:
    """``fieldValidation``: Strict, Warn (the default) or Ignore, spelled exactly so (kube is case-sensitive)."""
    value = request.query.get("fieldValidation", "")
    if value in ("", "Warn"):
        return "Warn"
    if value == "Strict":
        return "Strict"
    if value == "Ignore":
        return "Ignore"
    raise invalid_options(request, errors.not_supported("fieldValidation", value, ("", "Ignore", "Strict", "Warn")))


def _from_user_agent(user_agent: str) -> str:
    """kube's manager name for writes that name none: the User-Agent's product, printable, at most 128 bytes."""
    product = user_agent.split("/", 1)[0]
    if not product.isprintable():
        product = "".join(ch for ch in product if ch.isprintable())
    return product.encode()[:MAX_FIELD_MANAGER_LENGTH].decode(errors="ignore")


def field_manager(request: Request, *, required: bool = False) -> str:
    """The manager a write is recorded under: ``fieldManager``, else the User-Agent's product name."""
    manager = request.query.get("fieldManager", "")
    if not manager:
        if required:
            raise invalid_options(request, errors.required("fieldManager", "is required for apply patch"))
        return _from_user_agent(request.header(b"user-agent"))
    if len(manager.encode()) > MAX_FIELD_MANAGER_LENGTH:
        raise invalid_options(request, errors.too_long("fieldManager", MAX_FIELD_MANAGER_LENGTH))
    if any(not ch.isprintable() for ch in manager):
        raise invalid_options(request, errors.invalid_value("fieldManager", manager,
                                                            "must only contain printable characters"))
    return manager
