"""Request bodies as kube-apiserver decodes them: parsing, duplicate fields, and Go's typed decoding.

kube-apiserver reads a create or update body by unmarshalling it into the Go struct of the type. Clients see
the consequences and rely on them, so the server reproduces them on the parsed JSON:

    body --parse_json / parse_yaml-->  dict
         --find_duplicate_fields-->    duplicated keys (fieldValidation Strict/Warn only: a second parse)
    dict --decode_typed(schema)-->     unknown fields dropped (Ignore), warned (Warn) or rejected (Strict);
                                       nulls dropped; wrong JSON types, bad base64, bad times and bad
                                       quantities rejected with Go's error text

Errors read as kube's: ``ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal
number into Go struct field ConfigMap.data of type string``; ``... strict decoding error: unknown field
"spec.foo", duplicate field "x"``. Like Go, only the first type error is reported (a self-parsing field's
error, such as a bad timestamp, wins and stops decoding), and strict errors only without a type error.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import orjson

from gitplane.api import errors, goformats, gosyntax, yaml_body
from gitplane.api.decoding_plan import CONTAINERS, Kind, Plan, plan_for
from gitplane.api.schema import Schema

FieldValidation = Literal["Strict", "Warn", "Ignore"]

_MAX_STRICT_ERRORS = 100
MAX_DEPTH = 100
"""How deep objects and arrays may nest in a request body."""
_INT_RANGES = {32: (-(2**31), 2**31 - 1), 64: (-(2**63), 2**63 - 1)}


@dataclass
class TypedDecodeError(errors.APIError):
    """A 400 from typed decoding. ``cause`` is Go's error text without kube's ``X in version "v" cannot be
    handled as a X:`` framing, for callers that frame it differently (the patch handler does)."""

    cause: str = ""
    strict_errors: tuple[str, ...] = ()


# -- parsing -------------------------------------------------------------------------------------------------

def parse_json(body: bytes) -> Any:
    """The JSON value of ``body``, its strings read as Go reads them (see :func:`go_json_strings`).

    Raises:
        APIError: 400 naming the problem and its position.
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        error = exc
    repaired = go_json_strings(body)
    if repaired != body:  # orjson refuses what Go replaces; parse the replaced text instead
        try:
            return orjson.loads(repaired)
        except orjson.JSONDecodeError:
            pass  # malformed anyway: name the first problem of the body as sent
    raise errors.bad_request(f"the request body is not valid JSON: {error}") from error


def _go_replace(error: UnicodeError) -> tuple[str, int]:
    """Go's ``utf8.DecodeRune``: one U+FFFD for each byte that does not start a valid sequence."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return "\ufffd", error.start + 1


codecs.register_error("gitplane-go-utf8", _go_replace)

# A \uXXXX escape of a surrogate after an even number of backslashes (an odd one escapes the backslash):
# a high surrogate with the low one that completes it, or any other surrogate alone.
_SURROGATE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u[dD][89abAB][0-9a-fA-F]{2}(\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
                               r"|(?<!\\)((?:\\\\)*)\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_lone(match: re.Match[str]) -> str:
    if match.group(2):  # a valid pair
        return match.group(0)
    return (match.group(1) or match.group(3) or "") + "\\ufffd"


def go_json_strings(body: bytes) -> bytes:
    """``body`` with what Go's JSON decoder reads as U+FFFD replaced by it: bytes that are not UTF-8, and
    ``\\u`` escapes of surrogates that do not form a pair (orjson refuses both; kube stores U+FFFD)."""
    text = body.decode("utf-8", "gitplane-go-utf8")
    return _SURROGATE_ESCAPE.sub(_replace_lone, text).encode()


def parse_yaml(body: bytes) -> Any:
    """The value of a one-document YAML (or JSON) ``body``, as kube's YAML reader sees it (YAML 1.1 scalars,
    timestamps as strings, keys as strings, the last of duplicate keys).

    Raises:
        APIError: 400 naming the line, for malformed YAML, several documents, or values JSON cannot hold.
    """
    if body.lstrip()[:1] in (b"{", b"["):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # YAML flow style such as {a: b}: parse it as YAML
    return yaml_body.load(body)


def check_depth(value: Any) -> None:
    """Refuse a body value nested more than :data:`MAX_DEPTH` levels deep.

    kube (Go) reads up to 10,000 levels; here every step after parsing (patches, managed fields, the store's
    encoder, which stops at 254) recurses, so the limit sits at parsing, far above what real objects nest.

    Raises:
        APIError: 400 saying so.
    """
    level = [value]
    for _ in range(MAX_DEPTH):
        below: list[Any] = []
        for item in level:
            children = item.values() if type(item) is dict else item if type(item) is list else ()
            below.extend(child for child in children if type(child) is dict or type(child) is list)
        if not below:
            return
        level = below
    raise errors.bad_request(f"the request body nests more than {MAX_DEPTH} levels deep")


def find_duplicate_fields(body: bytes, parsed: Any = None) -> list[str]:
    """The paths (``metadata.labels.a``, ``spec.items[0].name``) of keys that appear twice in one object of a
    JSON or YAML ``body``, in document order, each once. A body that does not parse has none.

    ``parsed``: the body as parsed already (before any change), if the caller has it. Each key of a JSON
    text is followed by one colon, and other colons can only be inside strings; so a body with no more colons
    than its parsed objects have keys has no duplicate, and is not parsed again (most bodies: a colon in a
    value, as in a timestamp, sends the body to the full check)."""
    if body.lstrip()[:1] in (b"{", b"["):
        if parsed is not None and body.count(b":") == _key_count(parsed):
            return []
        try:
            found = _json_duplicates(body.decode("utf-8", "gitplane-go-utf8"))
        except (ValueError, RecursionError):
            pass
        else:  # the stdlib keeps lone surrogates of escapes that Go reads as U+FFFD
            return _dedupe([_LONE_SURROGATE.sub("\ufffd", path) for path in found])
    return _dedupe(yaml_body.duplicate_paths(body))


def _key_count(value: Any) -> int:
    """How many keys the objects in parsed JSON ``value`` have, nested ones included (one walk, no recursion)."""
    count = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if type(item) is dict:
            count += len(item)
            pending.extend([child for child in item.values() if type(child) is dict or type(child) is list])
        elif type(item) is list:
            pending.extend([child for child in item if type(child) is dict or type(child) is list])
    return count


def _json_duplicates(body: str) -> list[str]:
    """Duplicates found by the stdlib scanner's object hook; each object's nested findings are kept beside it,
    by identity, and carried up to its parent. The table holds the objects too: a duplicate key's first value
    is dropped from the result, and its id must not be reused while the table is in use."""
    nested: dict[int, tuple[dict[str, Any], list[str]]] = {}

    def inner(value: Any) -> list[str]:
        if isinstance(value, dict):
            entry = nested.get(id(value))
            return entry[1] if entry is not None else []
        found: list[str] = []
        if isinstance(value, list):
            for index, item in enumerate(value):
                found.extend(_join(f"[{index}]", path) for path in inner(item))
        return found

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if not nested and len(obj) == len(pairs):
            return obj  # the common case: no duplicate in this object nor, so far, in the document
        obj = {}
        found: list[str] = []
        for key, value in pairs:
            if key in obj:
                found.append(key)
            obj[key] = value
            if isinstance(value, dict | list):
                found.extend(_join(key, path) for path in inner(value))
        if found:
            nested[id(obj)] = (obj, found)
        return obj

    return inner(json.loads(body, object_pairs_hook=hook))


def _join(parent: str, child: str) -> str:
    return parent + child if child.startswith("[") else f"{parent}.{child}"


def _dedupe(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


# -- typed decoding ------------------------------------------------------------------------------------------

class _Fatal(Exception):
    """An error from a field that parses its own value (Go's Unmarshaler): it ends decoding at once."""


class _Site(NamedTuple):
    """Where a value sits, as Go's type errors name it: the innermost struct, the struct-field path from the
    root (map keys and list indexes are not part of it) and the Go type of the value's slot."""

    struct: str
    field: str
    go_type: str


def decode_typed(obj: dict[str, Any], schema: Schema, *, mode: FieldValidation,
                 duplicate_fields: Sequence[str] = ()) -> list[str]:
    """Decode ``obj`` in place as Go decodes a body into the type of ``schema``; return the warnings.

    Unknown fields are removed (``Ignore``), removed and warned about (``Warn``) or rejected (``Strict``), as
    are the ``duplicate_fields`` the caller found with :func:`find_duplicate_fields`. ``null`` struct fields
    are removed; ``null`` map values and list items become their type's zero value.

    Raises:
        TypedDecodeError: 400 for a value Go cannot decode, or for strict-mode unknown or duplicate fields.
    """
    decoder = _Decoder()
    try:
        decoder.struct(plan_for(schema), obj, "", "")
    except _Fatal as exc:
        raise _decode_error(schema, str(exc)) from None
    if decoder.first_error:
        raise _decode_error(schema, decoder.first_error)
    return report_strict(schema, decoder.unknown, duplicate_fields, mode)


def report_strict(schema: Schema, unknown: list[str], duplicate_fields: Sequence[str],
                  mode: FieldValidation) -> list[str]:
    """Unknown and duplicate fields as ``fieldValidation`` wants them: a 400 (``Strict``), warnings
    (``Warn``), or nothing (``Ignore``). Typed decoding and custom resources' pruning both end here.

    Raises:
        TypedDecodeError: 400 in ``Strict`` mode when there is any.
    """
    if not unknown and not duplicate_fields:
        return []
    strict = _strict_errors(unknown, duplicate_fields)
    if strict and mode == "Strict":
        raise _decode_error(schema, "strict decoding error: " + ", ".join(strict), tuple(strict))
    return strict if mode == "Warn" else []


def _strict_errors(unknown: list[str], duplicates: Sequence[str]) -> list[str]:
    """kube's strict errors: unknown fields, then duplicates outside unknown fields; each once, 100 at
    most."""
    messages = [f"unknown field {gosyntax.go_quote(path)}" for path in unknown]
    for path in duplicates:
        if not any(path == p or path.startswith((p + ".", p + "[")) for p in unknown):
            messages.append(f"duplicate field {gosyntax.go_quote(path)}")
    return _dedupe(messages)[:_MAX_STRICT_ERRORS]


def _decode_error(schema: Schema, cause: str, strict: tuple[str, ...] = ()) -> TypedDecodeError:
    gvks = schema.group_version_kinds
    if gvks:
        kind, version = gvks[0].get("kind", ""), gvks[0].get("version", "")
        message = f"{kind} in version {gosyntax.go_quote(version)} cannot be handled as a {kind}: {cause}"
    else:
        message = f"the object provided is unrecognized: {cause}"
    return TypedDecodeError(400, "BadRequest", message, cause=cause, strict_errors=strict)


def json_kind(value: Any) -> str:
    """The JSON type Go's decoder names in its errors (``cannot unmarshal number into ...``)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _number_literal(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _zero(plan: Plan) -> Any:
    """What Go's zero value of the type encodes to."""
    return _ZEROS.get(plan.kind)


_ZEROS: dict[Kind, Any] = {Kind.STRING: "", Kind.INTEGER: 0, Kind.NUMBER: 0, Kind.BOOLEAN: False,
                           Kind.INT_OR_STRING: 0, Kind.QUANTITY: "0"}


class _Decoder:
    """One decoding pass: finds unknown fields (removing them as it goes) and keeps Go's first saved error."""

    __slots__ = ("first_error", "unknown")

    def __init__(self) -> None:
        self.unknown: list[str] = []
        self.first_error = ""

    def mismatch(self, value: Any, site: _Site, *, literal: bool = False) -> None:
        if self.first_error:
            return
        what = json_kind(value) + (" " + _number_literal(value) if literal else "")
        target = f"Go struct field {site.struct}.{site.field}" if site.struct or site.field else "Go value"
        self.first_error = f"json: cannot unmarshal {what} into {target} of type {site.go_type}"

    def struct(self, plan: Plan, obj: dict[str, Any], field: str, path: str) -> None:
        fields = plan.fields
        dropped: list[str] = []
        for key, value in obj.items():
            entry = fields.get(key)
            if entry is None:
                self.unknown.append(f"{path}.{key}" if path else key)
                dropped.append(key)
            elif value is None:
                dropped.append(key)
            else:
                kind = entry.plan.kind  # compared by identity: an enum's hash is a Python call
                value_type = type(value)
                if (kind is Kind.STRING and value_type is str) or (kind is Kind.BOOLEAN and value_type is bool) \
                        or kind is Kind.ANY:
                    continue  # the common valid scalar: no site to name, nothing to check further
                site = _Site(plan.struct_name, f"{field}.{key}" if field else key, entry.go_type)
                if kind is Kind.STRUCT or kind is Kind.MAP or kind is Kind.ARRAY:
                    self.container(entry.plan, value, site, f"{path}.{key}" if path else key)
                else:
                    self.scalar(entry.plan, value, site)
        for key in dropped:
            del obj[key]

    def container(self, plan: Plan, value: Any, site: _Site, path: str) -> None:
        kind = plan.kind
        if kind is Kind.STRUCT and type(value) is dict:
            self.struct(plan, value, site.field, path)
        elif kind is Kind.MAP and type(value) is dict:
            self.elements(plan.element or Plan(), value, value.items(), site, path)
        elif kind is Kind.ARRAY and type(value) is list:
            self.elements(plan.element or Plan(), value, enumerate(value), site, path)
        else:
            self.mismatch(value, site)

    def elements(self, element: Plan, container: Any, items: Iterable[tuple[Any, Any]], parent: _Site,
                 path: str) -> None:
        """The values of a map or the items of a list; a ``null`` becomes the element type's zero value."""
        kind = element.kind
        if kind is Kind.STRING:  # the commonest (labels, data): the site is built only for a mismatch
            for key, item in items:
                if type(item) is not str:
                    if item is None:
                        container[key] = ""
                    else:
                        self.mismatch(item, parent._replace(go_type=element.go_type))
            return
        site = parent._replace(go_type=element.go_type)
        if kind in CONTAINERS:
            is_list = type(container) is list
            for key, item in items:
                if item is None:
                    container[key] = {} if element.kind is Kind.STRUCT else None
                else:
                    self.container(element, item, site, f"{path}[{key}]" if is_list else f"{path}.{key}")
        else:
            for key, item in items:
                if item is None:
                    container[key] = _zero(element)
                else:
                    self.scalar(element, item, site)

    def scalar(self, plan: Plan, value: Any, site: _Site) -> None:
        kind = plan.kind
        value_type = type(value)
        if kind is Kind.STRING:
            if value_type is not str:
                self.mismatch(value, site)
        elif kind is Kind.INTEGER:
            if value_type is not int:
                self.mismatch(value, site, literal=value_type is float)
            elif not _INT_RANGES[plan.bits][0] <= value <= _INT_RANGES[plan.bits][1]:
                self.mismatch(value, site, literal=True)
        elif kind is Kind.BOOLEAN:
            if value_type is not bool:
                self.mismatch(value, site)
        elif kind is Kind.NUMBER:
            if value_type is not int and value_type is not float:
                self.mismatch(value, site)
        elif kind is Kind.BYTES:
            if value_type is not str:
                self.mismatch(value, site)
            elif not self.first_error:
                self.first_error = goformats.base64_error(value) or ""
        elif kind is Kind.TIME or kind is Kind.MICRO_TIME:
            _check_time(value, micro=kind is Kind.MICRO_TIME)
        elif kind is Kind.INT_OR_STRING:
            _check_int_or_string(value)
        elif kind is Kind.QUANTITY:
            _check_quantity(value)


def _check_time(value: Any, *, micro: bool) -> None:
    """``metav1.Time``/``MicroTime.UnmarshalJSON``: a JSON string that parses as RFC 3339."""
    if type(value) is not str:
        raise _Fatal(f"json: cannot unmarshal {json_kind(value)} into Go value of type string")
    problem = goformats.time_error(value, micro=micro)
    if problem:
        raise _Fatal(problem)


def _check_int_or_string(value: Any) -> None:
    """``intstr.IntOrString.UnmarshalJSON``: a string, or JSON that decodes into an ``int32``."""
    if type(value) is str or (type(value) is int and _INT_RANGES[32][0] <= value <= _INT_RANGES[32][1]):
        return
    what = json_kind(value)
    if what == "number":
        what += " " + _number_literal(value)
    raise _Fatal(f"json: cannot unmarshal {what} into Go value of type int32")


def _check_quantity(value: Any) -> None:
    """``resource.Quantity.UnmarshalJSON``: a string or number that parses as a quantity."""
    if type(value) is str:
        text = value.strip()
    elif type(value) is int or type(value) is float:
        text = _number_literal(value)
    else:
        text = orjson.dumps(value).decode()
    problem = goformats.quantity_error(text)
    if problem:
        raise _Fatal(problem)
