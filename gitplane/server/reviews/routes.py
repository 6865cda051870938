"""Routing review requests (see the package docstring) in front of the resource router.

Only the review types of the built-in catalog are answered here, matched by (group, resource) first, which costs
every other request one set lookup; a custom resource that happens to share a review's group and name (a CRD in
a ``*.k8s.io`` group) still goes to the resource router.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson

from gitplane.api import errors
from gitplane.api.builtin_types import REVIEWS
from gitplane.server.request import AnyResponse, Request, Response
from gitplane.server.rest.body import read_object
from gitplane.server.rest.context import Obj, ResourceRequest
from gitplane.server.rest.params import dry_run, field_validation
from gitplane.server.rest.router import ResourceRouter
from gitplane.server.reviews import self_subject
from gitplane.server.reviews.access import AccessReviews
from gitplane.server.reviews.rules import RulesResolver, RulesReviews
from gitplane.server.reviews.token import TokenReviews
from gitplane.server.stages.authn import Authenticator
from gitplane.server.stages.authz import Authorization

Handler = Callable[[ResourceRequest, Obj], Awaitable[Obj]]
GROUPS = frozenset(t.group for t in REVIEWS)


class ReviewRoutes:
    """The resource handler: reviews answered here, everything else by ``resources``."""

    def __init__(self, resources: ResourceRouter, *, authorization: Authorization, rules_for: RulesResolver,
                 authenticator: Authenticator) -> None:
        self._resources = resources
        reviews = AccessReviews(authorization)
        self._handlers: dict[tuple[str, str], Handler] = {
            ("authorization.k8s.io", "selfsubjectaccessreviews"): reviews.self_subject,
            ("authorization.k8s.io", "subjectaccessreviews"): reviews.subject,
            ("authorization.k8s.io", "localsubjectaccessreviews"): reviews.local,
            ("authorization.k8s.io", "selfsubjectrulesreviews"): RulesReviews(rules_for).create,
            ("authentication.k8s.io", "selfsubjectreviews"): self_subject.create,
            ("authentication.k8s.io", "tokenreviews"): TokenReviews(authenticator).create,
        }

    async def __call__(self, request: Request) -> AnyResponse:
        info = request.require_info()
        handler = self._handlers.get((info.group, info.resource)) if info.group in GROUPS else None
        if handler is None:
            return await self._resources(request)
        ctx = self._resources.context(request)  # kube's route checks: the verb (create only), the scope
        if ctx.type not in REVIEWS:
            return await self._resources(request)
        if ctx.name:
            raise errors.method_not_allowed()
        dry_run(request)  # refuses a value other than All; a review changes nothing either way
        review = await read_object(ctx, field_validation(request))
        return Response(201, orjson.dumps(await handler(ctx, review)))
