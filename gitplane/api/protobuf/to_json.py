"""Parsed Kubernetes protobuf messages as the JSON object kube's JSON serializer writes for the same Go struct.

A plan is built once per message type from its descriptor: for each field number, its JSON name and a
converter. Converting a message walks only the fields present on the wire (``ListFields``):

    message --ListFields--> (number, value) --plan[number]--> JSON name, converted value
        scalars      pointer fields (gogoproto nullable) as sent, even "", 0 or false; other fields dropped
                     when zero, as Go's ``omitempty`` does (and as the zero value means "unset" there)
        bytes        standard base64, dropped when empty
        repeated     lists; maps objects with sorted keys (as Go writes them); ``bytes`` values base64
        messages     objects (``{}`` when empty); apimachinery's own types by ``apimachinery.SPECIAL_TYPES``,
                     whose ``null`` (a zero time) leaves the field out; fields Go inlines are merged in

JSON names are the descriptors' ``json_name`` (the extraction script sets them from Go's struct tags). Strings
Go would hold with invalid UTF-8 get U+FFFD for the bad bytes, as Go's JSON encoder writes them.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import descriptor_pb2, message

from gitplane.api.protobuf import apimachinery, catalog

Convert = Callable[[Any], Any]

_F = descriptor_pb2.FieldDescriptorProto


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    convert: Convert
    """The field's JSON value, or ``None`` to leave it out."""
    inline: bool


@dataclass(slots=True)
class _Plan:
    """The fields of one message type by number; filled right after creation (types may nest themselves)."""

    fields: dict[int, _Field] = field(default_factory=dict)


def text(value: str | bytes) -> str:
    """A protobuf string field's value: ``str``, or the ``bytes`` upb hands over when it is not UTF-8."""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _base64(value: bytes) -> str:
    return binascii.b2a_base64(value, newline=False).decode("ascii")


def _nonzero(value: Any) -> Any:
    return value or None


def _nonempty_text(value: str | bytes) -> str | None:
    return text(value) if value else None


def _nonempty_base64(value: bytes) -> str | None:
    return _base64(value) if value else None


def _as_sent(value: Any) -> Any:
    return value


class JsonConverter:
    """Converts messages of one catalog's types, building each type's plan on first use."""

    def __init__(self, types: catalog.Catalog) -> None:
        self._catalog = types
        self._plans: dict[str, _Plan] = {}

    def to_json(self, value: message.Message) -> dict[str, Any]:
        """The JSON object of a message of a type in the catalog.

        Raises:
            ValueError: a field holds a value with no JSON form (an embedded document that is not JSON, an
                impossible IntOrString, a time outside years 1-9999, a map key or value that is not UTF-8).
        """
        return _object(self._plan(value.DESCRIPTOR.full_name), value)

    def _plan(self, full_name: str) -> _Plan:
        plan = self._plans.get(full_name)
        if plan is None:
            plan = self._plans[full_name] = _Plan()
            for proto_field in self._catalog.messages[full_name].field:
                plan.fields[proto_field.number] = self._field(full_name, proto_field)
        return plan

    def _field(self, owner: str, proto_field: descriptor_pb2.FieldDescriptorProto) -> _Field:
        name = proto_field.json_name or proto_field.name
        inline = f"{owner}.{proto_field.name}" in self._catalog.inlined
        if proto_field.label == _F.LABEL_REPEATED:
            entry = self._map_entry(proto_field)
            if entry is not None:
                return _Field(name, self._map(entry), inline)
            return _Field(name, self._list(proto_field), inline)
        if proto_field.type == _F.TYPE_MESSAGE:
            return _Field(name, self._element(proto_field), inline)
        pointer = catalog.is_pointer(proto_field)
        if proto_field.type == _F.TYPE_STRING:
            return _Field(name, text if pointer else _nonempty_text, inline)
        if proto_field.type == _F.TYPE_BYTES:
            return _Field(name, _nonempty_base64, inline)  # a []byte is never a pointer; omitempty drops ""
        return _Field(name, _as_sent if pointer else _nonzero, inline)

    def _map_entry(self, proto_field: descriptor_pb2.FieldDescriptorProto) -> descriptor_pb2.DescriptorProto | None:
        if proto_field.type != _F.TYPE_MESSAGE:
            return None
        entry = self._catalog.messages[proto_field.type_name.lstrip(".")]
        return entry if entry.options.map_entry else None

    def _element(self, proto_field: descriptor_pb2.FieldDescriptorProto) -> Convert:
        """The converter of one value of the field's type (a list item, a map value, a singular field)."""
        if proto_field.type == _F.TYPE_STRING:
            return text
        if proto_field.type == _F.TYPE_BYTES:
            return _base64
        if proto_field.type != _F.TYPE_MESSAGE:
            return _as_sent
        type_name = proto_field.type_name.lstrip(".")
        special = apimachinery.SPECIAL_TYPES.get(type_name)
        if special is not None:
            return special
        plan = self._plan(type_name)
        return lambda value: _object(plan, value)

    def _list(self, proto_field: descriptor_pb2.FieldDescriptorProto) -> Convert:
        element = self._element(proto_field)
        if element is _as_sent:
            return list
        return lambda values: [element(item) for item in values]

    def _map(self, entry: descriptor_pb2.DescriptorProto) -> Convert:
        value_field = next(f for f in entry.field if f.number == 2)
        element = self._element(value_field)
        if element is _as_sent or element is text:  # map values are read as str, or fail on bad UTF-8
            return lambda values: dict(sorted(values.items()))
        return lambda values: {key: element(item) for key, item in sorted(values.items())}


def _object(plan: _Plan, value: message.Message) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = plan.fields
    for descriptor, item in value.ListFields():
        step = fields[descriptor.number]
        converted = step.convert(item)
        if converted is not None:
            if step.inline:
                out.update(converted)
            else:
                out[step.name] = converted
    return out
