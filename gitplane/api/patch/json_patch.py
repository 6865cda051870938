"""JSON patch (RFC 6902, ``application/json-patch+json``): a list of add, remove, replace, move, copy, test.

Why: kubectl (``kubectl patch --type json``) and controllers that need compare-and-swap (``test`` on
``metadata.resourceVersion``) send these; answers must carry kube-apiserver's status codes.

How data flows: the decoded body must be a JSON array of objects, else 400 BadRequest with the message Go's
decoder gives kube; more than 10000 operations is 413. The live object and the operations are copied (an
orjson round trip, far cheaper than ``copy.deepcopy``) so that nothing the caller holds is touched, and the
``jsonpatch`` library applies the operations one by one to the copy. Any operation that cannot be applied
(unknown op, missing member, bad pointer, failed ``test``) is the generic 422 kube answers. Like kube's patch
library, a ``test`` for ``null`` passes when the tested member is absent from its object. A result that is not
an object is a 422 ``Invalid`` on field ``patch``.
"""

from __future__ import annotations

from typing import Any

import jsonpatch
import jsonpointer
import orjson

from gitplane.api import errors
from gitplane.api.patch import rejections

MAX_OPERATIONS = 10000


def apply_json_patch(obj: dict[str, Any], patch: object) -> dict[str, Any]:
    """Apply a decoded RFC 6902 patch to ``obj`` and return the patched copy.

    Args:
        obj: the live object; not modified.
        patch: the decoded request body, expected to be a list of operation objects; not modified.

    Returns:
        The patched object: a new dict sharing nothing with ``obj`` or ``patch`` (``obj`` itself when the
        patch has no operations).

    Raises:
        APIError: 400 if the body is not a list of objects, 413 past 10000 operations, 422 (the generic
            "the server rejected our request..." status) if an operation cannot be applied, 422 Invalid if the
            result is not an object.
    """
    operations = _decode(patch)
    if not operations:
        return obj
    if len(operations) > MAX_OPERATIONS:
        raise errors.too_large(
            f"Request entity too large: The allowed maximum operations in a JSON patch is {MAX_OPERATIONS}, "
            f"got {len(operations)}")
    document: object = orjson.loads(orjson.dumps(obj))
    owned_operations: list[dict[str, Any]] = orjson.loads(orjson.dumps(operations))
    try:
        for operation in owned_operations:
            if _tests_absent_member_for_null(document, operation):
                continue
            document = jsonpatch.JsonPatch([operation]).apply(document, in_place=True)
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        raise rejections.not_applicable() from exc
    if not isinstance(document, dict):
        raise rejections.result_not_object(document)
    return document


def _decode(patch: object) -> list[dict[str, Any]]:
    """The operations of a JSON patch body; ``null`` is an empty patch, as in Go."""
    if patch is None:
        return []
    if not isinstance(patch, list):
        raise errors.bad_request(
            f"json: cannot unmarshal {rejections.json_type(patch)} into Go value of type jsonpatch.Patch")
    for operation in patch:
        if operation is not None and not isinstance(operation, dict):
            kind = rejections.json_type(operation)
            raise errors.bad_request(
                f"json: cannot unmarshal {kind} into Go value of type jsonpatch.Operation")
    return [operation if operation is not None else {} for operation in patch]


def _tests_absent_member_for_null(document: object, operation: dict[str, Any]) -> bool:
    """Whether ``operation`` tests for ``null`` (or no value) a member its object lacks: kube lets it pass."""
    if operation.get("op") != "test" or operation.get("value") is not None:
        return False
    path = operation.get("path")
    if not isinstance(path, str) or not path:
        return False
    try:
        parent, member = jsonpointer.JsonPointer(path).to_last(document)
    except jsonpointer.JsonPointerException:
        return False
    return isinstance(parent, dict) and member not in parent
