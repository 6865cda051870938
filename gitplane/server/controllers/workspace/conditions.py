"""A Workspace's conditions, kept as kcp keeps them: one entry per type, ``lastTransitionTime`` moving only when
the status changes."""

from __future__ import annotations

import datetime
from typing import Any


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def put(obj: dict[str, Any], kind: str, status: str, reason: str = "", message: str = "") -> list[dict[str, Any]]:
    """The object's conditions with ``kind`` set (the others unchanged, in order)."""
    current = [c for c in (obj.get("status") or {}).get("conditions") or [] if isinstance(c, dict)]
    before = next((c for c in current if c.get("type") == kind), None)
    entry: dict[str, Any] = {"type": kind, "status": status,
                             "lastTransitionTime": before["lastTransitionTime"]
                             if before is not None and before.get("status") == status and before.get(
                                 "lastTransitionTime") else _now()}
    if reason:
        entry["reason"] = reason
    if message:
        entry["message"] = message
    if before is None:
        return [*current, entry]
    return [entry if c is before else c for c in current]
