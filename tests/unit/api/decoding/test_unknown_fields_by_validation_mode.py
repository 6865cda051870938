"""Unknown and duplicate fields under fieldValidation Strict, Warn and Ignore, named by their paths as kube
does."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api import decoding
from tests.unit.api.decoding.decoding_helpers import Decode, DecodeError


@pytest.mark.parametrize(("obj", "kind", "paths"), [
    pytest.param({"x": 1}, "ConfigMap", ["x"], id="top-level"),
    pytest.param({"metadata": {"name": "a", "nme": "b"}}, "ConfigMap", ["metadata.nme"], id="in-object-meta"),
    pytest.param({"Metadata": {}}, "ConfigMap", ["Metadata"], id="names-are-case-sensitive"),
    pytest.param({"spec": {"holderIdentity": "a", "holder": "b"}}, "Lease", ["spec.holder"], id="in-spec"),
    pytest.param({"metadata": {"ownerReferences": [{"uid": "u"}, {"uid": "v", "x": 1}]}}, "ConfigMap",
                 ["metadata.ownerReferences[1].x"], id="in-a-list-item"),
    pytest.param({"metadata": {"managedFields": [{"fieldsV1": {"f:data": {"f:a": {}}}, "extra": 1}]}},
                 "ConfigMap", ["metadata.managedFields[0].extra"], id="fieldsV1-is-opaque"),
    pytest.param({"spec": {"foo": {"bar": 1}}, "x": {"y": 2}}, "Namespace", ["spec.foo", "x"],
                 id="every-unknown-field-once-not-its-children"),
])
def test_strict_rejects_unknown_fields_listing_every_path(decode_error: DecodeError, obj: dict[str, Any],
                                                          kind: str, paths: list[str]) -> None:
    """Strict answers 400 with kube's strict decoding error naming each unknown field by its path."""
    error = decode_error(obj, kind)
    listed = ", ".join(f'unknown field "{p}"' for p in paths)
    assert error.cause == f"strict decoding error: {listed}"
    assert error.strict_errors == tuple(f'unknown field "{p}"' for p in paths)


def test_strict_error_is_framed_like_kubes_decode_error(decode_error: DecodeError) -> None:
    """The message reads as kube-apiserver's: kind and version first, then the strict decoding error."""
    error = decode_error({"spec": {"foo": 1}, "x": 2}, "Namespace")
    assert error.message == ('Namespace in version "v1" cannot be handled as a Namespace: '
                             'strict decoding error: unknown field "spec.foo", unknown field "x"')


def test_warn_prunes_unknown_fields_and_returns_one_warning_each(decode: Decode) -> None:
    """Warn removes unknown fields and returns kube's warning text for each."""
    obj = {"metadata": {"name": "a", "nme": "b"}, "data": {"k": "v"}, "x": 1}
    warnings = decode(obj, "ConfigMap", "Warn")
    assert warnings == ['unknown field "metadata.nme"', 'unknown field "x"']
    assert obj == {"metadata": {"name": "a"}, "data": {"k": "v"}}


def test_ignore_prunes_unknown_fields_silently(decode: Decode) -> None:
    """Ignore removes unknown fields and returns no warnings."""
    obj = {"spec": {"holderIdentity": "a", "holder": "b"}, "x": 1}
    assert decode(obj, "Lease", "Ignore") == []
    assert obj == {"spec": {"holderIdentity": "a"}}


@pytest.mark.parametrize("mode", ["Strict", "Warn", "Ignore"])
def test_known_fields_pass_in_every_mode(decode: Decode, mode: decoding.FieldValidation) -> None:
    """An object with only declared fields is accepted unchanged whatever the mode."""
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": {"app": "web"}},
           "data": {"k": "v"}, "immutable": False}
    expected = {**obj}
    assert decode(obj, "ConfigMap", mode) == []
    assert obj == expected


def test_strict_lists_duplicates_after_unknown_fields(decode_error: DecodeError) -> None:
    """Duplicate fields found in the body join the strict error, after the unknown fields."""
    error = decode_error({"data": {"a": "1"}, "x": 1}, "ConfigMap", ["data.a"])
    assert error.cause == 'strict decoding error: unknown field "x", duplicate field "data.a"'


def test_duplicates_inside_unknown_fields_are_not_reported(decode_error: DecodeError) -> None:
    """Go skips an unknown field's value, so duplicates within it (or of it) go unreported."""
    error = decode_error({"metadata": {"foo": {"a": 1}}}, "ConfigMap", ["metadata.foo.a", "metadata.foo"])
    assert error.cause == 'strict decoding error: unknown field "metadata.foo"'


def test_warn_returns_duplicate_field_warnings(decode: Decode) -> None:
    """Warn reports each duplicated field once as a warning."""
    warnings = decode({"data": {"a": "1"}}, "ConfigMap", "Warn", ["data.a", "data.a"])
    assert warnings == ['duplicate field "data.a"']


def test_ignore_drops_duplicate_reports(decode: Decode) -> None:
    """Ignore accepts duplicates (the last value has already won) without warnings."""
    assert decode({"data": {"a": "1"}}, "ConfigMap", "Ignore", ["data.a"]) == []


def test_type_errors_win_over_strict_errors(decode_error: DecodeError) -> None:
    """Like Go, a body with a type error reports that error only, not its unknown fields."""
    error = decode_error({"x": 1, "data": {"a": 1}}, "ConfigMap")
    assert error.strict_errors == ()
    assert "cannot unmarshal number" in error.cause


def test_strict_errors_are_capped_at_one_hundred(decode_error: DecodeError) -> None:
    """kube keeps at most 100 strict errors."""
    error = decode_error({f"x{i}": i for i in range(150)}, "ConfigMap")
    assert len(error.strict_errors) == 100
