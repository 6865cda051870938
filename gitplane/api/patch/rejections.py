"""The failures the patch formats share, worded as kube-apiserver words them.

kube answers a patch that decodes but cannot be applied with a *generic* 422: reason ``Invalid``, the fixed
message "the server rejected our request due to an error in our request" and no causes (clients match on
exactly that body); and a patch whose result is not an object with an ``Invalid`` error on field ``patch``.
The patch modules raise these with ``raise ... from exc`` so the underlying reason stays in the traceback.
"""

from __future__ import annotations

import orjson

from gitplane.api import errors

NOT_APPLICABLE_MESSAGE = "the server rejected our request due to an error in our request"


def not_applicable() -> errors.APIError:
    """The generic 422 kube answers when a well-formed patch cannot be applied to the live object."""
    return errors.APIError(422, "Invalid", NOT_APPLICABLE_MESSAGE)


def result_not_object(result: object) -> errors.APIError:
    """The 422 for a patch whose result is not a JSON object (and so cannot be decoded as one)."""
    text = orjson.dumps(result).decode()
    detail = f"cannot unmarshal {json_type(result)} into an object"
    return errors.invalid("", "", [errors.invalid_value("patch", text, detail)])


def json_type(value: object) -> str:
    """The JSON type name of a decoded value, as Go's decoder names it in its errors."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if value is None:
        return "null"
    return "number"


def render(value: object) -> str:
    """A compact JSON rendering of a (small) patch fragment for error messages."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return repr(value)
