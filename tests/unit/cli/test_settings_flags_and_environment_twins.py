"""Settings reach the server from flags and GITPLANE_* environment variables: every setting has both, the
environment is used when no flag is given, a flag wins over it, and values outside a setting's choices are
refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gitplane.cli.main import build_parser
from gitplane.settings import ServerSettings, env_name, setting_fields
from tests.unit.cli.settings_args import parse

EXPECTED_ENV = {
    "data_dir": "GITPLANE_DATA_DIR", "address": "GITPLANE_ADDRESS", "port": "GITPLANE_PORT",
    "external_hostname": "GITPLANE_EXTERNAL_HOSTNAME", "sqlite_synchronous": "GITPLANE_SQLITE_SYNCHRONOUS",
    "history_seconds": "GITPLANE_HISTORY_SECONDS", "watch_bookmark_seconds": "GITPLANE_WATCH_BOOKMARK_SECONDS",
    "quota_resync_seconds": "GITPLANE_QUOTA_RESYNC_SECONDS", "log_level": "GITPLANE_LOG_LEVEL",
    "accept_data_loss": "GITPLANE_ACCEPT_DATA_LOSS",
    "max_requests_inflight": "GITPLANE_MAX_REQUESTS_INFLIGHT",
    "max_mutating_requests_inflight": "GITPLANE_MAX_MUTATING_REQUESTS_INFLIGHT",
    "max_connections": "GITPLANE_MAX_CONNECTIONS", "tls_handshake_timeout": "GITPLANE_TLS_HANDSHAKE_TIMEOUT",
    "request_header_timeout": "GITPLANE_REQUEST_HEADER_TIMEOUT",
    "request_body_timeout": "GITPLANE_REQUEST_BODY_TIMEOUT", "idle_timeout": "GITPLANE_IDLE_TIMEOUT",
    "max_header_bytes": "GITPLANE_MAX_HEADER_BYTES", "max_header_count": "GITPLANE_MAX_HEADER_COUNT",
}


def test_every_setting_has_a_flag_and_an_environment_twin() -> None:
    """Each field of ServerSettings carries a flag, help text, and a GITPLANE_* name derived from the flag."""
    fields = dataclasses.fields(ServerSettings)
    assert [f.name for f in setting_fields(ServerSettings)] == [f.name for f in fields]
    for field in fields:
        assert field.metadata["help"]
        assert field.metadata["flag"] == "--" + field.name.replace("_", "-")
        assert env_name(field.metadata["flag"]) == EXPECTED_ENV[field.name]


@pytest.mark.parametrize("command", ["up", "serve"])
def test_both_commands_offer_every_flag(command: str) -> None:
    """``gitplane up`` and ``gitplane serve`` accept every setting's flag, and its help names the variable."""
    _, commands = build_parser()
    actions = {a.dest: a for a in commands[command]._actions}
    for field in setting_fields(ServerSettings):
        action = actions[field.name]
        assert action.option_strings == [field.metadata["flag"]]
        assert action.help is not None and EXPECTED_ENV[field.name] in action.help


def test_without_flags_or_environment_the_defaults_apply() -> None:
    """Nothing given: the dataclass defaults."""
    assert parse("serve") == ServerSettings()


def test_environment_values_are_used_and_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each GITPLANE_* variable sets its field, converted to the field's type."""
    for name, value in {
        "GITPLANE_DATA_DIR": "/var/lib/gitplane", "GITPLANE_ADDRESS": "0.0.0.0", "GITPLANE_PORT": "7443",
        "GITPLANE_EXTERNAL_HOSTNAME": "api.example.com", "GITPLANE_SQLITE_SYNCHRONOUS": "NORMAL",
        "GITPLANE_HISTORY_SECONDS": "60.5", "GITPLANE_WATCH_BOOKMARK_SECONDS": "5", "GITPLANE_LOG_LEVEL": "DEBUG",
    }.items():
        monkeypatch.setenv(name, value)
    assert parse("serve") == ServerSettings(
        data_dir=Path("/var/lib/gitplane"), address="0.0.0.0", port=7443, external_hostname="api.example.com",
        sqlite_synchronous="NORMAL", history_seconds=60.5, watch_bookmark_seconds=5.0, log_level="DEBUG")


def test_flags_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A flag on the command line overrides its variable; other variables still apply."""
    monkeypatch.setenv("GITPLANE_PORT", "7443")
    monkeypatch.setenv("GITPLANE_ADDRESS", "0.0.0.0")
    settings = parse("up", "--port", "8443", "--data-dir", "/tmp/gp")
    assert (settings.port, settings.address, settings.data_dir) == (8443, "0.0.0.0", Path("/tmp/gp"))


def test_a_flag_outside_the_choices_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse refuses the value and names the choices."""
    with pytest.raises(SystemExit) as exited:
        parse("serve", "--sqlite-synchronous", "OFF")
    assert exited.value.code == 2
    assert "invalid choice: 'OFF'" in capsys.readouterr().err


def test_an_environment_value_outside_the_choices_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The variable's value is checked like the flag's, and the variable is named in the usage error."""
    monkeypatch.setenv("GITPLANE_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(SystemExit) as exited:
        parse("serve")
    assert exited.value.code == 2
    assert "GITPLANE_SQLITE_SYNCHRONOUS='OFF': choose from FULL, NORMAL" in capsys.readouterr().err


def test_a_flag_of_the_wrong_type_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """A port that is not a number is a usage error naming the flag."""
    with pytest.raises(SystemExit) as exited:
        parse("serve", "--port", "https")
    assert exited.value.code == 2
    assert "--port" in capsys.readouterr().err


def test_an_environment_value_of_the_wrong_type_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """``GITPLANE_PORT=https`` is a usage error that says which variable is wrong."""
    monkeypatch.setenv("GITPLANE_PORT", "https")
    with pytest.raises(SystemExit) as exited:
        parse("serve")
    assert exited.value.code == 2
    assert "GITPLANE_PORT='https' is not a valid int" in capsys.readouterr().err


def test_a_flag_wins_over_an_invalid_environment_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """A variable that a flag overrides is not looked at."""
    monkeypatch.setenv("GITPLANE_PORT", "https")
    assert parse("serve", "--port", "7443").port == 7443


@pytest.mark.parametrize(("address", "external", "url"), [
    pytest.param("127.0.0.1", "", "https://127.0.0.1:6443", id="listen-address"),
    pytest.param("0.0.0.0", "", "https://127.0.0.1:6443", id="wildcard-means-loopback"),
    pytest.param("::", "", "https://127.0.0.1:6443", id="ipv6-wildcard"),
    pytest.param("::1", "", "https://[::1]:6443", id="ipv6-in-brackets"),
    pytest.param("0.0.0.0", "api.example.com", "https://api.example.com:6443", id="external-name-wins"),
])
def test_the_server_url_clients_use(address: str, external: str, url: str) -> None:
    """The URL written to kubeconfigs: the external name, else the listen address, never a wildcard."""
    assert ServerSettings(address=address, external_hostname=external).url == url
