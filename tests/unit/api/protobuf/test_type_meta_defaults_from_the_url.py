"""Envelopes that leave apiVersion or kind out take them from the URL's type, as kube's gvkWithDefaults does."""

from __future__ import annotations

import pytest

from gitplane.api.protobuf import envelope
from tests.unit.api.protobuf.protobuf_bodies import message, wrap_unknown


def _bare(api_version: str, kind: str) -> bytes:
    unknown = message("k8s.io.apimachinery.pkg.runtime.Unknown", {"typeMeta": {"apiVersion": api_version,
                                                                               "kind": kind}})
    lease = message("k8s.io.api.coordination.v1.Lease", {"spec": {"holderIdentity": "a"}})
    return wrap_unknown(unknown, lease.SerializeToString())


@pytest.mark.parametrize(("api_version", "kind", "expected"), [
    pytest.param("coordination.k8s.io/v1", "Lease", "coordination.k8s.io/v1", id="complete"),
    pytest.param("", "", "coordination.k8s.io/v1", id="both-missing"),
    pytest.param("coordination.k8s.io/", "Lease", "coordination.k8s.io/v1", id="version-missing-same-group"),
])
def test_missing_parts_come_from_the_defaults(api_version: str, kind: str, expected: str) -> None:
    """Missing kind, or version (alone, or with the group when it is the URL's), come from the defaults."""
    decoded = envelope.decode(_bare(api_version, kind), default_api_version="coordination.k8s.io/v1",
                              default_kind="Lease")
    assert (decoded["apiVersion"], decoded["kind"], decoded["spec"]) == (expected, "Lease", {"holderIdentity": "a"})
