"""Table rows of custom resources: a CRD version's ``additionalPrinterColumns``, as kube's CRD table convertor
prints them.

Columns: ``Name`` first, then each printer column (name, type, format, description, priority) in the CRD's
order; a version without printer columns gets kube's default, ``Age`` of ``.metadata.creationTimestamp``.
Cells: each column's JSONPath, evaluated on the object as served; no result is a null cell; the first result
counts. ``string`` columns print the value as Go's ``%v`` does (a map as ``map[k:v]``, a list as ``[a b]``,
as kube's JSONPath printer writes them), ``integer``, ``number`` and
``boolean`` keep a value of their type (anything else is null), ``date`` is the time since the timestamp (a
value that is not one reads ``<invalid>``).

JSONPaths are compiled once per column, when the printer is built (once per served version), with
jsonpath-ng's extended grammar, which reads kube's forms (``.status.conditions[?(@.type=="Ready")].status``,
``.spec.items[0]``, ``[*]``); kube's escaped dots in keys (``.metadata.labels.app\\.kubernetes\\.io/name``)
are rewritten to bracketed keys first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from jsonpath_ng import JSONPath
from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext.parser import parse

from gitplane.api import duration
from gitplane.api.crd.gorender import go_v

NAME_DESCRIPTION = ("Name must be unique within a namespace. Is required when creating resources, although some "
                    "resources may allow a client to request the generation of an appropriate name automatically. "
                    "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
                    "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/"
                    "names#names")
AGE_COLUMN: Mapping[str, Any] = {
    "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
    "description": "CreationTimestamp is a timestamp representing the server time when this object was created. It "
                   "is not guaranteed to be set in happens-before order across separate operations. Clients may "
                   "not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the "
                   "system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/"
                   "sig-architecture/api-conventions.md#metadata"}
_ESCAPED_SEGMENT = re.compile(r"\.((?:[^.\[\\]|\\.)*\\\.(?:[^.\[\\]|\\.)*)")


def compile_path(json_path: str) -> JSONPath | None:
    """A printer column's JSONPath, compiled; None when jsonpath-ng cannot read it (its cells are null)."""
    text = _ESCAPED_SEGMENT.sub(lambda m: "['" + m.group(1).replace("\\.", ".") + "']", json_path.strip())
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    try:
        return parse("$" + (text if text.startswith((".", "[")) else "." + text))
    except (JsonPathLexerError, JsonPathParserError, ValueError, AttributeError):
        return None


class CustomResourcePrinter:
    """The columns and rows of one served version (see the module docstring)."""

    def __init__(self, printer_columns: Sequence[Mapping[str, Any]]) -> None:
        specs = list(printer_columns) or [AGE_COLUMN]
        self._columns = [{"name": "Name", "type": "string", "format": "name", "description": NAME_DESCRIPTION,
                          "priority": 0}]
        self._cells: list[tuple[str, JSONPath | None]] = []
        for spec in specs:
            self._columns.append({"name": str(spec.get("name", "")), "type": str(spec.get("type", "")),
                                  "format": str(spec.get("format", "")),
                                  "description": str(spec.get("description", "")),
                                  "priority": int(spec.get("priority", 0) or 0)})
            self._cells.append((str(spec.get("type", "")), compile_path(str(spec.get("jsonPath", "")))))

    def columns(self) -> list[dict[str, Any]]:
        return self._columns

    def row(self, obj: Mapping[str, Any], now: datetime) -> list[Any]:
        meta = obj.get("metadata") or {}
        cells: list[Any] = [meta.get("name", "") if isinstance(meta, Mapping) else ""]
        for kind, path in self._cells:
            found = path.find(obj) if path is not None else []
            cells.append(_cell(kind, found[0].value, now) if found else None)
        return cells


def _cell(kind: str, value: Any, now: datetime) -> Any:
    if kind == "string":
        return go_v(value)
    if kind == "integer":
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        return int(value) if isinstance(value, float) and value.is_integer() else None
    if kind == "number":
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "date":
        if not isinstance(value, str) or duration.parse_timestamp(value) is None:
            return "<invalid>"
        return duration.age(value, now)
    return value
