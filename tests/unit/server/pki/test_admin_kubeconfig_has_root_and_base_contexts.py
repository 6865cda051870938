"""Kubeconfigs: the admin's embeds the CA and its client certificate, with a ``root`` context for the root
logical cluster (current) and a ``base`` context for the server URL itself; written 0600."""

from __future__ import annotations

import base64
import stat
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from gitplane.server.certs import ensure_pki
from gitplane.server.kubeconfig import dump, kubeconfig, write_admin_kubeconfig

URL = "https://127.0.0.1:6443"


def read_yaml(data: bytes) -> Any:
    return YAML(typ="safe", pure=True).load(data.decode())


def test_the_admin_kubeconfig_points_root_and_base_at_the_server(tmp_path: Path) -> None:
    """``root`` is ``/clusters/root`` and current; ``base`` is the bare URL; both trust the server's CA."""
    pki = ensure_pki(tmp_path / "pki", hosts=["127.0.0.1"])
    path = tmp_path / "admin.kubeconfig"
    write_admin_kubeconfig(path, pki=pki, server_url=URL)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    config = read_yaml(path.read_bytes())
    assert config["current-context"] == "root"
    servers = {c["name"]: c["cluster"]["server"] for c in config["clusters"]}
    assert servers == {"root": f"{URL}/clusters/root", "base": URL}
    for cluster in config["clusters"]:
        assert base64.b64decode(cluster["cluster"]["certificate-authority-data"]) == pki.ca_cert.read_bytes()
    assert [(c["name"], c["context"]) for c in config["contexts"]] == [
        ("root", {"cluster": "root", "user": "admin"}), ("base", {"cluster": "base", "user": "admin"})]
    [user] = config["users"]
    assert user["name"] == "admin"
    assert base64.b64decode(user["user"]["client-certificate-data"]) == pki.admin_cert.read_bytes()
    assert base64.b64decode(user["user"]["client-key-data"]) == pki.admin_key.read_bytes()


def test_a_token_kubeconfig_carries_the_token_and_chosen_contexts() -> None:
    """A kubeconfig may authenticate by token and name its own contexts and current one."""
    config = kubeconfig(server_url=URL, ca_pem=b"CA", user="bot", token="t0k3n",
                        clusters={"team": "/clusters/root:org:team"}, current="team")
    assert config["users"] == [{"name": "bot", "user": {"token": "t0k3n"}}]
    assert config["clusters"][0]["cluster"]["server"] == f"{URL}/clusters/root:org:team"
    assert config["current-context"] == "team"
    assert (config["apiVersion"], config["kind"]) == ("v1", "Config")


def test_the_dumped_document_reads_back_unchanged() -> None:
    """The YAML written is the document built."""
    config = kubeconfig(server_url=URL, ca_pem=b"CA", user="admin", client_cert_pem=b"C", client_key_pem=b"K")
    assert read_yaml(dump(config)) == config
