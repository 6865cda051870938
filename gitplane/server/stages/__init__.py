"""The request pipeline's stages, one module each, in execution order:

1. :mod:`.info`      parse the request's target (cluster path, group, version, namespace, resource, verb)
2. :mod:`.authn`     authenticate: client certificate, bearer token, or anonymous
3. :mod:`.inflight`  the limit on requests in flight (429 beyond it)
4. :mod:`.cluster`   resolve the cluster path to a logical cluster (unknown or forbidden: 403)
5. :mod:`.impersonation`  serve the request as the user it impersonates, if the caller may (403 otherwise)
6. :mod:`.authz`     authorize the request against the authorizer chain

A stage enriches the :class:`~gitplane.server.request.Request` or raises an API error that ends it. The
handler runs after the last stage; admission and storage happen inside the handlers, where the object is known.
"""
