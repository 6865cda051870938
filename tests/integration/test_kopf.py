"""kopf, the Python operator framework, runs an operator against the server: it lists and watches, patches
the objects it handles (its progress annotations included) and posts Events."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client

from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

OPERATOR = textwrap.dedent("""\
    import kopf

    @kopf.on.startup()
    def configure(settings: kopf.OperatorSettings, **_):
        settings.persistence.finalizer = "example.com/kopf-finalizer"
        settings.watching.server_timeout = 10

    @kopf.on.create("configmaps", labels={"kopf": "yes"})
    def created(body, patch, **_):
        patch.metadata.annotations["handled-by"] = "kopf"
        patch.setdefault("data", {})["reply"] = "pong"
        kopf.info(body, reason="Handled", message="replied pong")
    """)


@pytest.fixture
def operator(server: ServerProcess, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    script = tmp_path / "operator.py"
    script.write_text(OPERATOR)
    proc = subprocess.Popen([sys.executable, "-m", "kopf", "run", "--standalone", "-n", "default", str(script)],
                            env={**os.environ, "KUBECONFIG": str(server.kubeconfig)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_kopf_operator_handles_configmaps(core: client.CoreV1Api, operator: subprocess.Popen[bytes]) -> None:
    """A labelled ConfigMap is patched by the operator's handler and gets its Event."""
    core.create_namespaced_config_map("default", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="ping", labels={"kopf": "yes"}), data={"a": "b"}))
    deadline = time.monotonic() + 60
    while True:
        handled = core.read_namespaced_config_map("ping", "default")
        events = core.list_namespaced_event("default", field_selector="involvedObject.name=ping").items
        if handled.data.get("reply") == "pong" and events:
            break
        assert operator.poll() is None, "the operator exited"
        assert time.monotonic() < deadline, "the operator never handled the ConfigMap"
        time.sleep(0.2)
    assert handled.metadata.annotations["handled-by"] == "kopf"
    assert any(a.startswith("kopf.zalando.org/") for a in handled.metadata.annotations)
    assert [(e.reason, e.message) for e in events] == [("Handled", "replied pong")]
