"""An acknowledged write survives kill -9 of the server; revisions keep increasing after the restart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kubernetes import client, config

from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

COUNT = 1000


def connect(proc: ServerProcess) -> client.ApiClient:
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(proc.kubeconfig), client_configuration=configuration)
    configuration.connection_pool_maxsize = 16
    return client.ApiClient(configuration)


def test_thousand_configmaps_survive_kill_9(tmp_path: Path) -> None:
    """Create 1,000 configmaps (concurrently), SIGKILL the server, restart it: all are there."""
    proc = ServerProcess(tmp_path).start()
    try:
        with connect(proc) as api:
            core = client.CoreV1Api(api)

            def create(i: int) -> int:
                cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"cm-{i:04d}"), data={"i": str(i)})
                return int(core.create_namespaced_config_map("default", cm).metadata.resource_version)

            with ThreadPoolExecutor(10) as pool:
                acknowledged = list(pool.map(create, range(COUNT)))
    finally:
        proc.kill()

    restarted = ServerProcess(tmp_path).start()
    try:
        with connect(restarted) as api:
            core = client.CoreV1Api(api)
            listed = core.list_namespaced_config_map("default")
            names = {cm.metadata.name for cm in listed.items}
            assert {f"cm-{i:04d}" for i in range(COUNT)} <= names
            assert int(listed.metadata.resource_version) >= max(acknowledged)
            after = core.create_namespaced_config_map("default", client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name="after-restart")))
            assert int(after.metadata.resource_version) > max(acknowledged)
    finally:
        assert restarted.stop() == 0
