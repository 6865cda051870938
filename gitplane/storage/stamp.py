"""Stamping ``metadata.resourceVersion`` into stored JSON.

The store, not the caller, knows the revision a write gets, so backends stamp it into the value while writing.
Reads then serve the stored bytes unchanged. A decode and re-encode with orjson costs a few microseconds per
kilobyte, far below a commit, so stamping stays simple and does not depend on any byte layout.
"""

from __future__ import annotations

import orjson

from gitplane.storage.interface import Revision


def stamp(value: bytes, revision: Revision) -> bytes:
    """Return ``value`` (a JSON object with a ``metadata`` object) with ``metadata.resourceVersion`` set."""
    obj = orjson.loads(value)
    if not isinstance(obj, dict):
        raise ValueError("stored values must be JSON objects")
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        metadata = obj["metadata"] = {}
    metadata["resourceVersion"] = str(revision)
    return orjson.dumps(obj)
