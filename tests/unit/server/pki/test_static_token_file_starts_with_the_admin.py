"""The static token file: created on first start with the admin's token (system:masters), private, and read
as it is on later starts (edits survive)."""

from __future__ import annotations

import stat
from pathlib import Path

from gitplane.server.request import UserInfo
from gitplane.server.service import ensure_token_file


def test_first_start_writes_the_admin_token(tmp_path: Path) -> None:
    """The new file holds one line for gitplane-admin in system:masters and is readable by its owner only."""
    path = tmp_path / "tokens.csv"
    assert ensure_token_file(path, "t0k3n") == {
        "t0k3n": UserInfo("gitplane-admin", ("system:masters",), "gitplane-admin")}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_file_is_read_not_rewritten(tmp_path: Path) -> None:
    """Tokens added by the operator stay; the admin token argument does not replace them."""
    path = tmp_path / "tokens.csv"
    path.write_text('other,bob,uid-bob,"devs"\n')
    assert ensure_token_file(path, "t0k3n") == {"other": UserInfo("bob", ("devs",), "uid-bob")}
    assert path.read_text() == 'other,bob,uid-bob,"devs"\n'
