"""TokenReview: who a bearer token authenticates as, asked of the server's own authenticators (the static token
file, then ServiceAccount JWTs), as kube-apiserver's TokenReview handler answers it.

``spec.token`` is required (400 otherwise, in kube's words); ``spec.audiences`` defaults to the server's own.
The answer echoes the review with ``status {authenticated, user, audiences, error}``: for a valid token the
user and the asked audiences it is valid for; for any other (unknown, forged, expired, for other audiences, its
ServiceAccount gone) ``authenticated`` is left out (false) and ``error`` says why.
"""

from __future__ import annotations

from typing import Any

from gitplane.api import errors
from gitplane.server.rest.context import Obj, ResourceRequest
from gitplane.server.reviews.self_subject import user_info
from gitplane.server.stages.authn import Authenticator


class TokenReviews:
    def __init__(self, authenticator: Authenticator) -> None:
        self._authenticator = authenticator

    async def create(self, ctx: ResourceRequest, review: Obj) -> Obj:
        spec = review.get("spec") or {}
        token = str(spec.get("token") or "")
        if not token:
            raise errors.bad_request("token is required for TokenReview in authentication")
        audiences = [str(a) for a in spec.get("audiences") or ()]
        answer = await self._authenticator.review_token(token, audiences)
        status: dict[str, Any] = {}
        if answer.user is not None:
            status = {"authenticated": True, "user": user_info(answer.user), "audiences": list(answer.audiences)}
        if answer.error:
            status["error"] = answer.error
        meta = dict(review.get("metadata") or {})
        meta.setdefault("creationTimestamp", None)
        return {**review, "metadata": meta, "status": status}
