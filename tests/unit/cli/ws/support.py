"""Helpers of the plugin's tests: the kubeconfig they start from, the result of one run, and readers of
the kubeconfig the plugin wrote."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

CA_DATA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="

KUBECONFIG = """\
apiVersion: v1
kind: Config
# the gitplane admin, written by hand
clusters:
- cluster:
    certificate-authority-data: {ca}
    server: {root}
  name: gitplane
- cluster:
    server: https://10.0.0.1:6443
  name: kind
contexts:
- context:
    cluster: gitplane
    user: admin
  name: gitplane
- context:
    cluster: kind
    namespace: default
    user: kind-user
  name: kind
current-context: gitplane
preferences: {{}}
users:
- name: admin
  user:
    token: admin-token
- name: kind-user
  user:
    token: kind-token
"""


@dataclass(frozen=True)
class Result:
    code: int
    out: list[str]
    err: list[str]


Runner = Callable[..., Result]


def read(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


def named(config: Any, section: str, name: str) -> Any:
    """The body of the entry ``name`` of ``clusters`` or ``contexts``."""
    key = section.removesuffix("s")
    matches = [entry[key] for entry in config[section] if entry["name"] == name]
    assert len(matches) == 1, f"{section} {name}: {matches}"
    return matches[0]


def server_of(config: Any, context: str) -> str:
    return str(named(config, "clusters", named(config, "contexts", context)["cluster"])["server"])


def current_server(path: Path) -> str:
    config = read(path)
    return server_of(config, config["current-context"])
