"""Step 2: an empty terminating namespace drops the ``kubernetes`` finalizer (through ``/finalize``) and is
deleted; it disappears at once unless other finalizers in ``metadata.finalizers`` still hold it."""

from __future__ import annotations

from gitplane.server.inprocess import InProcessClient

NAMESPACE_FINALIZER = "kubernetes"


async def finalize(api: InProcessClient, *, cluster: str, name: str) -> None:
    path = f"/clusters/{cluster}/api/v1/namespaces/{name}"
    reply = await api.request("GET", path)
    if reply.status == 404:
        return
    reply.raise_for_status()
    namespace = reply.json()
    spec = dict(namespace.get("spec") or {})
    finalizers = [f for f in spec.get("finalizers") or [] if f != NAMESPACE_FINALIZER]
    if finalizers != (spec.get("finalizers") or []):
        spec["finalizers"] = finalizers
        namespace["spec"] = spec
        reply = await api.request("PUT", f"{path}/finalize", body=namespace)
        if reply.status == 404:
            return
        reply.raise_for_status()
    reply = await api.request("DELETE", path)
    if reply.status != 404:
        reply.raise_for_status()
