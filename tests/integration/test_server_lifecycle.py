"""The server process: TLS and credentials, health, environment settings, clean shutdown, restart."""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import time
from pathlib import Path

import pytest

from tests.integration.rawclient import RawClient
from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration


def test_tls_tokens_and_anonymous_access(server: ServerProcess) -> None:
    """HTTPS only; the admin token works, a wrong token is 401, anonymous users see only health and version."""
    admin_token = (server.data_dir / "pki" / "admin.token").read_text().strip()
    assert RawClient(server.url, server.data_dir, token=admin_token).request("GET", "/api/v1/namespaces").status == 200
    wrong = RawClient(server.url, server.data_dir, token="not-a-token").request("GET", "/api/v1/namespaces")
    assert wrong.status == 401 and wrong.json()["reason"] == "Unauthorized"
    anonymous = RawClient(server.url, server.data_dir, certificate=False)
    refused = anonymous.request("GET", "/api/v1/namespaces/default/configmaps")
    assert refused.status == 403
    # anonymous users may not even enter the root workspace (kcp grants that to system:authenticated)
    assert refused.json()["message"] == ('forbidden: User "system:anonymous" cannot list path '
                                         '"/api/v1/namespaces/default/configmaps": workspace access not permitted')
    assert anonymous.request("GET", "/healthz").body == b"ok"
    assert anonymous.request("GET", "/version").json()["major"] == "1"

    plain = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        plain.request("GET", "/version")
        status = plain.getresponse().status
        assert status == 400  # a TLS server may answer plain HTTP with 400 before closing
        raise ConnectionError("plain HTTP was answered")
    plain.close()


def test_users_from_the_token_file_are_authorized_by_group(tmp_path: Path) -> None:
    """A token-file user outside system:masters may read discovery but not resources."""
    (tmp_path / "tokens.csv").write_text('bob-token,bob,bob-uid,"developers"\n')
    proc = ServerProcess(tmp_path).start()
    try:
        bob = RawClient(proc.url, proc.data_dir, token="bob-token")
        assert bob.request("GET", "/api").status == 200
        refused = bob.request("GET", "/api/v1/namespaces/default/secrets/x")
        assert refused.status == 403
        assert refused.json()["message"] == ('secrets "x" is forbidden: User "bob" cannot get resource "secrets" in '
                                             'API group "" in the namespace "default"')
    finally:
        proc.stop()


def test_client_certificate_from_another_ca_is_refused(server: ServerProcess, tmp_path: Path) -> None:
    """A client certificate the server's CA did not sign fails the TLS handshake."""
    from gitplane.server.certs import ensure_pki

    other = ensure_pki(tmp_path / "other", hosts=["127.0.0.1"])
    context = ssl.create_default_context(cafile=str(server.data_dir / "pki" / "ca.crt"))
    context.load_cert_chain(other.admin_cert, other.admin_key)
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=10)
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        conn.request("GET", "/api/v1/namespaces")
        conn.getresponse()
    conn.close()


def test_health_endpoints(server: ServerProcess) -> None:
    """healthz, livez and readyz answer ok, list their checks with ?verbose, and name unknown checks 404."""
    raw = RawClient(server.url, server.data_dir)
    for endpoint in ("/healthz", "/livez", "/readyz"):
        assert raw.request("GET", endpoint).body == b"ok"
    verbose = raw.request("GET", "/readyz?verbose").body.decode()
    for line in ("[+]ping ok", "[+]bootstrap ok", "[+]informer-sync ok", "readyz check passed"):
        assert line in verbose
    assert raw.request("GET", "/readyz/ping").status == 200
    assert raw.request("GET", "/readyz/nonsense").status == 404


def test_settings_come_from_the_environment_and_sigterm_stops_cleanly(tmp_path: Path) -> None:
    """GITPLANE_* variables configure the server; SIGTERM during an open watch exits 0 promptly."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = ServerProcess(tmp_path / "data-from-env", env={"GITPLANE_ADDRESS": "127.0.0.1", "GITPLANE_PORT": str(port)})
    proc.start(port=None)
    assert proc.port == port
    raw = RawClient(proc.url, proc.data_dir)
    conn = http.client.HTTPSConnection(raw.host, raw.port, context=raw.context, timeout=30)
    conn.request("GET", "/api/v1/namespaces/default/limitranges?watch=true")  # a type nothing creates by itself
    watch = conn.getresponse()
    assert watch.status == 200
    started = time.monotonic()
    assert proc.stop() == 0
    assert time.monotonic() - started < 10
    assert watch.read() == b""  # the stream was ended by the server, not cut
    conn.close()
    assert "Stopped" in proc.log()
    assert (tmp_path / "data-from-env" / "admin.kubeconfig").exists()


def test_restart_reuses_the_certificates(tmp_path: Path) -> None:
    """A restarted server keeps its CA and admin credentials, so existing kubeconfigs keep working."""
    first = ServerProcess(tmp_path).start()
    kubeconfig = first.kubeconfig.read_bytes()
    ca = (tmp_path / "pki" / "ca.crt").read_bytes()
    assert first.stop() == 0
    second = ServerProcess(tmp_path).start(port=first.port)
    try:
        assert (tmp_path / "pki" / "ca.crt").read_bytes() == ca
        assert second.kubeconfig.read_bytes() == kubeconfig
        assert oct(os.stat(tmp_path / "pki" / "ca.key").st_mode & 0o777) == "0o600"
    finally:
        second.stop()
