"""Step 1: the namespace's ``default`` ServiceAccount and ``kube-root-ca.crt`` ConfigMap.

Both are read from the store (what a GET would serve, without a request's pipeline) and written through the
in-process API (so admission and managed fields apply as for any write). A
ServiceAccount ``default`` that exists is left as it is (users add secrets or pull secrets to it); the ConfigMap
is the publisher's: its ``ca.crt`` and description are put back when someone changes them, as kube does.
"""

from __future__ import annotations

from typing import Any

from gitplane.server.inprocess import InProcessClient
from gitplane.storage import interface as storage

ACCOUNT = "default"
ROOT_CA = "kube-root-ca.crt"
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
               "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
               "distributions of Kubernetes clusters.")


async def ensure_account(api: InProcessClient, store: storage.Store, *, cluster: str, namespace: str) -> None:
    path = f"/clusters/{cluster}/api/v1/namespaces/{namespace}/serviceaccounts"
    if await storage.get_object(store, storage.Key("", "serviceaccounts", "", cluster, namespace, ACCOUNT)) is not None:
        return
    reply = await api.request("POST", path, body={"apiVersion": "v1", "kind": "ServiceAccount",
                                                  "metadata": {"name": ACCOUNT}})
    if reply.status not in (201, 409, 403, 404):  # 403/404: the namespace is terminating or gone meanwhile
        reply.raise_for_status()


def root_ca(ca_bundle: str, existing: dict[str, Any] | None = None) -> dict[str, Any]:
    meta = dict((existing or {}).get("metadata") or {"name": ROOT_CA})
    annotations = dict(meta.get("annotations") or {})
    annotations["kubernetes.io/description"] = DESCRIPTION
    meta["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"ca.crt": ca_bundle}}


def is_current(configmap: dict[str, Any], ca_bundle: str) -> bool:
    annotations = (configmap.get("metadata") or {}).get("annotations") or {}
    return bool(configmap.get("data") == {"ca.crt": ca_bundle}
                and annotations.get("kubernetes.io/description") == DESCRIPTION)


async def ensure_root_ca(api: InProcessClient, store: storage.Store, *, cluster: str, namespace: str,
                         ca_bundle: str) -> None:
    path = f"/clusters/{cluster}/api/v1/namespaces/{namespace}/configmaps"
    existing = await storage.get_object(store, storage.Key("", "configmaps", "", cluster, namespace, ROOT_CA))
    if existing is not None:
        if is_current(existing, ca_bundle):
            return
        reply = await api.request("PUT", f"{path}/{ROOT_CA}", body=root_ca(ca_bundle, existing))
    else:
        reply = await api.request("POST", path, body=root_ca(ca_bundle))
    if reply.status not in (200, 201, 409, 403, 404):
        reply.raise_for_status()
