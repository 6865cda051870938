"""Pipeline stage 4: authorization, as a chain of authorizers asked in order.

Each authorizer answers ALLOW, DENY or NO_OPINION; the first decisive answer wins and no answer means 403
(with the reasons of every authorizer that had no opinion, joined by newlines, as kube's union authorizer
reports them).
The assembled chain is ``system:masters`` (allowed everything, outside RBAC as in kube), then RBAC of the target
logical cluster (:mod:`gitplane.server.rbac`, with kube's bootstrap policy: discovery, health and version,
``/metrics`` for ``system:monitoring``). kcp's workspace access, maximal permission policy and system-object
rules join the chain as further authorizers without changing this stage.

A request this stage lets through carries its authorization on into the handler as
:data:`REQUEST_AUTHORIZATION` (a context variable, as kube's request context carries the user): writes that
must check the writer's own permissions (RBAC escalation prevention) ask the same chain again from there.

Refusals are worded exactly as kube-apiserver words them, because clients and users match on them.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from gitplane.api import errors, fields
from gitplane.api.validation import names
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

    @property
    def authorizers(self) -> tuple[Authorizer, ...]:
        return self._chain

    def decide(self, attrs: Attributes) -> tuple[Decision, str]:
        """The chain's answer with kube's reason: the allowing authorizer's, a denial's own, or those of every
        authorizer without an opinion joined by newlines (kube's union authorizer)."""
        reasons: list[str] = []
        for authorizer in self._chain:
            decision, why = authorizer.authorize(attrs)
            if decision is Decision.ALLOW:
                return decision, why
            if decision is Decision.DENY:
                return decision, why  # kube's union authorizer: a denial gives its own reason only
            if why:
                reasons.append(why)
        return Decision.NO_OPINION, "\n".join(reasons)

    async def __call__(self, request: Request) -> None:
        attrs = Attributes(request.require_user(), request.cluster, _authorized_target(request))
        REQUEST_AUTHORIZATION.set(None)
        decision, reason = self.decide(attrs)
        if decision is Decision.ALLOW:
            REQUEST_AUTHORIZATION.set(RequestAuthorization(attrs, self))
            return
        info = attrs.info
        raise errors.forbidden_error(forbidden_message(attrs, reason), resource=info.resource,
                                     group=info.group, name=info.name)


def _authorized_target(request: Request) -> RequestInfo:
    """The request info as authorization sees it: a list or watch with ``fieldSelector=metadata.name=<n>`` is
    a request for the object ``<n>`` (kube's RequestInfoFactory names it, so a rule with resourceNames allows
    ``kubectl get cm x --watch``)."""
    info = request.require_info()
    if info.is_resource and not info.name and info.verb in ("list", "watch"):
        selector = request.query.get("fieldSelector")
        if selector:
            try:
                name = fields.pinned_name(fields.FieldSelector.parse(selector))
            except errors.APIError:  # the handler refuses the selector with its own message
                return info
            if name and not names.path_segment_name(name, False):
                return info._replace(name=name)
    return info


@dataclass(frozen=True, slots=True)
class RequestAuthorization:
    """The authorized request and the chain that authorized it."""

    attrs: Attributes
    chain: Authorization

    def allows(self, info: RequestInfo) -> bool:
        """Whether the same user in the same cluster may do ``info``."""
        return self.allows_in(self.attrs.cluster, info)

    def allows_in(self, cluster: str, info: RequestInfo) -> bool:
        """Whether the same user may do ``info`` in logical cluster ``cluster`` (kcp asks some questions in
        another workspace: ``use`` of a WorkspaceType in the type's own)."""
        decision, _ = self.chain.decide(Attributes(self.attrs.user, cluster, info))
        return decision is Decision.ALLOW


REQUEST_AUTHORIZATION: ContextVar[RequestAuthorization | None] = ContextVar("gitplane_request_authorization",
                                                                            default=None)
"""Set by the stage for the request being handled (None before, or when the request was refused)."""
