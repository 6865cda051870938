"""apimachinery's types whose JSON is not their protobuf shape, converted as their Go ``MarshalJSON`` does.

On the wire these are small messages; in JSON they are strings, numbers or embedded documents:

    meta.v1.Time        {seconds, nanos}       -> "2006-01-02T15:04:05Z"  (nanos dropped, as Time.Unmarshal does)
    meta.v1.MicroTime   {seconds, nanos}       -> "2006-01-02T15:04:05.000000Z"  (nanos truncated to µs)
    meta.v1.Duration    {duration}             -> Go's time.Duration.String(): "1h2m3.5s", "1.5µs", "0s"
    meta.v1.FieldsV1    {Raw}                  -> the JSON object Raw holds
    meta.v1.Verbs       {items}                -> the list (a named slice type in Go)
    runtime.RawExtension {raw}                 -> the JSON value raw holds
    resource.Quantity   {string}               -> the string ("0" when unset)
    intstr.IntOrString  {type, intVal, strVal} -> intVal (type 0) or strVal (type 1)

Each converter returns the JSON value, or ``None`` where Go writes ``null`` (a zero time, an empty raw
document): a field holding ``null`` is left out, as kube's decoder drops it. Bad input raises ``ValueError``
with a message for the request's 400.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

import orjson
from google.protobuf import message

JsonOf = Callable[[message.Message], Any]

_META = "k8s.io.apimachinery.pkg.apis.meta.v1"
_EPOCH: Final = datetime(1970, 1, 1)
_GO_ZERO_TIME_SECONDS: Final = -62_135_596_800  # 0001-01-01T00:00:00Z, Go's zero time.Time, written as null
_NANOS_PER_SECOND: Final = 1_000_000_000


def _time(value: Any) -> str | None:
    if not value.ByteSize():  # Go writes a zero Time as an empty message
        return None
    seconds = value.seconds
    if seconds == _GO_ZERO_TIME_SECONDS:
        return None
    try:
        return (_EPOCH + timedelta(seconds=seconds)).isoformat() + "Z"
    except OverflowError:
        raise ValueError(f"meta.v1.Time seconds {seconds} are outside years 1 to 9999") from None


def _micro_time(value: Any) -> str | None:
    if not value.ByteSize():
        return None
    nanos = value.nanos
    micros = nanos // 1000 if nanos >= 0 else -(-nanos // 1000)  # Go truncates toward zero
    total = value.seconds * 1_000_000 + micros
    if total == _GO_ZERO_TIME_SECONDS * 1_000_000:
        return None
    try:
        return (_EPOCH + timedelta(microseconds=total)).isoformat(timespec="microseconds") + "Z"
    except OverflowError:
        raise ValueError(f"meta.v1.MicroTime seconds {value.seconds} are outside years 1 to 9999") from None


def go_duration(nanoseconds: int) -> str:
    """Go's ``time.Duration.String()`` of a duration in nanoseconds."""
    if nanoseconds == 0:
        return "0s"
    sign = "-" if nanoseconds < 0 else ""
    magnitude = abs(nanoseconds)
    if magnitude < 1_000:
        return f"{sign}{magnitude}ns"
    if magnitude < 1_000_000:
        return f"{sign}{_decimal(magnitude, 3)}µs"
    if magnitude < _NANOS_PER_SECOND:
        return f"{sign}{_decimal(magnitude, 6)}ms"
    whole_seconds, fraction = divmod(magnitude, _NANOS_PER_SECOND)
    minutes, seconds = divmod(whole_seconds, 60)
    text = _decimal(seconds * _NANOS_PER_SECOND + fraction, 9) + "s"
    if minutes:
        hours, minutes = divmod(minutes, 60)
        text = f"{hours}h{minutes}m{text}" if hours else f"{minutes}m{text}"
    return sign + text


def _decimal(value: int, digits: int) -> str:
    """``value / 10**digits`` without trailing zeros (nor a point when whole), as Go's fmtFrac writes it."""
    whole, fraction = divmod(value, 10**digits)
    return f"{whole}.{fraction:0{digits}d}".rstrip("0") if fraction else str(whole)


def _duration(value: Any) -> str:
    return go_duration(value.duration)


def _embedded_json(type_name: str) -> JsonOf:
    def convert(value: Any) -> Any:
        raw = value.raw if type_name == "runtime.RawExtension" else value.Raw
        if not raw:
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"{type_name} does not hold a JSON document: {exc}") from None
    return convert


def _quantity(value: Any) -> str:
    return value.string if value.HasField("string") else "0"


def _int_or_string(value: Any) -> int | str:
    kind = value.type
    if kind == 0:
        return int(value.intVal)
    if kind == 1:
        return str(value.strVal)
    raise ValueError(f"intstr.IntOrString has the impossible type {kind} (0 is int, 1 is string)")


def _items(value: Any) -> list[Any]:
    return list(value.items)


SPECIAL_TYPES: Final[dict[str, JsonOf]] = {
    f"{_META}.Time": _time,
    f"{_META}.MicroTime": _micro_time,
    f"{_META}.Duration": _duration,
    f"{_META}.FieldsV1": _embedded_json("meta.v1.FieldsV1"),
    f"{_META}.Verbs": _items,
    "k8s.io.apimachinery.pkg.runtime.RawExtension": _embedded_json("runtime.RawExtension"),
    "k8s.io.apimachinery.pkg.api.resource.Quantity": _quantity,
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": _int_or_string,
}
"""JSON converters by full message name. A named slice type of an added package (authentication's
``ExtraValue``) belongs here beside ``Verbs``."""
