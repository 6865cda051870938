"""Bodies captured from kubectl 1.33 (``create namespace|configmap|secret generic|serviceaccount``) decode to
the objects a JSON client would send: Go's always-written zero fields leave no trace."""

from __future__ import annotations

from typing import Any

import pytest

from gitplane.api.protobuf import envelope

# kubectl.1.33 create namespace team-a
NAMESPACE = ("6b3873000a0f0a02763112094e616d657370616365121e0a160a067465616d2d6112001a0022002a00320038004200120"
             "01a020a001a002200")
# kubectl.1.33 -n team-a create configmap settings --from-literal=mode=fast --from-literal=empty=
#   --from-file=blob=<the bytes "bin\x00\xff">
CONFIGMAP = ("6b3873000a0f0a0276311209436f6e6669674d617012480a1e0a0873657474696e677312001a067465616d2d6122002a0032"
             "003800420012090a05656d7074791200120c0a046d6f64651204666173741a0d0a04626c6f62120562696e00ff1a002200")
# kubectl.1.33 -n team-a create secret generic creds --from-literal=password=hunter2
SECRET = ("6b3873000a0c0a027631120653656372657412340a1b0a05637265647312001a067465616d2d6122002a00320038004200"
          "12130a0870617373776f7264120768756e746572321a001a002200")
# kubectl.1.33 -n team-a create serviceaccount builder
SERVICEACCOUNT = ("6b3873000a140a027631120e536572766963654163636f756e74121f0a1d0a076275696c64657212001a067465616d2d61"
                  "22002a003200380042001a002200")


@pytest.mark.parametrize(("hex_body", "expected"), [
    pytest.param(NAMESPACE, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"},
                             "spec": {}, "status": {}}, id="namespace"),
    pytest.param(CONFIGMAP, {"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "settings", "namespace": "team-a"},
                             "data": {"empty": "", "mode": "fast"}, "binaryData": {"blob": "YmluAP8="}},
                 id="configmap"),
    pytest.param(SECRET, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "team-a"},
                          "data": {"password": "aHVudGVyMg=="}}, id="secret"),
    pytest.param(SERVICEACCOUNT, {"apiVersion": "v1", "kind": "ServiceAccount",
                                  "metadata": {"name": "builder", "namespace": "team-a"}}, id="serviceaccount"),
])
def test_kubectl_body_decodes_to_the_json_object(hex_body: str, expected: dict[str, Any]) -> None:
    """A body kubectl sent decodes to exactly the JSON kube's serializer writes for the same object."""
    assert envelope.decode(bytes.fromhex(hex_body)) == expected
