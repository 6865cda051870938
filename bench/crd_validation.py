"""What a custom object's schema steps cost per write: validation, defaulting and pruning, in microseconds.

For kcp's Workspace and LogicalCluster (the system CRDs of ``gitplane/server/systemcrds``) and the largest CRD
of the tests (Gateway API's HTTPRoute, ``tests/data/crds``), one typical valid object (as stored: pruned and
defaulted) is taken through each step many times. Validation is printed twice, measured in the same run: the
kube-openapi walk alone (``values.validate_node``, what every write ran before, and still the path that words
the errors of an invalid object) and ``values.validate_schema``, which asks the compiled check first. Then
pruning (``pruning.prune``), defaulting (``defaulting.apply_defaults``) and the three steps together, as
``objects.prepare_write`` runs them. Each figure is the best of 5 runs.

Run from the repository root: ``python -m bench.crd_validation [--iterations 3000]``.
"""

from __future__ import annotations

import argparse
import copy
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitplane.api import yaml_body
from gitplane.api.crd import defaulting, pruning, values
from gitplane.server.systemcrds.served import read_yaml

HTTPROUTES = Path(__file__).parents[1] / "tests" / "data" / "crds" / "gateway.networking.k8s.io_httproutes.yaml"
CONDITION = {"status": "True", "lastTransitionTime": "2024-01-02T03:04:05Z", "reason": "Done", "message": ""}
WORKSPACE = {
    "apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace",
    "metadata": {"name": "team-a", "labels": {"region": "eu"}, "uid": "123e4567-e89b-12d3-a456-426614174000",
                 "resourceVersion": "12", "generation": 1, "creationTimestamp": "2024-01-02T03:04:05Z"},
    "spec": {"type": {"name": "universal", "path": "root"}, "cluster": "2x8kq9w1",
             "URL": "https://shard.example.com/clusters/root:team-a"},
    "status": {"phase": "Ready", "initializers": [], "conditions": [
        {"type": t, **CONDITION} for t in ("WorkspaceScheduled", "WorkspaceInitialized", "Ready")]},
}
LOGICAL_CLUSTER = {
    "apiVersion": "core.kcp.io/v1alpha1", "kind": "LogicalCluster",
    "metadata": {"name": "cluster", "annotations": {"kcp.io/path": "root:team-a"}, "resourceVersion": "3"},
    "spec": {"owner": {"apiVersion": "tenancy.kcp.io/v1alpha1", "resource": "workspaces", "name": "team-a",
                       "cluster": "root", "uid": "123e4567-e89b-12d3-a456-426614174000"},
             "initializers": ["root:universal", "system:apibindings"]},
    "status": {"phase": "Initializing", "URL": "https://shard.example.com/clusters/2x8kq9w1",
               "initializers": ["root:universal"], "conditions": [{"type": "Ready", **CONDITION}]},
}
HTTPROUTE = {
    "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
    "metadata": {"name": "example", "namespace": "default"},
    "spec": {"parentRefs": [{"name": "eg"}], "hostnames": ["www.example.com"], "rules": [{
        "matches": [{"path": {"type": "PathPrefix", "value": "/api"}},
                    {"headers": [{"name": "x-env", "value": "canary"}]}],
        "backendRefs": [{"name": "api", "port": 8080, "weight": 90},
                        {"name": "api-canary", "port": 8080, "weight": 10}]}]},
}


def _schema(crd: dict[str, Any], version: str) -> dict[str, Any]:
    [found] = [v for v in crd["spec"]["versions"] if v["name"] == version]
    schema: dict[str, Any] = found["schema"]["openAPIV3Schema"]
    return schema


def cases() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, schema, object as stored) of each measured type."""
    [workspaces] = read_yaml("tenancy.kcp.io_workspaces.yaml")
    [logical_clusters] = read_yaml("core.kcp.io_logicalclusters.yaml")
    found = [("Workspace", _schema(workspaces, "v1alpha1"), WORKSPACE),
             ("LogicalCluster", _schema(logical_clusters, "v1alpha1"), LOGICAL_CLUSTER),
             ("HTTPRoute", _schema(yaml_body.load(HTTPROUTES.read_bytes()), "v1"), HTTPROUTE)]
    stored = []
    for name, schema, typical in found:
        obj = copy.deepcopy(typical)
        assert not pruning.prune(obj, schema), name
        defaulting.apply_defaults(obj, schema)
        assert not values.validate_node(schema, obj, "").errors, name
        stored.append((name, schema, obj))
    return stored


def best_of(iterations: int, body: Callable[[], Any]) -> float:
    """Best time of 5 runs, per iteration, in microseconds."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(iterations):
            body()
        best = min(best, time.perf_counter() - start)
    return best / iterations * 1e6


def figures(schema: dict[str, Any], obj: dict[str, Any], n: int) -> tuple[float, float, float, float]:
    """µs per call of the walk, validate_schema, prune and apply_defaults."""
    return (best_of(n, lambda: values.validate_node(schema, obj, "")),
            best_of(n, lambda: values.validate_schema(schema, obj)),
            best_of(n, lambda: pruning.prune(obj, schema)),
            best_of(n, lambda: defaulting.apply_defaults(obj, schema)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=3000)
    n = parser.parse_args().iterations
    print(f"µs per object (best of 5 x {n})\n{'':16}{'validate: walk':>16}{'validate: fast':>16}{'speed-up':>10}"
          f"{'prune':>10}{'default':>10}{'all three':>11}")
    for name, schema, obj in cases():
        walk, fast, prune, default = figures(schema, obj, n)
        print(f"{name:16}{walk:16.1f}{fast:16.1f}{walk / fast:9.1f}x{prune:10.1f}{default:10.1f}"
              f"{prune + default + fast:11.1f}")


if __name__ == "__main__":
    main()
