"""Quantities parse, compare and print as kube's resource.Quantity (cases from kube's quantity_test.go)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api import quantity
from gitplane.api.quantity import Quantity


@pytest.mark.parametrize(("unscaled", "scale", "fmt", "text"), [
    pytest.param(1024 * 1024 * 1024, 0, quantity.BINARY_SI, "1Gi", id="1Gi"),
    pytest.param(300 * 1024 * 1024, 0, quantity.BINARY_SI, "300Mi", id="300Mi"),
    pytest.param(6 * 1024, 0, quantity.BINARY_SI, "6Ki", id="6Ki"),
    pytest.param(1001 * 1024**3, 0, quantity.BINARY_SI, "1001Gi", id="1001Gi"),
    pytest.param(1024**4, 0, quantity.BINARY_SI, "1Ti", id="1Ti"),
    pytest.param(5, 0, quantity.BINARY_SI, "5", id="small-binary-is-decimal"),
    pytest.param(500, -3, quantity.BINARY_SI, "500m", id="fractional-binary-is-decimal"),
    pytest.param(1, 9, quantity.DECIMAL_SI, "1G", id="1G"),
    pytest.param(1000, 6, quantity.DECIMAL_SI, "1G", id="1000M"),
    pytest.param(1000000000, 0, quantity.DECIMAL_SI, "1G", id="1e9"),
    pytest.param(1, -3, quantity.DECIMAL_SI, "1m", id="1m"),
    pytest.param(1080, -3, quantity.DECIMAL_SI, "1080m", id="1080m"),
    pytest.param(108, -2, quantity.DECIMAL_SI, "1080m", id="108e-2"),
    pytest.param(10800, -4, quantity.DECIMAL_SI, "1080m", id="10800e-4"),
    pytest.param(1234567, 6, quantity.DECIMAL_SI, "1234567M", id="1234567M"),
    pytest.param(1234567, -3, quantity.BINARY_SI, "1234567m", id="binary-with-fraction"),
    pytest.param(1025, 0, quantity.BINARY_SI, "1025", id="1025"),
    pytest.param(0, 0, quantity.BINARY_SI, "0", id="zero"),
    pytest.param(1, 9, quantity.DECIMAL_EXPONENT, "1e9", id="1e9-exponent"),
    pytest.param(1, -3, quantity.DECIMAL_EXPONENT, "1e-3", id="1e-3"),
    pytest.param(80, -3, quantity.DECIMAL_EXPONENT, "80e-3", id="80e-3"),
    pytest.param(300, 6, quantity.DECIMAL_EXPONENT, "300e6", id="300e6"),
    pytest.param(1, -9, quantity.DECIMAL_SI, "1n", id="1n"),
    pytest.param(10800, -10, quantity.DECIMAL_SI, "1080n", id="10800e-10"),
    pytest.param(1080, -6, quantity.DECIMAL_SI, "1080u", id="1080u"),
])
def test_canonical_strings(unscaled: int, scale: int, fmt: str, text: str) -> None:
    """kube's TestQuantityString: the canonical form, its negation, and that it parses back kept verbatim."""
    assert str(Quantity(unscaled, scale, fmt)) == text
    if unscaled:
        assert str(Quantity(-unscaled, scale, fmt)) == "-" + text
    assert Quantity.parse(text).text == text


@pytest.mark.parametrize(("text", "canonical"), [
    pytest.param("1Ki", "1Ki", id="1Ki"),
    pytest.param("1024Mi", "1Gi", id="1024Mi"),
    pytest.param("1000M", "1G", id="1000M"),
    pytest.param(".001Ki", "1024m", id="milli-Ki"),
    pytest.param(".000001Ki", "1024u", id="micro-Ki"),
    pytest.param(".000000001Ki", "1024n", id="nano-Ki"),
    pytest.param(".000000000001Ki", "2n", id="rounded-up-to-nano"),
    pytest.param("1.5Gi", "1536Mi", id="fractional-Gi"),
    pytest.param("0.5", "500m", id="half"),
    pytest.param("1000m", "1", id="1000m"),
    pytest.param("1.0", "1", id="trailing-zero"),
    pytest.param("5.0e3", "5e3", id="exponent"),
    pytest.param("+1", "+1", id="kept-plus-sign"),
    pytest.param("1.", "1.", id="kept-trailing-dot"),
    pytest.param("0.1n", "1n", id="below-nano"),
    pytest.param("1e-20", "1e-9", id="tiny-exponent"),
    pytest.param("123456789012345678901", "123456789012345678901", id="beyond-int64"),
    pytest.param("-0", "0", id="negative-zero"),
])
def test_parse_then_print(text: str, canonical: str) -> None:
    """kube's TestQuantityParseEmit and more: parsing then printing gives kube's string."""
    assert str(Quantity.parse(text)) == canonical


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("", quantity.FORMAT_WRONG, id="empty"),
    pytest.param(" 1", quantity.FORMAT_WRONG, id="leading-blank"),
    pytest.param("1.5.5", quantity.FORMAT_WRONG, id="two-dots"),
    pytest.param("1x", quantity.FORMAT_WRONG, id="unknown-letter"),
    pytest.param("1e", quantity.SUFFIX_WRONG, id="bare-e"),
    pytest.param("1Mm", quantity.SUFFIX_WRONG, id="two-suffixes"),
    pytest.param("1ki", quantity.SUFFIX_WRONG, id="lower-ki"),
])
def test_parse_errors_use_kube_messages(text: str, message: str) -> None:
    """Malformed quantities fail with kube's messages."""
    with pytest.raises(quantity.QuantityError) as caught:
        Quantity.parse(text)
    assert str(caught.value) == message


def test_regex_message_is_kubes() -> None:
    """The format error quotes kube's regular expression."""
    assert quantity.FORMAT_WRONG == ("quantities must match the regular expression "
                                     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


@pytest.mark.parametrize(("value", "text"), [
    pytest.param(" 100m ", "100m", id="blanks-trimmed"),
    pytest.param(2, "2", id="integer"),
    pytest.param(0.5, "500m", id="float"),
])
def test_json_values(value: str | int | float, text: str) -> None:
    """JSON strings (trimmed) and numbers are quantities."""
    assert str(Quantity.from_json(value)) == text


@pytest.mark.parametrize(("first", "second", "order"), [
    pytest.param("1", "1000m", 0, id="equal-across-suffixes"),
    pytest.param("1Ki", "1024", 0, id="binary-equals-decimal"),
    pytest.param("100m", "0.2", -1, id="less"),
    pytest.param("1Gi", "1G", 1, id="greater"),
    pytest.param("-1", "0", -1, id="negative"),
])
def test_comparison(first: str, second: str, order: int) -> None:
    """compare orders quantities by value, whatever their form."""
    assert Quantity.parse(first).compare(Quantity.parse(second)) == order


@pytest.mark.parametrize(("text", "scale", "value"), [
    pytest.param("1500m", 0, 2, id="value-rounds-up"),
    pytest.param("1", -3, 1000, id="milli"),
    pytest.param("-1500m", 0, -2, id="rounds-away-from-zero"),
    pytest.param("10E", -3, 0, id="int64-overflow-is-zero"),
])
def test_scaled_values(text: str, scale: int, value: int) -> None:
    """scaled_value rounds away from zero as kube's ScaledValue."""
    assert Quantity.parse(text).scaled_value(scale) == value


def test_go_syntax_is_kubes_struct_dump() -> None:
    """Quantities in field errors print as Go's %#v of resource.Quantity."""
    assert Quantity.parse("1500m").go_syntax(stringified=False) == (
        'resource.Quantity{i:resource.int64Amount{value:1500, scale:-3}, '
        'd:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}')
    assert Quantity.parse("1000m").go_syntax() == (
        'resource.Quantity{i:resource.int64Amount{value:1000, scale:-3}, '
        'd:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", Format:"DecimalSI"}')


_QUANTITY_TEXTS = st.from_regex(
    r"\A[+-]?[0-9]{0,6}(\.[0-9]{0,4})?(|[numkMGTPE]|[KMGTPE]i|e[+-]?[0-9]{1,2})\Z")


@given(_QUANTITY_TEXTS)
def test_printed_quantities_parse_to_the_same_value(text: str) -> None:
    """Printing a parsed quantity and parsing it again keeps the value."""
    try:
        parsed = Quantity.parse(text)
    except quantity.QuantityError:
        return
    again = Quantity.parse(str(parsed))
    assert again.compare(parsed) == 0
    assert str(again) == str(parsed)


def test_decimal_amounts_beyond_the_suffixes_print_in_exponent_form() -> None:
    """Past ``E`` (and below ``n``) there is no suffix: kube's canonical form is the exponent one, which parses
    back to the same amount (``1000E`` prints as ``1e21``, not as ``1``)."""
    beyond = Quantity(unscaled=1000, scale=18, format=quantity.DECIMAL_SI, text="", big=False)
    assert str(beyond) == "1e21"
    assert Quantity.parse(str(beyond)).compare(beyond) == 0
