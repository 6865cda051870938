"""Step 2: write a quota's status (``hard`` copied from ``spec.hard``, ``used`` as measured) through
``PUT …/resourcequotas/<name>/status`` with the quota's resourceVersion, only when it changed.

Quantities compare by value, as kube's ``quota.Equals`` does, so ``1k`` and ``1000`` are no change. A 409 means
the quota changed meanwhile (a charge from another server, an edit); the controller measures again. Sets no
conditions (ResourceQuota has none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitplane.api.quantity import Quantity, QuantityError
from gitplane.server.inprocess import InProcessClient


def _same_value(left: Any, right: Any) -> bool:
    try:
        return Quantity.from_json(left).compare(Quantity.from_json(right)) == 0
    except QuantityError:
        return bool(left == right)


def same_quantities(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return current.keys() == wanted.keys() and all(_same_value(current[k], wanted[k]) for k in wanted)


def status_path(cluster: str, namespace: str, name: str) -> str:
    return f"/clusters/{cluster}/api/v1/namespaces/{namespace}/resourcequotas/{name}/status"


async def commit(api: InProcessClient, *, cluster: str, quota: Mapping[str, Any], used: Mapping[str, str]) -> bool:
    """Write the status of ``quota`` when it differs; whether it was written.

    Raises:
        errors.APIError: the write was refused (409 when the quota changed since it was read).
    """
    hard: Mapping[str, Any] = (quota.get("spec") or {}).get("hard") or {}
    status = quota.get("status") or {}
    if same_quantities(status.get("hard") or {}, hard) and same_quantities(status.get("used") or {}, used):
        return False
    meta = quota["metadata"]
    body = {**quota, "status": {**status, "hard": dict(hard), "used": dict(used)}}
    reply = await api.request("PUT", status_path(cluster, meta["namespace"], meta["name"]), body=body)
    reply.raise_for_status()
    return True
