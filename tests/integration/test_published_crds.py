"""CRDs as cert-manager, prometheus-operator, Crossplane, Argo CD and Gateway API publish them (tests/data/crds)
install on a real server with kubectl, reach Established, appear in ``kubectl api-resources`` and
``kubectl explain``, accept a valid object and refuse an invalid one naming every bad field."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from tests.integration.conftest import Kubectl
from tests.unit.api.crd.test_published_crds import CASES, DATA

pytestmark = pytest.mark.integration


def crd_of(name: str) -> dict[str, Any]:
    crd: dict[str, Any] = yaml.safe_load((DATA / name).read_text())
    return crd


def custom_object(crd: dict[str, Any], version: str, spec: dict[str, Any], name: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if crd["spec"]["scope"] == "Namespaced":
        metadata["namespace"] = "default"
    return {"apiVersion": f"{crd['spec']['group']}/{version}", "kind": crd["spec"]["names"]["kind"],
            "metadata": metadata, "spec": spec}


@pytest.mark.parametrize("file", sorted(CASES))
def test_a_published_crd_installs_and_validates_its_objects(kubectl: Kubectl, file: str) -> None:
    crd = crd_of(file)
    name, group, plural = crd["metadata"]["name"], crd["spec"]["group"], crd["spec"]["names"]["plural"]
    version, valid, invalid, bad_fields = CASES[file]
    kubectl.run("apply", "--server-side", "--force-conflicts", "-f", str(DATA / file))
    kubectl.run("wait", "--for=condition=Established", f"crd/{name}", "--timeout=30s")
    assert plural in kubectl.run("api-resources", "--api-group", group, "-o", "name").stdout
    assert "spec" in kubectl.run("explain", plural, "--api-version", f"{group}/{version}").stdout

    good = custom_object(crd, version, valid, f"good-{kubectl.binary.name.replace('.', '-')}")
    created = json.loads(kubectl.run("create", "-o", "json", "-f", "-", input=json.dumps(good)).stdout)
    assert created["metadata"]["name"] == good["metadata"]["name"]

    bad = custom_object(crd, version, invalid, f"bad-{kubectl.binary.name.replace('.', '-')}")
    refused = kubectl.run("create", "--validate=false", "-f", "-", input=json.dumps(bad), check=False)
    assert refused.returncode != 0 and "is invalid" in refused.stderr, refused.stderr
    missing = [field for field in bad_fields if f"{field}:" not in refused.stderr]
    assert not missing, f"not named: {missing}\n{refused.stderr}"
