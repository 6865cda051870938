"""The kubeconfig is read as kubectl reads it and rewritten as kcp's plugin rewrites it: a switch writes
``workspace.kcp.io/current`` and saves the old context as ``workspace.kcp.io/previous``, a swap exchanges
them, and every other entry, comment, the indentation and the file mode stay as they were."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from gitplane.cli.ws import kubeconfig
from gitplane.cli.ws.errors import PluginError
from tests.unit.cli.ws.support import CA_DATA, KUBECONFIG, named, read, server_of

ROOT = "https://127.0.0.1:6443/clusters/root"
ORG_A = "https://127.0.0.1:6443/clusters/root:org-a"
TEAM_A = "https://127.0.0.1:6443/clusters/root:org-a:team-a"


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config"
    path.write_text(KUBECONFIG.format(ca=CA_DATA, root=ROOT))
    return path


def switch(path: Path, server: str, environ: dict[str, str] | None = None, explicit: str | None = None) -> None:
    loaded = kubeconfig.load(explicit or (None if environ else str(path)), environ or {}, None)
    kubeconfig.write(loaded, kubeconfig.switch(loaded, server))


def test_a_switch_appends_current_and_previous_and_leaves_the_rest_of_the_file_as_it_was(config_file: Path) -> None:
    original = config_file.read_text()
    switch(config_file, ORG_A)
    expected = original.replace("""  name: kind
contexts:""", f"""  name: kind
- cluster:
    certificate-authority-data: {CA_DATA}
    server: {ORG_A}
  name: workspace.kcp.io/current
- cluster:
    certificate-authority-data: {CA_DATA}
    server: {ROOT}
  name: workspace.kcp.io/previous
contexts:""").replace("""  name: kind
current-context: gitplane""", """  name: kind
- context:
    cluster: workspace.kcp.io/current
    user: admin
  name: workspace.kcp.io/current
- context:
    cluster: workspace.kcp.io/previous
    user: admin
  name: workspace.kcp.io/previous
current-context: workspace.kcp.io/current""")
    assert config_file.read_text() == expected


def test_a_second_switch_saves_the_workspace_it_leaves_as_previous(config_file: Path) -> None:
    switch(config_file, ORG_A)
    switch(config_file, TEAM_A)
    config = read(config_file)
    assert server_of(config, "workspace.kcp.io/current") == TEAM_A
    assert server_of(config, "workspace.kcp.io/previous") == ORG_A
    assert len(config["clusters"]) == 4
    assert len(config["contexts"]) == 4


def test_a_switch_from_another_context_copies_that_contexts_user_namespace_and_cluster_fields(
        tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(KUBECONFIG.format(ca=CA_DATA, root=ROOT).replace(
        "server: https://10.0.0.1:6443", "insecure-skip-tls-verify: true\n    server: https://10.0.0.1:6443/clusters/root"))
    loaded = kubeconfig.load(str(path), {}, "kind")
    kubeconfig.write(loaded, kubeconfig.switch(loaded, "https://10.0.0.1:6443/clusters/root:org-a"))
    config = read(path)
    assert named(config, "contexts", "workspace.kcp.io/current") == {
        "cluster": "workspace.kcp.io/current", "namespace": "default", "user": "kind-user"}
    assert named(config, "clusters", "workspace.kcp.io/current") == {
        "insecure-skip-tls-verify": True, "server": "https://10.0.0.1:6443/clusters/root:org-a"}
    assert named(config, "contexts", "workspace.kcp.io/previous")["user"] == "kind-user"


def test_a_swap_exchanges_the_current_and_previous_contexts_and_clusters(config_file: Path) -> None:
    switch(config_file, ORG_A)
    switch(config_file, TEAM_A)
    loaded = kubeconfig.load(str(config_file), {}, None)
    kubeconfig.write(loaded, kubeconfig.swap(loaded))
    config = read(config_file)
    assert config["current-context"] == "workspace.kcp.io/current"
    assert server_of(config, "workspace.kcp.io/current") == ORG_A
    assert server_of(config, "workspace.kcp.io/previous") == TEAM_A


def test_a_swap_from_an_unrelated_context_makes_previous_current_and_saves_that_context(config_file: Path) -> None:
    switch(config_file, ORG_A)
    loaded = kubeconfig.load(str(config_file), {}, "kind")
    kubeconfig.write(loaded, kubeconfig.swap(loaded))
    config = read(config_file)
    assert server_of(config, "workspace.kcp.io/current") == ROOT
    assert server_of(config, "workspace.kcp.io/previous") == "https://10.0.0.1:6443"
    assert named(config, "contexts", "workspace.kcp.io/previous")["user"] == "kind-user"


def test_a_swap_without_a_previous_context_fails(config_file: Path) -> None:
    loaded = kubeconfig.load(str(config_file), {}, None)
    with pytest.raises(PluginError, match=r"^no previous workspace found in kubeconfig$"):
        kubeconfig.swap(loaded)


def test_the_write_keeps_the_file_mode_and_leaves_no_temp_file(config_file: Path) -> None:
    config_file.chmod(0o640)
    switch(config_file, ORG_A)
    assert config_file.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in config_file.parent.iterdir()] == ["config"]


def test_the_write_goes_through_a_symlink_to_its_target(config_file: Path) -> None:
    link = config_file.parent / "link"
    link.symlink_to(config_file)
    switch(link, ORG_A)
    assert link.is_symlink()
    assert server_of(read(config_file), "workspace.kcp.io/current") == ORG_A


def test_indented_sequences_keep_their_indentation(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(f"""\
clusters:
  - cluster:
      server: {ROOT}
    name: gitplane
contexts:
  - context:
      cluster: gitplane
      user: admin
    name: gitplane
current-context: gitplane
""")
    switch(path, ORG_A)
    assert path.read_text() == f"""\
clusters:
  - cluster:
      server: {ROOT}
    name: gitplane
  - cluster:
      server: {ORG_A}
    name: workspace.kcp.io/current
  - cluster:
      server: {ROOT}
    name: workspace.kcp.io/previous
contexts:
  - context:
      cluster: gitplane
      user: admin
    name: gitplane
  - context:
      cluster: workspace.kcp.io/current
      user: admin
    name: workspace.kcp.io/current
  - context:
      cluster: workspace.kcp.io/previous
      user: admin
    name: workspace.kcp.io/previous
current-context: workspace.kcp.io/current
"""


def test_a_kubeconfig_list_is_merged_and_the_edit_goes_to_its_first_file(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_text("apiVersion: v1\nkind: Config\nusers:\n- name: someone\n  user: {token: t}\n")
    second.write_text(KUBECONFIG.format(ca=CA_DATA, root=ROOT))
    untouched = second.read_text()
    switch(first, ORG_A, environ={"KUBECONFIG": f"{first}{os.pathsep}{second}"})
    assert second.read_text() == untouched
    config = read(first)
    assert config["current-context"] == "workspace.kcp.io/current"
    assert config["users"] == [{"name": "someone", "user": {"token": "t"}}]
    assert server_of(config, "workspace.kcp.io/current") == ORG_A
    assert named(config, "contexts", "workspace.kcp.io/current")["user"] == "admin"


def test_the_first_file_of_a_list_that_sets_current_context_decides_it(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    second.write_text(KUBECONFIG.format(ca=CA_DATA, root=ROOT))
    first.write_text(KUBECONFIG.format(ca=CA_DATA, root=ROOT).replace("current-context: gitplane",
                                                                       "current-context: kind"))
    loaded = kubeconfig.load(None, {"KUBECONFIG": f"{first}{os.pathsep}{second}"}, None)
    assert loaded.current_context == "kind"


def test_an_explicit_kubeconfig_wins_over_the_environment(config_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert kubeconfig.files(str(config_file), {"KUBECONFIG": str(other)}) == [config_file]
    assert kubeconfig.files(None, {"KUBECONFIG": f"{other}{os.pathsep}{os.pathsep}{config_file}"}) == [
        other, config_file]
    assert kubeconfig.files(None, {}) == [Path("~/.kube/config").expanduser()]


def test_a_relative_ca_file_of_another_file_is_made_absolute_when_copied(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.crt").write_text("ca")
    (tmp_path / "certs" / "config").write_text(KUBECONFIG.format(ca=CA_DATA, root=ROOT).replace(
        f"certificate-authority-data: {CA_DATA}", "certificate-authority: ca.crt"))
    first = tmp_path / "first"
    switch(first, ORG_A, environ={"KUBECONFIG": f"{first}{os.pathsep}{tmp_path / 'certs' / 'config'}"})
    cluster = named(read(first), "clusters", "workspace.kcp.io/current")
    assert cluster["certificate-authority"] == str(tmp_path / "certs" / "ca.crt")
    assert first.stat().st_mode & 0o777 == 0o600


def test_the_client_configuration_carries_the_contexts_server_and_credentials(config_file: Path) -> None:
    configuration = kubeconfig.load(str(config_file), {}, None).configuration("gitplane")
    assert configuration.host == ROOT
    assert configuration.api_key == {"BearerToken": "Bearer admin-token"}
    assert configuration.ssl_ca_cert is not None
    assert Path(configuration.ssl_ca_cert).read_bytes() == base64.b64decode(CA_DATA)


def test_an_unknown_context_fails(config_file: Path) -> None:
    with pytest.raises(PluginError, match=r"^context 'missing' not found in kubeconfig$"):
        kubeconfig.load(str(config_file), {}, "missing").configuration("missing")


def test_a_missing_kubeconfig_fails(tmp_path: Path) -> None:
    with pytest.raises(PluginError, match=r"^no kubeconfig found at "):
        kubeconfig.load(str(tmp_path / "absent"), {}, None)


def test_a_kubeconfig_without_current_context_fails(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(KUBECONFIG.format(ca=CA_DATA, root=ROOT).replace("current-context: gitplane\n", ""))
    with pytest.raises(PluginError, match=r"^current-context is not set in kubeconfig$"):
        kubeconfig.load(str(path), {}, None)


@pytest.mark.parametrize("text", ["clusters: [unclosed\n", "contexts:\n- context: {cluster: a}\n"])
def test_a_malformed_kubeconfig_fails(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config"
    path.write_text(text)
    with pytest.raises(PluginError, match=r"^cannot read kubeconfig: "):
        kubeconfig.load(str(path), {}, None)
