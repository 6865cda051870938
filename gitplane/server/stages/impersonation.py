"""Pipeline stage: impersonation (``kubectl --as``), as kube-apiserver's ``WithImpersonation`` filter.

Why: an administrator (or a controller acting for someone) asks to be treated as another user by sending
``Impersonate-User``, ``Impersonate-Group`` (repeatable), ``Impersonate-Uid`` and ``Impersonate-Extra-<key>``;
the rest of the pipeline then authorizes and serves the request as that user.

How the data flows: the headers become impersonation requests in kube's order (the user, or the
ServiceAccount when the user is ``system:serviceaccount:<ns>:<name>``; each group; each extra value; the uid).
The *real* user must be allowed verb ``impersonate`` on each, asked of the same authorizer chain in the
request's logical cluster (so ``system:masters`` and RBAC both count):

    users/<name>, groups/<name>, serviceaccounts/<name> in <ns>             group ""
    uids/<uid>, userextras/<key> with name <value>                          group authentication.k8s.io

The first refusal ends the request with kube's 403 (``users "alice" is forbidden: User "bob" cannot
impersonate resource "users" in API group "" at the cluster scope``). Groups, extras or a uid without a user
are refused as kube refuses them: 500 ``requested [...] without impersonating a user``. Otherwise the request's
user is replaced: groups as asked (a ServiceAccount without groups asked gets ``system:serviceaccounts`` and
``system:serviceaccounts:<ns>``), plus ``system:authenticated`` unless ``system:authenticated`` or
``system:unauthenticated`` was asked (``system:unauthenticated`` for ``system:anonymous``); the headers are
dropped.

The stage runs after the logical cluster is resolved (impersonation is checked in the request's cluster) and
before authorization, which then sees the impersonated user. The in-flight limit runs before it, with the
real user, as kube orders its filters.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote

from gitplane.api import errors
from gitplane.api.validation.names import is_dns1123_label, is_dns1123_subdomain
from gitplane.server.request import Request, UserInfo
from gitplane.server.requestinfo import RequestInfo
from gitplane.server.stages.authz import Attributes, Authorization, Decision, forbidden_message

PREFIX = b"impersonate-"
_MARK = b"\n" + PREFIX
USER = b"impersonate-user"
GROUP = b"impersonate-group"
UID = b"impersonate-uid"
EXTRA = b"impersonate-extra-"
AUTHENTICATION = "authentication.k8s.io"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
ANONYMOUS = "system:anonymous"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class Wanted(NamedTuple):
    """One impersonation request (kube's ObjectReference): what the real user must be allowed to impersonate."""

    kind: str
    """User, ServiceAccount, Group, UserExtra or UID."""
    name: str
    namespace: str = ""
    extra_key: str = ""

    @property
    def group(self) -> str:
        return AUTHENTICATION if self.kind in ("UserExtra", "UID") else ""

    @property
    def resource(self) -> str:
        return {"User": "users", "ServiceAccount": "serviceaccounts", "Group": "groups", "UserExtra": "userextras",
                "UID": "uids"}[self.kind]

    def go_string(self) -> str:
        """Go's ``%v`` of the ObjectReference kube builds: ``{Kind Namespace Name UID APIVersion RV FieldPath}``."""
        api_version = f"{AUTHENTICATION}/v1" if self.group else ""
        return "{" + " ".join((self.kind, self.namespace, self.name, "", api_version, "", self.extra_key)) + "}"


def split_service_account(user: str) -> tuple[str, str] | None:
    """``(namespace, name)`` of ``system:serviceaccount:<ns>:<name>`` (kube's ``SplitUsername``), else None."""
    if not user.startswith(SERVICE_ACCOUNT_PREFIX):
        return None
    parts = user[len(SERVICE_ACCOUNT_PREFIX):].split(":")
    if len(parts) != 2 or is_dns1123_label(parts[0]) or is_dns1123_subdomain(parts[1]):
        return None
    return parts[0], parts[1]


def _extra_key(encoded: str) -> str:
    """kube's ``unescapeExtraKey``: percent-decoded, or as sent when the escapes are malformed."""
    return encoded if _BAD_ESCAPE.search(encoded) else unquote(encoded, errors="replace")


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


def wanted_from(headers: list[tuple[bytes, bytes]]) -> list[Wanted]:
    """The impersonation requests of a request's (lower-case) headers, in kube's order.

    Raises:
        APIError: groups, extras or a uid are asked without a user.
    """
    user = next((_text(v) for k, v in headers if k == USER), "")
    wanted: list[Wanted] = []
    if user:
        account = split_service_account(user)
        wanted.append(Wanted("User", user) if account is None else Wanted("ServiceAccount", account[1], account[0]))
    wanted.extend(Wanted("Group", _text(v)) for k, v in headers if k == GROUP)
    wanted.extend(Wanted("UserExtra", _text(v), extra_key=_extra_key(_text(k[len(EXTRA):])))
                  for k, v in headers if k.startswith(EXTRA))
    uid = next((_text(v) for k, v in headers if k == UID), "")
    if uid:
        wanted.append(Wanted("UID", uid))
    if not user and wanted:
        raise _without_user(wanted)
    return wanted


def _without_user(wanted: list[Wanted]) -> errors.APIError:
    # kube answers with its InternalError writer (500), naming the requests as Go prints them
    return errors.APIError(500, "InternalError", f"requested [{' '.join(w.go_string() for w in wanted)}] "
                                                 "without impersonating a user")


def impersonated_user(wanted: list[Wanted]) -> UserInfo:
    """The user a request is served as once every impersonation request is allowed."""
    name, uid = "", ""
    groups: list[str] = []
    extra: dict[str, list[str]] = {}
    groups_asked = any(w.kind == "Group" for w in wanted)
    for w in wanted:
        if w.kind == "User":
            name = w.name
        elif w.kind == "ServiceAccount":
            name = f"{SERVICE_ACCOUNT_PREFIX}{w.namespace}:{w.name}"
            if not groups_asked:
                groups = ["system:serviceaccounts", f"system:serviceaccounts:{w.namespace}"]
        elif w.kind == "Group":
            groups.append(w.name)
        elif w.kind == "UserExtra":
            extra.setdefault(w.extra_key, []).append(w.name)
        else:
            uid = w.name
    if name != ANONYMOUS:
        if AUTHENTICATED not in groups and UNAUTHENTICATED not in groups:
            groups.append(AUTHENTICATED)
    elif UNAUTHENTICATED not in groups:
        groups.append(UNAUTHENTICATED)
    return UserInfo(name, tuple(groups), uid, tuple((k, tuple(v)) for k, v in extra.items()))


class Impersonation:
    """The stage (see the module docstring)."""

    def __init__(self, authorization: Authorization) -> None:
        self._authorization = authorization

    async def __call__(self, request: Request) -> None:
        if _MARK not in b"\n" + b"\n".join(request.headers):  # one C-level scan of the header names
            return
        headers: list[tuple[bytes, bytes]] = request.scope["headers"]
        wanted = wanted_from(headers)
        if not wanted:
            return
        real = request.require_user()
        base = request.require_info()
        for w in wanted:
            info = RequestInfo(base.cluster_path, base.explicit_cluster, base.path, "impersonate", True,
                               group=w.group, version="v1", namespace=w.namespace, resource=w.resource,
                               name=w.name, subresource=w.extra_key)
            attrs = Attributes(real, request.cluster, info)
            decision, reason = self._authorization.decide(attrs)
            if decision is not Decision.ALLOW:
                raise errors.forbidden_error(forbidden_message(attrs, reason), resource=w.resource, group=w.group,
                                             name=w.name)
        request.user = impersonated_user(wanted)
        for name in [n for n in request.headers if n.startswith(PREFIX) and _is_impersonation(n)]:
            del request.headers[name]


def _is_impersonation(name: bytes) -> bool:
    return name in (USER, GROUP, UID) or name.startswith(EXTRA)
