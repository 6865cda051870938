"""Events (core and events.k8s.io) and Leases, the objects every Go controller writes in protobuf, decode with
their times in kube's JSON formats and their counters as Go's JSON would write them."""

from __future__ import annotations

from gitplane.api.protobuf import envelope
from tests.unit.api.protobuf.protobuf_bodies import CORE, GO_EMPTY_META, body

_META = {**GO_EMPTY_META, "name": "web.17a", "namespace": "team-a"}
_POD = {"kind": "Pod", "namespace": "team-a", "name": "web", "uid": "4f1c", "apiVersion": "v1",
        "resourceVersion": "", "fieldPath": ""}


def test_core_event_times_counts_and_involved_object() -> None:
    """Time drops nanoseconds, a zero MicroTime and the empty strings Go always writes are left out."""
    fields = {"metadata": _META, "involvedObject": _POD, "reason": "Pulled", "message": "pulled image",
              "source": {"component": "kubelet", "host": "node-1"}, "firstTimestamp": {"seconds": "1700000000"},
              "lastTimestamp": {"seconds": "1700000060", "nanos": 999}, "count": 2, "type": "Normal",
              "eventTime": {}, "action": "", "reportingComponent": "", "reportingInstance": ""}
    assert envelope.decode(body("v1", "Event", f"{CORE}.Event", fields)) == {
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.17a", "namespace": "team-a"},
        "involvedObject": {"kind": "Pod", "namespace": "team-a", "name": "web", "uid": "4f1c", "apiVersion": "v1"},
        "reason": "Pulled", "message": "pulled image", "source": {"component": "kubelet", "host": "node-1"},
        "firstTimestamp": "2023-11-14T22:13:20Z", "lastTimestamp": "2023-11-14T22:14:20Z", "count": 2,
        "type": "Normal"}


def test_core_event_zero_count_is_left_out() -> None:
    """``count`` is a non-pointer ``int32``: Go writes 0 on the wire, and ``omitempty`` leaves it out of JSON."""
    fields = {"metadata": _META, "involvedObject": _POD, "count": 0, "series": {"count": 0,
                                                                               "lastObservedTime": {}}}
    decoded = envelope.decode(body("v1", "Event", f"{CORE}.Event", fields))
    assert "count" not in decoded
    assert decoded["series"] == {}


def test_events_v1_event_time_is_micro_time() -> None:
    """events.k8s.io's eventTime keeps microseconds; deprecated zero fields drop out, structs stay objects."""
    fields = {"metadata": _META, "eventTime": {"seconds": "1700000000", "nanos": 123456789},
              "series": {"count": 3, "lastObservedTime": {"seconds": "1700000100", "nanos": 1000}},
              "reportingController": "example.com/operator", "reportingInstance": "operator-0",
              "action": "Scale", "reason": "Scaled", "regarding": _POD, "note": "scaled to 3", "type": "Normal",
              "deprecatedSource": {"component": "", "host": ""}, "deprecatedFirstTimestamp": {},
              "deprecatedLastTimestamp": {}, "deprecatedCount": 0}
    assert envelope.decode(body("events.k8s.io/v1", "Event", "k8s.io.api.events.v1.Event", fields)) == {
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "web.17a", "namespace": "team-a"},
        "eventTime": "2023-11-14T22:13:20.123456Z",
        "series": {"count": 3, "lastObservedTime": "2023-11-14T22:15:00.000001Z"},
        "reportingController": "example.com/operator", "reportingInstance": "operator-0", "action": "Scale",
        "reason": "Scaled",
        "regarding": {"kind": "Pod", "namespace": "team-a", "name": "web", "uid": "4f1c", "apiVersion": "v1"},
        "note": "scaled to 3", "type": "Normal", "deprecatedSource": {}}


def test_lease_spec_keeps_zero_pointer_ints_and_micro_times() -> None:
    """Every LeaseSpec field is a pointer: ``leaseTransitions: 0`` stays; renew and acquire times are MicroTime."""
    fields = {"metadata": {**_META, "name": "controller-leader"},
              "spec": {"holderIdentity": "pod-a_4f1c", "leaseDurationSeconds": 15,
                       "acquireTime": {"seconds": "1700000000", "nanos": 999999},
                       "renewTime": {"seconds": "1700000010", "nanos": 5_000_000}, "leaseTransitions": 0}}
    assert envelope.decode(body("coordination.k8s.io/v1", "Lease", "k8s.io.api.coordination.v1.Lease", fields)) == {
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": "controller-leader", "namespace": "team-a"},
        "spec": {"holderIdentity": "pod-a_4f1c", "leaseDurationSeconds": 15,
                 "acquireTime": "2023-11-14T22:13:20.000999Z", "renewTime": "2023-11-14T22:13:30.005000Z",
                 "leaseTransitions": 0}}


def test_lease_without_spec_fields_has_an_empty_spec() -> None:
    """A non-pointer struct Go wrote empty is an empty object, as in kube's JSON."""
    fields = {"metadata": {**_META, "name": "l"}, "spec": {}}
    assert envelope.decode(body("coordination.k8s.io/v1", "Lease", "k8s.io.api.coordination.v1.Lease",
                                fields))["spec"] == {}
