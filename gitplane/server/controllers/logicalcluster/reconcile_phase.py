"""Step 4: an ``Initializing`` logical cluster with no initializer left becomes ``Ready``."""

from __future__ import annotations

from typing import Any

from gitplane.server.inprocess import InProcessClient
from gitplane.server.tenancy import logicalclusters as lc


async def reconcile(api: InProcessClient, cluster: str, logical: dict[str, Any]) -> None:
    status = logical.get("status") or {}
    if status.get("phase") != "Initializing" or status.get("initializers"):
        return
    logical["status"] = {**status, "phase": "Ready"}
    logical["status"].pop("initializers", None)
    (await api.request("PUT", lc.path(cluster) + "/status", body=logical)).raise_for_status()
