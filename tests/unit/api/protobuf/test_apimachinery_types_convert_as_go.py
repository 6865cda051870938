"""apimachinery's types with their own JSON form (times, durations, quantities, int-or-strings, embedded JSON)
and Go's inlined struct fields convert as their Go ``MarshalJSON`` writes them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api.protobuf import apimachinery, catalog, to_json
from tests.unit.api.protobuf.protobuf_bodies import CORE, META, message

_INT64 = (-(2**63), 2**63 - 1)


def _convert(full_name: str, fields: dict[str, Any]) -> dict[str, Any]:
    return to_json.JsonConverter(catalog.load()).to_json(message(full_name, fields))


def _special(type_name: str, fields: dict[str, Any]) -> Any:
    return apimachinery.SPECIAL_TYPES[type_name](message(type_name, fields))


@pytest.mark.parametrize(("nanoseconds", "text"), [
    pytest.param(0, "0s", id="zero"),
    pytest.param(1, "1ns", id="ns"),
    pytest.param(1_100, "1.1µs", id="us"),
    pytest.param(2_200_000, "2.2ms", id="ms"),
    pytest.param(3_300_000_000, "3.3s", id="s"),
    pytest.param(245_000_000_000, "4m5s", id="m"),
    pytest.param(245_001_000_000, "4m5.001s", id="m-fraction"),
    pytest.param(18_367_001_000_000, "5h6m7.001s", id="h"),
    pytest.param(3_600_000_000_000, "1h0m0s", id="whole-hour"),
    pytest.param(480_000_000_001, "8m0.000000001s", id="ns-in-minutes"),
    pytest.param(-1, "-1ns", id="negative"),
    pytest.param(_INT64[1], "2562047h47m16.854775807s", id="max"),
    pytest.param(_INT64[0], "-2562047h47m16.854775808s", id="min"),
])
def test_duration_strings_match_go(nanoseconds: int, text: str) -> None:
    """``metav1.Duration`` is written with Go's ``time.Duration.String()``."""
    assert _special(f"{META}.Duration", {"duration": str(nanoseconds)}) == text


_UNITS = {"h": 3_600_000_000_000, "m": 60_000_000_000, "s": 1_000_000_000, "ms": 1_000_000, "µs": 1_000, "ns": 1}


def _parse_go_duration(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    total = 0
    for number, unit in re.findall(r"([0-9.]+)(h|ms|µs|ns|m|s)", text.lstrip("-")):
        whole, _, fraction = number.partition(".")
        total += int(whole) * _UNITS[unit] + int(fraction or "0") * _UNITS[unit] // 10 ** len(fraction)
    return sign * total


@given(st.integers(min_value=_INT64[0], max_value=_INT64[1]))
def test_duration_strings_read_back_to_the_same_nanoseconds(nanoseconds: int) -> None:
    """Every duration's string states exactly its nanoseconds."""
    assert _parse_go_duration(apimachinery.go_duration(nanoseconds)) == nanoseconds


@pytest.mark.parametrize(("type_name", "fields", "expected"), [
    pytest.param("Time", {}, None, id="time-empty-is-null"),
    pytest.param("Time", {"seconds": "-62135596800"}, None, id="time-go-zero-is-null"),
    pytest.param("Time", {"seconds": "0"}, "1970-01-01T00:00:00Z", id="time-epoch"),
    pytest.param("Time", {"seconds": "-1", "nanos": 999_999_999}, "1969-12-31T23:59:59Z", id="time-drops-nanos"),
    pytest.param("Time", {"seconds": "-62135596799"}, "0001-01-01T00:00:01Z", id="time-year-one"),
    pytest.param("MicroTime", {}, None, id="micro-empty-is-null"),
    pytest.param("MicroTime", {"seconds": "-62135596800", "nanos": 999}, None, id="micro-go-zero-below-1us"),
    pytest.param("MicroTime", {"seconds": "1700000000", "nanos": 1999}, "2023-11-14T22:13:20.000001Z",
                 id="micro-truncates"),
    pytest.param("MicroTime", {"seconds": "-1", "nanos": 500_000}, "1969-12-31T23:59:59.000500Z",
                 id="micro-before-epoch"),
    pytest.param("MicroTime", {"seconds": "1700000000", "nanos": -1500}, "2023-11-14T22:13:19.999999Z",
                 id="micro-negative-nanos-truncate-toward-zero"),
])
def test_times_are_rfc3339_or_null(type_name: str, fields: dict[str, Any], expected: str | None) -> None:
    """Times are UTC RFC 3339 (seconds, or microseconds for MicroTime); Go's zero time is ``null``."""
    assert _special(f"{META}.{type_name}", fields) == expected


@pytest.mark.parametrize(("fields", "expected"), [
    pytest.param({"type": "0", "intVal": 8080}, 8080, id="int"),
    pytest.param({"type": "0", "intVal": 0, "strVal": ""}, 0, id="zero-int"),
    pytest.param({"type": "1", "strVal": "http"}, "http", id="string"),
])
def test_int_or_string_is_its_int_or_its_string(fields: dict[str, Any], expected: int | str) -> None:
    """An IntOrString is the value its type names; ``targetPort`` shows it inside a ServicePort."""
    port = _convert(f"{CORE}.ServicePort", {"name": "", "port": 80, "targetPort": fields})
    assert port == {"port": 80, "targetPort": expected}


@pytest.mark.parametrize(("fields", "expected"), [
    pytest.param({"string": "1500m"}, "1500m", id="as-sent"),
    pytest.param({}, "0", id="unset-is-zero"),
])
def test_quantity_is_its_string(fields: dict[str, Any], expected: str) -> None:
    """A Quantity is its string; an unset one is Go's zero quantity."""
    assert _special("k8s.io.apimachinery.pkg.api.resource.Quantity", fields) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param("eyJhIjpbMSwibiJdfQ==", {"a": [1, "n"]}, id="object"),
    pytest.param("", None, id="empty-is-null"),
])
def test_raw_extension_is_its_json_document(raw: str, expected: Any) -> None:
    """A RawExtension is the JSON document it carries."""
    assert _special("k8s.io.apimachinery.pkg.runtime.RawExtension", {"raw": raw}) == expected


def test_verbs_are_a_list() -> None:
    """``metav1.Verbs`` (a named slice in Go) is a JSON list."""
    assert _special(f"{META}.Verbs", {"items": ["get", "list"]}) == ["get", "list"]


def test_inlined_struct_fields_merge_into_their_parent() -> None:
    """Go's ``json:",inline"`` fields (Volume.volumeSource, then ConfigMapVolumeSource's reference) flatten."""
    volume = {"name": "config", "volumeSource": {"configMap": {"localObjectReference": {"name": "settings"},
                                                               "defaultMode": 420}}}
    assert _convert(f"{CORE}.Volume", volume) == {"name": "config",
                                                  "configMap": {"name": "settings", "defaultMode": 420}}


def test_probe_handler_is_inlined() -> None:
    """A probe's handler fields sit beside its timings, as in the Go JSON."""
    probe = {"handler": {"httpGet": {"path": "/healthz", "port": {"type": "1", "strVal": "http"}}},
             "periodSeconds": 10}
    assert _convert(f"{CORE}.Probe", probe) == {"httpGet": {"path": "/healthz", "port": "http"},
                                                "periodSeconds": 10}
