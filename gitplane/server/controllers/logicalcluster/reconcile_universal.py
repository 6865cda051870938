"""Step 3: the ``root:universal`` initializer, which every built-in type but root carries (they extend
universal): the workspace gets the namespaces ``default`` and ``kube-system`` (kcp's ``config/universal``),
then the initializer takes itself off ``status.initializers``."""

from __future__ import annotations

from typing import Any

from gitplane.server.inprocess import InProcessClient

INITIALIZER = "root:universal"
NAMESPACES = ("default", "kube-system")


async def reconcile(api: InProcessClient, cluster: str, logical: dict[str, Any]) -> dict[str, Any]:
    """The LogicalCluster after this step, not yet written (:mod:`.reconcile_phase` writes the status once)."""
    initializers = list((logical.get("status") or {}).get("initializers") or [])
    if INITIALIZER not in initializers:
        return logical
    for name in NAMESPACES:
        await api.create_unless_present(f"/clusters/{cluster}/api/v1/namespaces",
                                        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    logical["status"] = {**logical["status"], "initializers": [i for i in initializers if i != INITIALIZER]}
    return logical
