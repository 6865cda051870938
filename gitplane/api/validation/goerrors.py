"""Field errors whose bad value kube prints without JSON-style quoting.

``errors.invalid_value`` renders strings and numbers as kube does. Some values kube prints through a Go
``String()`` method (a ``resource.ResourceName`` shows as ``limits.pods``, a ``metav1.Time`` as
``2024-01-02 03:04:05 +0000 UTC``) or in Go syntax (``[]string{"a"}``, ``resource.Quantity{...}``); for those
the validators render the value themselves and build the error here, so the message reads exactly
``<field>: Invalid value: <rendered>: <detail>``.
"""

from __future__ import annotations

from gitplane.api import errors


def invalid_rendered(path: str, rendered: str, detail: str) -> errors.FieldError:
    """An ``Invalid value`` error whose value is already rendered the way kube prints it."""
    text = f"{rendered}: {detail}" if detail else rendered
    return errors.FieldError(errors.FIELD_VALUE_INVALID, path, text)
