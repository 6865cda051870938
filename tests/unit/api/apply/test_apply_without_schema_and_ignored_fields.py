"""Schema-less objects (maps granular, lists atomic), and fields the caller tells apply to ignore."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.apply import manager
from gitplane.api.errors import APIError
from gitplane.api.schema import Schema
from tests.unit.api.apply.apply_helpers import T1, T2, T3, fields_of, widget


def apply_raw(live: dict[str, Any] | None, config: dict[str, Any], *, name: str = "alice",
              now: str = T1) -> dict[str, Any]:
    return manager.apply(live, config, manager=name, force=False, schema=None, api_version="example.com/v1",
                         now=now)


def test_without_a_schema_maps_are_granular_and_lists_atomic() -> None:
    """Every key of a schema-less map is its own field; lists are leaves."""
    obj = apply_raw(None, widget({"nested": {"a": 1}, "items": [{"name": "x"}]}))
    assert fields_of(obj, "alice") == {"f:spec": {".": {}, "f:items": {}, "f:nested": {".": {}, "f:a": {}}}}


def test_without_a_schema_two_appliers_share_a_map_key_by_key() -> None:
    """Granular maps let two appliers own different keys of one map."""
    live = apply_raw(None, widget({"nested": {"a": 1}}))
    obj = apply_raw(live, widget({"nested": {"b": 2}}), name="bob", now=T2)
    assert obj["spec"]["nested"] == {"a": 1, "b": 2}


def test_without_a_schema_changing_a_list_conflicts() -> None:
    """Lists are atomic: changing one element conflicts with the list's owner."""
    live = apply_raw(None, widget({"items": [1, 2]}))
    with pytest.raises(APIError) as caught:
        apply_raw(live, widget({"items": [1, 3]}), name="bob", now=T2)
    assert caught.value.message == 'Apply failed with 1 conflict: conflict with "alice": .spec.items'


def test_preserved_unknown_fields_are_deduced(widget_schema: Schema) -> None:
    """Below ``x-kubernetes-preserve-unknown-fields`` values are owned as without a schema."""
    config = widget({"extra": {"free": {"x": 1}, "list": [1]}})
    obj = manager.apply(None, config, manager="alice", force=False, schema=widget_schema,
                        api_version="example.com/v1", now=T1)
    assert fields_of(obj, "alice") == {"f:spec": {"f:extra": {"f:free": {".": {}, "f:x": {}}, "f:list": {}}}}


def test_ignored_fields_are_owned_by_nobody(widget_schema: Schema) -> None:
    """``status`` ignored (main resource of a type with a status subresource): not owned, no conflicts."""
    def write(live: dict[str, Any] | None, config: dict[str, Any], name: str, now: str) -> dict[str, Any]:
        return manager.apply(live, config, manager=name, force=False, schema=widget_schema,
                             api_version="example.com/v1", now=now, ignored=[("status",)])

    live = write(None, {**widget({"size": 1}), "status": {"phase": "A"}}, "alice", T1)
    assert fields_of(live, "alice") == {"f:spec": {"f:size": {}}}
    obj = write(live, {**widget({"color": "red"}), "status": {"phase": "B"}}, "bob", T2)
    assert obj["status"] == {"phase": "B"}  # the caller resets ignored values as its strategy requires
    assert fields_of(obj, "bob") == {"f:spec": {"f:color": {}}}


def test_ignored_fields_changed_by_an_update_are_not_recorded(widget_schema: Schema) -> None:
    """A status change through the main resource gives nobody ownership."""
    live = manager.update(None, widget({"size": 1}), manager="ctrl", schema=widget_schema,
                          api_version="example.com/v1", now=T1)
    obj = manager.update(live, {**live, "status": {"phase": "A"}}, manager="other", schema=widget_schema,
                         api_version="example.com/v1", now=T3, ignored=[("status",)])
    assert [e["manager"] for e in obj["metadata"]["managedFields"]] == ["ctrl"]
