"""Strategic merge patches as kubectl builds them (apply's three-way patch, edit's two-way patch, hand-written
``kubectl patch``) give the objects kube-apiserver gives."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

Strategic = Callable[[str, dict[str, Any], object], dict[str, Any]]
DEPLOYMENT = "io.k8s.api.apps.v1.Deployment"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

APP_CONTAINER: dict[str, Any] = {
    "name": "app", "image": "app:1", "imagePullPolicy": "IfNotPresent",
    "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
    "ports": [{"containerPort": 8080, "protocol": "TCP"}, {"containerPort": 8443, "protocol": "TCP"}],
    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
}
INJECTED_PROXY: dict[str, Any] = {"name": "proxy", "image": "proxy:1"}

LIVE: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop", "generation": 4, "resourceVersion": "812",
                 "labels": {"app": "web", "tier": "front"},
                 "annotations": {LAST_APPLIED: "{...v1...}", "deployment.kubernetes.io/revision": "4"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [APP_CONTAINER, INJECTED_PROXY],
                "volumes": [{"name": "config", "configMap": {"name": "web-config", "defaultMode": 420}},
                            {"name": "cache", "emptyDir": {}}],
                "tolerations": [{"key": "spot", "operator": "Exists", "effect": "NoSchedule"}],
                "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
            },
        },
    },
    "status": {"replicas": 2, "readyReplicas": 2},
}


def _expected(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    result = copy.deepcopy(LIVE)
    change(result)
    return result


def test_apply_three_way_patch(strategic: Strategic) -> None:
    """kubectl apply: new image and replicas, env A dropped and C added in order, the injected proxy kept."""
    patch = {
        "metadata": {"annotations": {LAST_APPLIED: "{...v2...}"}},
        "spec": {
            "replicas": 3,
            "template": {"spec": {
                "$setElementOrder/containers": [{"name": "app"}],
                "containers": [{
                    "$setElementOrder/env": [{"name": "B"}, {"name": "C"}],
                    "env": [{"name": "C", "value": "3"}, {"$patch": "delete", "name": "A"}],
                    "image": "app:2",
                    "name": "app",
                }],
            }},
        },
    }

    def change(obj: dict[str, Any]) -> None:
        obj["metadata"]["annotations"][LAST_APPLIED] = "{...v2...}"
        obj["spec"]["replicas"] = 3
        app = obj["spec"]["template"]["spec"]["containers"][0]
        app["image"] = "app:2"
        app["env"] = [{"name": "B", "value": "2"}, {"name": "C", "value": "3"}]

    assert strategic(DEPLOYMENT, LIVE, patch) == _expected(change)


def test_apply_switches_volume_source_and_drops_a_volume(strategic: Strategic) -> None:
    """kubectl apply: ``$retainKeys`` swaps a volume's source, a deletion directive removes another volume."""
    patch = {"spec": {"template": {"spec": {
        "$setElementOrder/volumes": [{"name": "config"}],
        "volumes": [{"$retainKeys": ["name", "secret"], "name": "config", "secret": {"secretName": "web"}},
                    {"$patch": "delete", "name": "cache"}],
    }}}}

    def change(obj: dict[str, Any]) -> None:
        obj["spec"]["template"]["spec"]["volumes"] = [{"name": "config", "secret": {"secretName": "web"}}]

    assert strategic(DEPLOYMENT, LIVE, patch) == _expected(change)


def test_apply_switches_rollout_strategy(strategic: Strategic) -> None:
    """kubectl apply of ``strategy: {type: Recreate}`` clears the defaulted ``rollingUpdate``."""
    patch = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}

    def change(obj: dict[str, Any]) -> None:
        obj["spec"]["strategy"] = {"type": "Recreate"}

    assert strategic(DEPLOYMENT, LIVE, patch) == _expected(change)


def test_edit_two_way_patch(strategic: Strategic) -> None:
    """kubectl edit: a label removed, a port deleted, a container reordered by ``$setElementOrder``."""
    patch = {
        "metadata": {"labels": {"tier": None}},
        "spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "proxy"}, {"name": "app"}],
            "containers": [{"$setElementOrder/ports": [{"containerPort": 8080}], "name": "app",
                            "ports": [{"$patch": "delete", "containerPort": 8443}]}],
        }}},
    }

    def change(obj: dict[str, Any]) -> None:
        del obj["metadata"]["labels"]["tier"]
        app, proxy = obj["spec"]["template"]["spec"]["containers"]
        app["ports"] = [{"containerPort": 8080, "protocol": "TCP"}]
        obj["spec"]["template"]["spec"]["containers"] = [proxy, app]

    assert strategic(DEPLOYMENT, LIVE, patch) == _expected(change)


def test_hand_written_patch(strategic: Strategic) -> None:
    """kubectl patch: resources merged into one container, tolerations replaced whole, a selector added."""
    patch = {"spec": {"template": {"spec": {
        "containers": [{"name": "app", "resources": {"limits": {"memory": "512Mi"}}}],
        "tolerations": [{"key": "gpu", "operator": "Exists"}],
        "nodeSelector": {"disk": "ssd"},
    }}}}

    def change(obj: dict[str, Any]) -> None:
        pod_spec = obj["spec"]["template"]["spec"]
        pod_spec["containers"][0]["resources"] = {"limits": {"memory": "512Mi"}}
        pod_spec["tolerations"] = [{"key": "gpu", "operator": "Exists"}]
        pod_spec["nodeSelector"] = {"disk": "ssd"}

    assert strategic(DEPLOYMENT, LIVE, patch) == _expected(change)


def test_label_and_annotate_patch(strategic: Strategic) -> None:
    """Metadata patches (labels, annotations with null removal) merge key by key."""
    patch = {"metadata": {"labels": {"canary": "true"},
                          "annotations": {"deployment.kubernetes.io/revision": None, "owner": "team-a"}}}

    def change(obj: dict[str, Any]) -> None:
        obj["metadata"]["labels"]["canary"] = "true"
        del obj["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        obj["metadata"]["annotations"]["owner"] = "team-a"

    assert strategic(DEPLOYMENT, LIVE, patch) == _expected(change)
