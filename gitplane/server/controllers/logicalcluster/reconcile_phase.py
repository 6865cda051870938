"""Step 4: an ``Initializing`` logical cluster with no initializer left becomes ``Ready``; the status the steps
before changed is written here, in one write."""

from __future__ import annotations

from typing import Any

from gitplane.server.inprocess import InProcessClient
from gitplane.server.tenancy import logicalclusters as lc


async def reconcile(api: InProcessClient, cluster: str, logical: dict[str, Any], before: dict[str, Any]) -> None:
    """``before``: the status as read, to tell whether there is anything to write."""
    status = dict(logical.get("status") or {})
    if status.get("phase") == "Initializing" and not status.get("initializers"):
        status["phase"] = "Ready"
        status.pop("initializers", None)
    if status != before:
        logical["status"] = status
        (await api.request("PUT", lc.path(cluster) + "/status", body=logical)).raise_for_status()
