"""Over TLS the plugin trusts the kubeconfig's CA, copies it into the workspace contexts it writes, and with
``insecure-skip-tls-verify`` neither verifies nor warns (as kubectl)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit.cli.ws.certificate import self_signed
from tests.unit.cli.ws.fake_server import FakeServer
from tests.unit.cli.ws.support import KUBECONFIG, Runner, named, read


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[FakeServer, bytes]]:
    certificate = self_signed()
    with FakeServer(tls=certificate.write(tmp_path)) as fake:
        fake.add("root:org-a", "root:organization")
        yield fake, certificate.cert_pem


def test_the_kubeconfigs_ca_is_trusted_and_carried_into_the_workspace_context(
        ws: Runner, tls_server: tuple[FakeServer, bytes], kubeconfig: Path) -> None:
    server, cert = tls_server
    ca = base64.b64encode(cert).decode()
    kubeconfig.write_text(KUBECONFIG.format(ca=ca, root=server.url("root")))
    assert ws("org-a").out == ['Current workspace is "root:org-a" (type root:organization).']
    assert named(read(kubeconfig), "clusters", "workspace.kcp.io/current")["certificate-authority-data"] == ca
    result = ws("..")
    assert (result.code, result.out, result.err) == (0, ['Current workspace is "root".'], [])


def test_an_untrusted_certificate_is_an_error(ws: Runner, tls_server: tuple[FakeServer, bytes],
                                              kubeconfig: Path) -> None:
    server, _ = tls_server
    kubeconfig.write_text(KUBECONFIG.format(ca=base64.b64encode(self_signed().cert_pem).decode(),
                                            root=server.url("root")))
    result = ws("org-a")
    assert result.code == 1
    assert result.err[0].startswith(f"error: cannot reach {server.url('root')}: ")
    assert "CERTIFICATE_VERIFY_FAILED" in result.err[0]


def test_insecure_skip_tls_verify_connects_without_a_warning(
        ws: Runner, tls_server: tuple[FakeServer, bytes], kubeconfig: Path) -> None:
    server, _ = tls_server
    kubeconfig.write_text(KUBECONFIG.format(ca="", root=server.url("root")).replace(
        "certificate-authority-data: \n", "insecure-skip-tls-verify: true\n"))
    result = ws("org-a")
    assert (result.code, result.out, result.err) == (
        0, ['Current workspace is "root:org-a" (type root:organization).'], [])
