"""SelfSubjectReview (``authentication.k8s.io`` v1 and v1beta1): who the caller is, as the server sees them after
authentication and impersonation (``kubectl auth whoami``), as kube-apiserver answers it: a new review (the
body asks nothing) stamped now, with ``status.userInfo {username, uid, groups, extra}`` (empty ones left out).
"""

from __future__ import annotations

from typing import Any

from gitplane.server.request import UserInfo
from gitplane.server.rest.context import Obj, ResourceRequest, now, rfc3339


def user_info(user: UserInfo) -> dict[str, Any]:
    """kube's ``authentication.k8s.io/v1 UserInfo`` of a user."""
    info: dict[str, Any] = {"username": user.name}
    if user.uid:
        info["uid"] = user.uid
    if user.groups:
        info["groups"] = list(user.groups)
    if user.extra:
        info["extra"] = {key: list(values) for key, values in user.extra}
    return info


async def create(ctx: ResourceRequest, review: Obj) -> Obj:
    return {"kind": ctx.type.kind, "apiVersion": ctx.type.api_version,
            "metadata": {"creationTimestamp": rfc3339(now())},
            "status": {"userInfo": user_info(ctx.request.require_user())}}
