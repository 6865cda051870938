"""The review APIs: questions about identity and permission that the server answers at once and never stores,
as kube-apiserver serves them (each type is create-only, answered 201 with the review and its ``status``).

    authorization.k8s.io/v1   SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview
                              (:mod:`.access`: "may this user do that?", asked of the server's own authorizer
                              chain in the request's logical cluster); SelfSubjectRulesReview (:mod:`.rules`:
                              the RBAC rules that apply in a namespace, ``kubectl auth can-i --list``)
    authentication.k8s.io     SelfSubjectReview v1 and v1beta1 (:mod:`.self_subject`: who the caller is after
                              authentication and impersonation, ``kubectl auth whoami``); TokenReview v1
                              (:mod:`.token`: who a token authenticates as, with the server's authenticators)

How a request flows: :class:`~.routes.ReviewRoutes` sits in front of the resource router; for a review type it
lets the router check the route (verb, scope), reads the body as any create does (JSON, YAML or protobuf;
``apiVersion``/``kind`` checked; typed decoding against kube's schema), validates ``dryRun`` (a review changes
nothing, so a dry run gets the same answer), and hands the object to the type's handler, whose answer is the
response. Every other request goes on to the resource router unchanged.
"""
