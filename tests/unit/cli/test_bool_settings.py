"""A bool setting (``--accept-data-loss``) is a flag without a value; its GITPLANE_* twin takes true, false,
1 or 0, and anything else is a usage error naming the variable. ``gitplane check`` has its own flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitplane.cli.main import build_parser, settings_from
from gitplane.settings import CheckSettings
from tests.unit.cli.settings_args import parse


def test_a_bool_flag_takes_no_value_and_is_off_by_default() -> None:
    assert parse("serve").accept_data_loss is False
    assert parse("serve", "--accept-data-loss").accept_data_loss is True


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("TRUE", True), ("1", True), ("false", False),
                                            ("False", False), ("0", False)])
def test_a_bool_environment_twin_takes_true_false_1_or_0(monkeypatch: pytest.MonkeyPatch, raw: str,
                                                         value: bool) -> None:
    monkeypatch.setenv("GITPLANE_ACCEPT_DATA_LOSS", raw)
    assert parse("up").accept_data_loss is value


def test_a_bool_flag_wins_over_its_environment_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITPLANE_ACCEPT_DATA_LOSS", "false")
    assert parse("serve", "--accept-data-loss").accept_data_loss is True


def test_any_other_bool_environment_value_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITPLANE_ACCEPT_DATA_LOSS", "yes please")
    with pytest.raises(SystemExit) as exited:
        parse("serve")
    assert exited.value.code == 2
    assert "GITPLANE_ACCEPT_DATA_LOSS='yes please' is not a valid bool (true, false, 1 or 0)" in \
        capsys.readouterr().err


def test_check_takes_the_data_directory_from_its_flag_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    parser, commands = build_parser()
    args = parser.parse_args(["check", "--data-dir", "/srv/gp"])
    assert settings_from(commands["check"], args, CheckSettings) == CheckSettings(data_dir=Path("/srv/gp"))
    monkeypatch.setenv("GITPLANE_DATA_DIR", "/var/lib/gitplane")
    args = parser.parse_args(["check"])
    assert settings_from(commands["check"], args, CheckSettings) == CheckSettings(
        data_dir=Path("/var/lib/gitplane"))
