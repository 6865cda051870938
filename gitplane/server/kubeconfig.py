"""Kubeconfig files for the server's users.

The admin kubeconfig embeds the CA and the admin's client certificate, so it works from any directory and
keeps working across restarts (the PKI is reused). It has one context per entry point, as kcp's does:
``root`` (the root logical cluster, ``/clusters/root``, the current context) and ``base`` (the server URL
without a cluster, for non-resource paths and, later, cluster-wide views).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from gitplane.server.certs import PKI, write_private


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def kubeconfig(*, server_url: str, ca_pem: bytes, user: str, client_cert_pem: bytes | None = None,
               client_key_pem: bytes | None = None, token: str | None = None,
               clusters: dict[str, str] | None = None, current: str = "root") -> dict[str, Any]:
    """A kubeconfig document; ``clusters`` maps context names to URL paths (default: root and base)."""
    paths = clusters if clusters is not None else {"root": "/clusters/root", "base": ""}
    credentials: dict[str, Any] = {}
    if client_cert_pem is not None and client_key_pem is not None:
        credentials["client-certificate-data"] = _b64(client_cert_pem)
        credentials["client-key-data"] = _b64(client_key_pem)
    if token is not None:
        credentials["token"] = token
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server_url + path,
                                                 "certificate-authority-data": _b64(ca_pem)}}
                     for name, path in paths.items()],
        "users": [{"name": user, "user": credentials}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": user}} for name in paths],
        "current-context": current,
        "preferences": {},
    }


def dump(config: dict[str, Any]) -> bytes:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(config, out)
    return out.getvalue().encode()


def write_admin_kubeconfig(path: Path, *, pki: PKI, server_url: str) -> None:
    config = kubeconfig(server_url=server_url, ca_pem=pki.ca_cert.read_bytes(), user="admin",
                        client_cert_pem=pki.admin_cert.read_bytes(), client_key_pem=pki.admin_key.read_bytes())
    write_private(path, dump(config))
