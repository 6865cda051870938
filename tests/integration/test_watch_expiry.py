"""Watch history expires: a resourceVersion older than the window gets 410 Gone (as an ERROR event)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def short_history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[client.CoreV1Api]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("expiry")), ["--history-seconds", "1"]).start()
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(proc.kubeconfig), client_configuration=configuration)
    try:
        with client.ApiClient(configuration) as api:
            yield client.CoreV1Api(api)
    finally:
        proc.stop()


def test_compacted_resource_version_on_watch_is_410(short_history: client.CoreV1Api) -> None:
    """Once history older than the window is compacted, a watch from before it raises ApiException(410)."""
    core = short_history
    old = core.create_namespaced_config_map("default", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(generate_name="old-"))).metadata.resource_version
    deadline = time.monotonic() + 30
    while True:
        core.create_namespaced_config_map("default", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(generate_name="new-")))
        try:
            for _ in watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version=old,
                                          timeout_seconds=1):
                pass
        except ApiException as exc:
            assert exc.status == 410
            assert "too old resource version" in str(exc.reason) + str(exc.body)
            return
        assert time.monotonic() < deadline, "history was never compacted"
        time.sleep(0.5)
