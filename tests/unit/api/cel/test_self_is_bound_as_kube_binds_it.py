"""``self`` is the node's value as kube binds it: maps, lists, scalars, int-or-string, embedded resources."""

from __future__ import annotations

from types import SimpleNamespace

from gitplane.api.cel import compile_schema


def test_int_or_string_accepts_both_kinds(cel: SimpleNamespace) -> None:
    schema = {"type": "object", "properties": {"port": {
        "x-kubernetes-int-or-string": True,
        "x-kubernetes-validations": [{"rule": "type(self) == int ? self > 0 : self.startsWith('p')"}]}}}
    rules = compile_schema(schema, root=False)
    assert rules.errors == ()
    assert cel.messages(rules, {"port": 8080}) == []
    assert cel.messages(rules, {"port": "port"}) == []
    assert cel.messages(rules, {"port": "x"}) == [
        "port: Invalid value: \"\": failed rule: type(self) == int ? self > 0 : self.startsWith('p')"]


def test_number_fields_are_doubles_even_when_written_as_integers(cel: SimpleNamespace) -> None:
    schema = {"type": "object", "properties": {"ratio": {
        "type": "number", "x-kubernetes-validations": [{"rule": "type(self) == double && self <= 1.0"}]}}}
    rules = compile_schema(schema, root=False)
    assert cel.messages(rules, {"ratio": 1}) == []
    assert cel.messages(rules, {"ratio": 2}) == [
        'ratio: Invalid value: "number": failed rule: type(self) == double && self <= 1.0']


def test_embedded_resources_see_kube_metadata_only(cel: SimpleNamespace) -> None:
    schema = {"type": "object", "properties": {"template": {
        "type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True,
        "x-kubernetes-validations": [{"rule": "self.kind == 'Pod' && !('labels' in self.metadata)"}]}}}
    rules = compile_schema(schema, root=False)
    assert rules.errors == ()
    assert cel.messages(rules, {"template": {"kind": "Pod", "metadata": {"name": "a", "labels": {"x": "y"}}}}) == []
    assert len(cel.messages(rules, {"template": {"kind": "Job", "metadata": {"name": "a"}}})) == 1


def test_maps_lists_and_scalars_bind_as_themselves(cel: SimpleNamespace) -> None:
    schema = {"type": "object", "properties": {
        "labels": {"type": "object", "additionalProperties": {"type": "string"},
                   "x-kubernetes-validations": [{"rule": "'app' in self && self['app'] != ''"}]},
        "tags": {"type": "array", "items": {"type": "string"},
                 "x-kubernetes-validations": [{"rule": "self.size() <= 2 && self.all(t, t.size() > 0)"}]},
        "count": {"type": "integer", "x-kubernetes-validations": [{"rule": "self % 2 == 0"}]}}}
    rules = compile_schema(schema, root=False)
    assert cel.messages(rules, {"labels": {"app": "a"}, "tags": ["x"], "count": 2}) == []
    assert [m.split(":")[0] for m in cel.messages(rules, {"labels": {}, "tags": ["a", "b", "c"], "count": 3})] == [
        "labels", "tags", "count"]


def test_date_time_and_duration_strings_are_timestamps_and_durations(cel: SimpleNamespace) -> None:
    schema = {"type": "object", "x-kubernetes-validations": [
        {"rule": "self.start < self.end && self.end - self.start >= self.minimum", "message": "window"},
        {"rule": "self.steps.all(s, s > duration('0s'))", "message": "steps"}],
        "properties": {"start": {"type": "string", "format": "date-time"},
                       "end": {"type": "string", "format": "date-time"},
                       "minimum": {"type": "string", "format": "duration"},
                       "steps": {"type": "array", "items": {"type": "string", "format": "duration"}}}}
    rules = compile_schema(schema, root=False)
    good = {"start": "2024-01-01T00:00:00Z", "end": "2024-01-01T02:00:00+01:00", "minimum": "30m",
            "steps": ["1.5s", "1h2m"]}
    assert cel.messages(rules, good) == []
    short = {**good, "minimum": "2h", "steps": ["-1s"]}
    assert cel.messages(rules, short) == ['<nil>: Invalid value: "object": window',
                                          '<nil>: Invalid value: "object": steps']


def test_go_durations_parse_as_go_does() -> None:
    from datetime import timedelta

    from gitplane.api.cel.values import parse_go_duration
    assert parse_go_duration("1h30m") == timedelta(hours=1, minutes=30)
    assert parse_go_duration("-1.5s") == timedelta(seconds=-1.5)
    assert parse_go_duration("300ms") == timedelta(milliseconds=300)
    assert parse_go_duration("0") == timedelta(0)
    assert parse_go_duration("1d") is None
    assert parse_go_duration("") is None
