"""The Go format checks on their own: RFC 3339 as ``time.Parse`` reads it, standard base64 as Go decodes it,
and quantities as ``resource.ParseQuantity`` reads them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api import goformats

LAYOUT = '"2006-01-02T15:04:05Z07:00"'


def out_of_range(value: str, what: str) -> str:
    return f'parsing time "{value}": {what} out of range'


@pytest.mark.parametrize(("value", "error"), [
    pytest.param("2024-01-01T00:00:00Z", None, id="utc"),
    pytest.param("2024-01-01T1:02:03Z", None, id="go-accepts-a-one-digit-hour"),
    pytest.param("2024-01-01T00:00:00,5Z", None, id="comma-fraction"),
    pytest.param("2024-13-01T00:00:00Z", out_of_range("2024-13-01T00:00:00Z", "month"), id="month"),
    pytest.param("2024-01-01T24:00:00Z", out_of_range("2024-01-01T24:00:00Z", "hour"), id="hour"),
    pytest.param("2024-01-01T00:60:00Z", out_of_range("2024-01-01T00:60:00Z", "minute"), id="minute"),
    pytest.param("2023-02-29T00:00:00Z", out_of_range("2023-02-29T00:00:00Z", "day"), id="leap-day"),
    pytest.param("2024-01-01T00:00:00+25:00",
                 out_of_range("2024-01-01T00:00:00+25:00", "time zone offset hour"), id="offset"),
    pytest.param("2024-01-01T00:00:00",
                 f'parsing time "2024-01-01T00:00:00" as {LAYOUT}: cannot parse "" as "Z07:00"',
                 id="no-zone"),
    pytest.param("2024-01-01T00:00:00z",
                 f'parsing time "2024-01-01T00:00:00z" as {LAYOUT}: cannot parse "z" as "Z07:00"',
                 id="lowercase-z"),
    pytest.param("2024-01-01T00:00:00Zjunk", 'parsing time "2024-01-01T00:00:00Zjunk": extra text: "junk"',
                 id="extra-text"),
    pytest.param("2024-1-01T00:00:00Z",
                 f'parsing time "2024-1-01T00:00:00Z" as {LAYOUT}: cannot parse "1-01T00:00:00Z" as "01"',
                 id="one-digit-month"),
    pytest.param('"\n', f'parsing time "\\"\\x0a" as {LAYOUT}: cannot parse "\\"\\x0a" as "2006"',
                 id="quoted-like-go"),
])
def test_time_errors_read_as_time_parse(value: str, error: str | None) -> None:
    """Errors name the failing layout element or range as Go's ``time.Parse`` does."""
    assert goformats.time_error(value) == error


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
       st.integers(min_value=-23 * 60, max_value=23 * 60), st.booleans())
def test_any_rfc3339_time_parses(moment: datetime, offset_minutes: int, utc: bool) -> None:
    """Every RFC 3339 rendering of a time is accepted, with or without microseconds."""
    zone = UTC if utc else timezone(timedelta(minutes=offset_minutes))
    text = moment.replace(tzinfo=zone).isoformat().replace("+00:00", "Z" if utc else "+00:00")
    assert goformats.time_error(text) is None
    micro = moment.replace(tzinfo=zone).isoformat(timespec="microseconds")
    assert goformats.time_error(micro, micro=True) is None


@given(st.binary(max_size=64), st.lists(st.integers(min_value=0, max_value=100), max_size=4))
def test_any_standard_base64_is_accepted_even_with_line_breaks(data: bytes, breaks: list[int]) -> None:
    """Go accepts padded standard base64 and skips CR and LF anywhere in it."""
    text = base64.b64encode(data).decode()
    for position in sorted(breaks, reverse=True):
        text = text[:position] + "\r\n" + text[position:]
    assert goformats.base64_error(text) is None


@given(st.binary(min_size=3, max_size=48), st.data())
def test_a_foreign_character_is_reported_at_its_byte_offset(data: bytes, draw: st.DataObject) -> None:
    """A character outside the alphabet is reported at its offset when nothing before it is wrong."""
    text = base64.b64encode(data).decode().rstrip("=")
    position = draw.draw(st.integers(min_value=0, max_value=len(text) - 1))
    broken = text[:position] + "!" + text[position + 1:]
    assert goformats.base64_error(broken) == f"illegal base64 data at input byte {position}"


@pytest.mark.parametrize(("text", "error"), [
    pytest.param("aGk", "illegal base64 data at input byte 0", id="unpadded-tail-of-three"),
    pytest.param("a", "illegal base64 data at input byte 0", id="single-character"),
    pytest.param("aGk==", "illegal base64 data at input byte 4", id="too-much-padding"),
    pytest.param("aG=", "illegal base64 data at input byte 3", id="missing-second-pad"),
    pytest.param("aG=x", "illegal base64 data at input byte 2", id="pad-then-data"),
    pytest.param("=aGk", "illegal base64 data at input byte 0", id="leading-pad"),
    pytest.param("aGk= ", "illegal base64 data at input byte 4", id="trailing-space"),
])
def test_base64_errors_report_gos_offsets(text: str, error: str) -> None:
    """Padding errors are reported at the offsets Go's decoder reports."""
    assert goformats.base64_error(text) == error


@given(st.from_regex(r"[+-]?[0-9]{1,6}(\.[0-9]{1,3})?([numkMGTPE]|[KMGTPE]i|[eE][+-]?[0-9]{1,2})?",
                     fullmatch=True))
def test_well_formed_quantities_parse(text: str) -> None:
    """Numbers with an optional decimal, binary or exponent suffix are quantities."""
    assert goformats.quantity_error(text) is None


@pytest.mark.parametrize(("text", "error"), [
    pytest.param("", goformats.QUANTITY_FORMAT_ERROR, id="empty"),
    pytest.param("1 Gi", goformats.QUANTITY_FORMAT_ERROR, id="space"),
    pytest.param("1GiB", goformats.QUANTITY_FORMAT_ERROR, id="unknown-letter"),
    pytest.param("1.2.3", goformats.QUANTITY_FORMAT_ERROR, id="two-points"),
    pytest.param("1kk", goformats.QUANTITY_SUFFIX_ERROR, id="doubled-suffix"),
    pytest.param("1e", goformats.QUANTITY_SUFFIX_ERROR, id="exponent-without-digits"),
    pytest.param("1" * 100_000 + "x", goformats.QUANTITY_FORMAT_ERROR, id="long-input-is-linear"),
])
def test_malformed_quantities_fail_as_parse_quantity(text: str, error: str) -> None:
    """Format and suffix errors carry resource.ParseQuantity's messages."""
    assert goformats.quantity_error(text) == error
