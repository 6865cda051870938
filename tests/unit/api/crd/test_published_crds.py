"""Real CRDs as their projects publish them pass the structural checks, and their objects validate as in kube.

The CRDs are under tests/data/crds (sources and commits in its README.md). For each: the CRD passes every
schema check; a typical valid object passes pruning, defaulting and validation untouched by errors; an invalid
one is refused with every bad field named.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import pytest

from gitplane.api import yaml_body
from gitplane.api.crd import prepare_write, validate_crd_schemas

DATA = Path(__file__).parents[3] / "data" / "crds"
CRD_FILES = sorted(p.name for p in DATA.glob("*.yaml"))

CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any], set[str]]] = {
    "cert-manager.io_certificates.yaml": (
        "v1",
        {"secretName": "tls", "issuerRef": {"name": "ca", "kind": "ClusterIssuer"}, "dnsNames": ["example.com"],
         "duration": "2160h", "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
         "usages": ["server auth", "digital signature"], "revisionHistoryLimit": 3},
        {"issuerRef": {"kind": "ClusterIssuer"}, "dnsNames": "example.com",
         "privateKey": {"algorithm": "DSA", "size": "big"}, "usages": ["flying"], "isCA": "yes"},
        {"spec.dnsNames", "spec.isCA", "spec.issuerRef.name", "spec.privateKey.algorithm", "spec.privateKey.size",
         "spec.usages[0]", "spec.secretName"}),
    "monitoring.coreos.com_servicemonitors.yaml": (
        "v1",
        {"selector": {"matchLabels": {"app": "web"}}, "sampleLimit": 1000, "scrapeProtocols": ["PrometheusProto"],
         "endpoints": [{"port": "http", "interval": "30s", "scheme": "https", "path": "/metrics"}]},
        {"endpoints": [{"interval": "soon", "scheme": "gopher"}], "sampleLimit": -1, "bodySizeLimit": "lots",
         "scrapeProtocols": ["PrometheusProto", "PrometheusProto"]},
        {"spec.bodySizeLimit", "spec.endpoints[0].interval", "spec.endpoints[0].scheme", "spec.sampleLimit",
         "spec.selector", "spec.scrapeProtocols[1]"}),
    "monitoring.coreos.com_prometheusrules.yaml": (
        "v1",
        {"groups": [{"name": "g", "interval": "1m", "rules": [
            {"alert": "Down", "expr": "up == 0", "for": "5m", "labels": {"severity": "page"}},
            {"record": "x:y", "expr": 1}]}]},
        {"groups": [{"name": "g", "rules": [{"expr": True, "for": "five minutes"}]}, {"name": "g"}, {"rules": []}]},
        {"spec.groups[0].rules[0].expr", "<nil>", "spec.groups[0].rules[0].for", "spec.groups[2].name",
         "spec.groups[1]"}),
    "apiextensions.crossplane.io_compositions.yaml": (
        "v1",
        {"compositeTypeRef": {"apiVersion": "example.org/v1", "kind": "XDatabase"}, "mode": "Pipeline",
         "pipeline": [{"step": "render", "functionRef": {"name": "function-go-templating"},
                       "input": {"apiVersion": "gotemplating.fn.crossplane.io/v1beta1", "kind": "GoTemplate",
                                 "source": "Inline"}}]},
        {"compositeTypeRef": {"kind": 7}, "mode": "Resources",
         "pipeline": [{"step": "a", "functionRef": {}}, {"step": "a", "functionRef": {"name": "f"}}]},
        {"spec.compositeTypeRef.kind", "spec.compositeTypeRef.apiVersion", "spec.mode",
         "spec.pipeline[0].functionRef.name", "spec.pipeline[1]"}),
    "apiextensions.crossplane.io_compositeresourcedefinitions.yaml": (
        "v1",
        {"group": "example.org", "names": {"kind": "XDatabase", "plural": "xdatabases"},
         "versions": [{"name": "v1", "served": True, "referenceable": True,
                       "schema": {"openAPIV3Schema": {"type": "object"}}}]},
        {"names": {"kind": "XDatabase"}, "versions": [{"name": "v1", "served": "yes"}]},
        {"spec.names.plural", "spec.versions[0].served", "spec.versions[0].referenceable", "spec.group"}),
    "argoproj.io_appprojects.yaml": (
        "v1alpha1",
        {"description": "team", "sourceRepos": ["*"],
         "destinations": [{"server": "https://kubernetes.default.svc", "namespace": "team-a"}],
         "clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}],
         "roles": [{"name": "ci", "policies": ["p, proj:x:ci, applications, sync, x/*, allow"]}]},
        {"sourceRepos": "*", "clusterResourceWhitelist": [{"group": ""}], "roles": [{"policies": "all"}],
         "orphanedResources": {"warn": "yes"}},
        {"spec.clusterResourceWhitelist[0].kind", "spec.orphanedResources.warn", "spec.roles[0].policies",
         "spec.roles[0].name", "spec.sourceRepos"}),
    "gateway.networking.k8s.io_gateways.yaml": (
        "v1",
        {"gatewayClassName": "eg", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP",
                                                  "allowedRoutes": {"namespaces": {"from": "Same"}}}]},
        {"listeners": [{"name": "http", "port": 70000, "protocol": "HTTP"},
                       {"name": "http", "port": 0, "protocol": "not a protocol!"}]},
        {"spec.listeners[0].port", "spec.listeners[1].port", "spec.listeners[1].protocol", "spec.gatewayClassName",
         "spec.listeners[1]"}),
    "gateway.networking.k8s.io_httproutes.yaml": (
        "v1",
        {"parentRefs": [{"name": "eg"}], "hostnames": ["www.example.com"],
         "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
                    "backendRefs": [{"name": "api", "port": 8080}]}]},
        {"parentRefs": [{"port": 80}], "hostnames": ["Not_A_Host"],
         "rules": [{"matches": [{"path": {"type": "Regexp", "value": "/"}}],
                    "backendRefs": [{"name": "api", "port": 70000, "weight": -1}]}]},
        {"spec.hostnames[0]", "spec.parentRefs[0].name", "spec.rules[0].backendRefs[0].port",
         "spec.rules[0].backendRefs[0].weight", "spec.rules[0].matches[0].path.type"}),
}


@functools.cache
def _load(name: str) -> dict[str, Any]:
    crd = yaml_body.load((DATA / name).read_bytes())
    assert crd["kind"] == "CustomResourceDefinition"
    return dict(crd)


def _crd(name: str) -> dict[str, Any]:
    return copy.deepcopy(_load(name))


def _contains(whole: Any, part: Any) -> bool:
    """Whether ``part`` survives in ``whole`` (defaults may have added fields around it)."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(k in whole and _contains(whole[k], v) for k, v in part.items())
    if isinstance(part, list):
        return isinstance(whole, list) and len(whole) == len(part) and all(map(_contains, whole, part))
    return bool(whole == part)


def _object(crd: dict[str, Any], version: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": f"{crd['spec']['group']}/{version}", "kind": crd["spec"]["names"]["kind"],
            "metadata": {"name": "example", "namespace": "default"}, "spec": copy.deepcopy(spec)}


def _schema(crd: dict[str, Any], version: str) -> dict[str, Any]:
    [found] = [v for v in crd["spec"]["versions"] if v["name"] == version]
    schema: dict[str, Any] = found["schema"]["openAPIV3Schema"]
    return schema


def test_every_published_crd_has_a_case() -> None:
    assert sorted(CASES) == CRD_FILES


@pytest.mark.parametrize("name", CRD_FILES)
def test_published_crds_are_structural(name: str) -> None:
    crd = _crd(name)
    assert [str(e) for e in validate_crd_schemas(crd)] == []


@pytest.mark.parametrize("name", CRD_FILES)
def test_a_valid_object_of_each_passes(name: str) -> None:
    version, good, _, _ = CASES[name]
    crd = _crd(name)
    obj = _object(crd, version, good)
    result = prepare_write(obj, _schema(crd, version))
    assert result.unknown_fields == ()
    assert [str(e) for e in result.errors] == []
    assert _contains(obj["spec"], good)


@pytest.mark.parametrize("name", CRD_FILES)
def test_an_invalid_object_of_each_names_every_bad_field(name: str) -> None:
    version, _, bad, fields = CASES[name]
    crd = _crd(name)
    result = prepare_write(_object(crd, version, bad), _schema(crd, version))
    assert {e.field for e in result.errors} == fields


def test_unknown_fields_of_a_published_crd_are_named_for_strict_validation() -> None:
    crd = _crd("gateway.networking.k8s.io_gateways.yaml")
    spec = {"gatewayClassName": "eg", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP", "tls2": {}}],
            "colour": "blue"}
    result = prepare_write(_object(crd, "v1", spec), _schema(crd, "v1"))
    assert result.strict_errors() == ['unknown field "spec.colour"', 'unknown field "spec.listeners[0].tls2"']
    assert result.errors == ()


def test_defaults_of_a_published_crd_are_applied() -> None:
    crd = _crd("gateway.networking.k8s.io_httproutes.yaml")
    obj = _object(crd, "v1", {"parentRefs": [{"name": "eg"}]})
    assert prepare_write(obj, _schema(crd, "v1")).errors == ()
    assert obj["spec"]["rules"] == [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}]
