"""The request pipeline's stages, one module each, in execution order:

1. :mod:`.info`      parse the request's target (cluster path, group, version, namespace, resource, verb)
2. :mod:`.authn`     authenticate: client certificate, bearer token, or anonymous
3. :mod:`.cluster`   resolve the cluster path to a logical cluster (unknown or forbidden: 403)
4. :mod:`.authz`     authorize the request against the authorizer chain

A stage enriches the :class:`~gitplane.server.request.Request` or raises an API error that ends it. The
handler runs after the last stage; admission and storage happen inside the handlers, where the object is known.
"""
