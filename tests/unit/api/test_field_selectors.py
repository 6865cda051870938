"""Field selectors parse, escape, match and fail as kube's (cases from kube's fields/selector_test.go)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitplane.api import errors, fields
from gitplane.api.fields import FieldRequirement, FieldSelector


@pytest.mark.parametrize(("text", "printed"), [
    pytest.param("", "", id="empty"),
    pytest.param("x=a,y=b,z=c", "x=a,y=b,z=c", id="equals"),
    pytest.param("x!=a,y=b", "x!=a,y=b", id="not-equals"),
    pytest.param("x==a", "x=a", id="double-equals-reads-as-equals"),
    pytest.param("z=c,x=a", "x=a,z=c", id="terms-sorted"),
    pytest.param("x=", "x=", id="empty-value"),
    pytest.param("x=a\\,b", "x=a\\,b", id="escaped-comma"),
    pytest.param("x=a\\=b\\\\c", "x=a\\=b\\\\c", id="escaped-equals-and-backslash"),
    pytest.param("x=a,", "x=a", id="empty-term-ignored"),
    pytest.param("=", "", id="nothing-on-either-side-drops-out"),
    pytest.param("x=a!b", "x=a!b", id="bang-in-value"),
])
def test_valid_field_selectors_print_canonically(text: str, printed: str) -> None:
    """A valid field selector prints in kube's form."""
    assert str(FieldSelector.parse(text)) == printed


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("x", "invalid selector: 'x'; can't understand 'x'", id="no-operator"),
    pytest.param("a=b,x", "invalid selector: 'a=b,x'; can't understand 'x'", id="second-term-no-operator"),
    pytest.param("x=a=b", "invalid field selector: unescaped character in value: 61", id="unescaped-equals"),
    pytest.param("x=a\\b", "invalid field selector: invalid escape sequence: \\b", id="bad-escape"),
    pytest.param("x=a\\", "invalid field selector: invalid escape sequence: \\", id="trailing-backslash"),
    pytest.param("x in (a)", "invalid selector: 'x in (a)'; can't understand 'x in (a)'", id="set-syntax"),
])
def test_invalid_field_selectors_answer_400(text: str, message: str) -> None:
    """An invalid field selector is a 400 with kube's message."""
    with pytest.raises(errors.APIError) as caught:
        FieldSelector.parse(text)
    assert (caught.value.code, caught.value.message) == (400, message)


def test_parsed_terms_keep_field_operator_and_unescaped_value() -> None:
    """Requirements expose the field, the operator and the unescaped value."""
    assert FieldSelector.parse("b!=x\\,y,a==1").requirements == (
        FieldRequirement("a", fields.EQUALS, "1"), FieldRequirement("b", fields.NOT_EQUALS, "x,y"))


@pytest.mark.parametrize(("text", "values", "matched"), [
    pytest.param("", {"a": "b"}, True, id="empty"),
    pytest.param("metadata.name=web", {"metadata.name": "web"}, True, id="equal"),
    pytest.param("metadata.name=web", {"metadata.name": "db"}, False, id="different"),
    pytest.param("metadata.name!=web", {"metadata.name": "db"}, True, id="not-equal"),
    pytest.param("status.phase=", {}, True, id="missing-field-is-empty"),
    pytest.param("status.phase!=", {}, False, id="missing-field-is-not-non-empty"),
    pytest.param("a=1,b=2", {"a": "1", "b": "3"}, False, id="and"),
])
def test_field_selectors_match(text: str, values: dict[str, str], matched: bool) -> None:
    """Every term must hold; absent fields read as empty strings."""
    assert FieldSelector.parse(text).matches(values) is matched


@pytest.mark.parametrize(("text", "name"), [
    pytest.param("metadata.name=web", "web", id="pinned"),
    pytest.param("metadata.namespace=a,metadata.name==web", "web", id="pinned-among-others"),
    pytest.param("metadata.name!=web", None, id="excluded-is-not-pinned"),
    pytest.param("metadata.namespace=a", None, id="other-field"),
    pytest.param("", None, id="empty"),
])
def test_pinned_name(text: str, name: str | None) -> None:
    """A selector pins one object name only with metadata.name=<name>."""
    assert fields.pinned_name(FieldSelector.parse(text)) == name


def test_check_supported_names_the_first_unsupported_label() -> None:
    """An unsupported label is a 400 'field label not supported'."""
    FieldSelector.parse("metadata.name=a").check_supported({"metadata.name"})
    with pytest.raises(errors.APIError) as caught:
        FieldSelector.parse("spec.x=1,metadata.name=a").check_supported({"metadata.name"})
    assert (caught.value.code, caught.value.message) == (400, "field label not supported: spec.x")


def test_transform_renames_and_drops_terms() -> None:
    """transform rewrites terms and drops those rewritten to nothing, as kube's Transform."""
    selector = FieldSelector.parse("a=1,b=2")
    renamed = selector.transform(lambda field, value: ("", "") if field == "b" else ("x." + field, value))
    assert str(renamed) == "x.a=1"


_FIELDS = st.from_regex(r"\A[a-zA-Z][a-zA-Z.]{0,12}\Z")
_RAW_VALUES = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\0"), max_size=8)


@given(st.lists(st.tuples(_FIELDS, st.sampled_from(["=", "!="]), _RAW_VALUES), max_size=4))
def test_printed_field_selectors_parse_back_to_equal_selectors(
        terms: list[tuple[str, str, str]]) -> None:
    """parse(str(selector)) equals the selector, whatever the values contain."""
    text = ",".join(f"{field}{operator}{fields.escape_value(value)}" for field, operator, value in terms)
    selector = FieldSelector.parse(text)
    assert FieldSelector.parse(str(selector)) == selector


@given(_RAW_VALUES)
def test_escaping_round_trips(value: str) -> None:
    """unescape_value undoes escape_value."""
    assert fields.unescape_value(fields.escape_value(value)) == value
