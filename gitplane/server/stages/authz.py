"""Pipeline stage 4: authorization, as a chain of authorizers asked in order.

Each authorizer answers ALLOW, DENY or NO_OPINION; the first decisive answer wins and no answer means 403
(with the reasons of every authorizer that had no opinion, joined by newlines, as kube's union authorizer
reports them).
Today's chain is kube-apiserver's bootstrap policy without RBAC objects: ``system:masters`` may do anything,
the ``system:monitoring`` group may read ``/metrics`` and every health check, authenticated users may read
discovery, OpenAPI, version and health, anonymous users only version and health.
RBAC of the target logical cluster (and kcp's workspace access, maximal permission policy and system-object
rules) join the chain as further authorizers without changing this stage.

Refusals are worded exactly as kube-apiserver words them, because clients and users match on them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from gitplane.api import errors
from gitplane.server.request import Request, UserInfo
from gitplane.server.requestinfo import RequestInfo


class Decision(enum.Enum):
    ALLOW = "allow"
    DENY = "deny"
    NO_OPINION = "no-opinion"


class Attributes(NamedTuple):
    user: UserInfo
    cluster: str
    info: RequestInfo


class Authorizer(Protocol):
    def authorize(self, attrs: Attributes) -> tuple[Decision, str]: ...


class SystemMasters:
    """The ``system:masters`` group is allowed everything (kube's superuser group)."""

    def authorize(self, attrs: Attributes) -> tuple[Decision, str]:
        if "system:masters" in attrs.user.groups:
            return Decision.ALLOW, ""
        return Decision.NO_OPINION, ""


class SystemMonitoring:
    """kube's bootstrap ``system:monitoring`` role, bound to the group of that name: GET of ``/metrics`` and of
    the health endpoints with their individual checks."""

    PATHS = frozenset({"/metrics", "/metrics/slis", "/livez", "/readyz", "/healthz"})
    PREFIXES = ("/livez/", "/readyz/", "/healthz/")

    def authorize(self, attrs: Attributes) -> tuple[Decision, str]:
        info = attrs.info
        if info.is_resource or info.verb not in ("get", "head") or "system:monitoring" not in attrs.user.groups:
            return Decision.NO_OPINION, ""
        path = info.path.split("?", 1)[0]
        if path in self.PATHS or path.startswith(self.PREFIXES):
            return Decision.ALLOW, ""
        return Decision.NO_OPINION, ""


_PUBLIC_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/version", "/version/"})
_DISCOVERY_PREFIXES = ("/api", "/apis", "/openapi")


def _is_discovery(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in _DISCOVERY_PREFIXES)


class BootstrapNonResource:
    """kube's ``system:public-info-viewer`` and ``system:discovery`` roles, for GET of non-resource paths."""

    def authorize(self, attrs: Attributes) -> tuple[Decision, str]:
        info = attrs.info
        if info.is_resource or info.verb not in ("get", "head"):
            return Decision.NO_OPINION, ""
        path = info.path.split("?", 1)[0]
        if path in _PUBLIC_PATHS:  # the individual checks (/healthz/<check>) are system:monitoring's
            return Decision.ALLOW, ""
        if "system:authenticated" in attrs.user.groups and _is_discovery(path):
            return Decision.ALLOW, ""
        return Decision.NO_OPINION, ""


def forbidden_message(attrs: Attributes, reason: str = "") -> str:
    """kube-apiserver's wording of a refusal."""
    info, user = attrs.info, attrs.user.name
    tail = f": {reason}" if reason else ""
    if not info.is_resource:
        return f'forbidden: User "{user}" cannot {info.verb} path "{info.path}"{tail}'
    resource = f"{info.resource}/{info.subresource}" if info.subresource else info.resource
    subject = f'{info.resource}.{info.group}' if info.group else info.resource
    subject = f'{subject} "{info.name}"' if info.name else subject
    scope = f'in the namespace "{info.namespace}"' if info.namespace else "at the cluster scope"
    return (f'{subject} is forbidden: User "{user}" cannot {info.verb} resource "{resource}" in API group '
            f'"{info.group}" {scope}{tail}')


class Authorization:
    """The authorization stage: ask each authorizer in turn."""

    def __init__(self, chain: Sequence[Authorizer]) -> None:
        self._chain = tuple(chain)

    async def __call__(self, request: Request) -> None:
        attrs = Attributes(request.require_user(), request.cluster, request.require_info())
        reasons: list[str] = []
        for authorizer in self._chain:
            decision, why = authorizer.authorize(attrs)
            if decision is Decision.ALLOW:
                return
            if decision is Decision.DENY:
                reasons = [why] if why else []  # kube's union authorizer: a denial gives its own reason only
                break
            if why:
                reasons.append(why)
        reason = "\n".join(reasons)
        info = attrs.info
        raise errors.forbidden_error(forbidden_message(attrs, reason), resource=info.resource,
                                     group=info.group, name=info.name)
