"""``gitplane check`` passes a sound store, stopped or running, without writing anything, and finds each
kind of damage: a value that fails its checksum, history that disagrees with the objects, a missing or
contradicting revision record, pages SQLite cannot read; it exits 2 when there is no database."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from gitplane.cli.main import main
from gitplane.storage.sqlite import SQLiteStore
from gitplane.storage.sqlite_check import check_store
from gitplane.storage.sqlite_sidecar import RevisionRecord, encode, record_path
from tests.unit.storage.storage_samples import body, key

CHECKS = ("database", "schema", "objects", "events", "history", "revision record")


async def written_store(path: Path, count: int = 30) -> None:
    store = await SQLiteStore.open(path)
    try:
        for i in range(count):
            payload = f"payload-{i:02d}-" + "x" * 500
            await store.create(key(f"n{i:02d}"), body(f"n{i:02d}", data={"payload": payload}))
        await store.delete(key("n01"))
    finally:
        await store.close()


def run_check(path: Path) -> tuple[int, dict[str, str]]:
    """The exit code and each check's line (without its name)."""
    out = io.StringIO()
    code = check_store(path, out=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    return code, lines


def execute(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


async def test_a_sound_stopped_store_passes_and_nothing_is_written(tmp_path: Path) -> None:
    """Every check says ok; the check leaves no WAL, shared-memory or other file behind."""
    path = tmp_path / "store.db"
    await written_store(path)
    before = sorted(os.listdir(tmp_path))
    code, lines = run_check(path)
    assert code == 0, lines
    assert all(lines[name].startswith("ok (") for name in CHECKS)
    assert lines["objects"] == "ok (29 objects, checksums verified)"
    assert lines["events"] == "ok (31 events, window revisions 1 to 31, checksums verified)"
    assert lines["revision record"] == "ok (acknowledged 31, reserved 10000)"
    assert sorted(os.listdir(tmp_path)) == before


async def test_a_running_store_passes_while_it_is_written(tmp_path: Path) -> None:
    """One read snapshot, and the record read around it: concurrent commits are never taken for damage."""
    path = tmp_path / "store.db"
    store = await SQLiteStore.open(path)
    try:
        writes = asyncio.gather(*(store.create(key(f"n{i}"), body(f"n{i}")) for i in range(2000)))
        results = [await asyncio.to_thread(run_check, path) for _ in range(3)]
        await writes
        results.append(await asyncio.to_thread(run_check, path))
    finally:
        await store.close()
    for code, lines in results:
        assert code == 0, lines


async def test_a_value_that_fails_its_checksum_is_named(tmp_path: Path) -> None:
    """One changed byte in an object and in an event: both are found, by key and revision."""
    path = tmp_path / "store.db"
    await written_store(path)
    encoded = key("n07").encode()
    execute(path, f"UPDATE objects SET value = CAST(replace(CAST(value AS TEXT), 'payload', 'paYload') AS BLOB) "
                  f"WHERE key = '{encoded}'",
            "UPDATE events SET value = CAST(replace(CAST(value AS TEXT), 'payload', 'paYload') AS BLOB) "
            "WHERE revision = 9")
    code, lines = run_check(path)
    assert code == 1
    assert lines["objects"] == f"PROBLEM: {encoded} (revision 8) fail their checksum"
    assert lines["events"] == f"PROBLEM: the events of {key('n08').encode()} (revision 9) fail their checksum"
    assert lines["database"].startswith("ok")


async def test_history_that_disagrees_with_the_objects_is_found(tmp_path: Path) -> None:
    """A missing event leaves a hole in the window and an object without its event."""
    path = tmp_path / "store.db"
    await written_store(path)
    execute(path, "DELETE FROM events WHERE revision = 5")
    code, lines = run_check(path)
    assert code == 1
    assert "revision 6 follows 4 (expected 5)" in lines["events"]
    assert lines["history"] == f"PROBLEM: {key('n04').encode()} (revision 5) have no event in the history window"


async def test_an_object_newer_than_the_database_revision_is_found(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    await written_store(path)
    execute(path, "UPDATE meta SET revision = 20", "DELETE FROM events WHERE revision > 20")
    code, lines = run_check(path)
    assert code == 1
    assert "are newer than the database's revision 20" in lines["objects"]
    assert "revision 31 was acknowledged but the database ends at 20: 11 acknowledged writes are missing" in \
        lines["revision record"]


@pytest.mark.parametrize(("damage", "problem"), [
    pytest.param(os.unlink, "is missing: the server will refuse to start", id="missing"),
    pytest.param(lambda path: Path(path).write_bytes(b"\0" * 32), "is damaged", id="damaged"),
    pytest.param(lambda path: Path(path).write_bytes(encode(RevisionRecord(40, 10_000))),
                 "revision 40 was acknowledged but the database ends at 31: 9 acknowledged writes are missing",
                 id="ahead-of-the-database"),
])
async def test_a_revision_record_that_would_stop_the_server_is_found(
        tmp_path: Path, damage: Callable[[str], object], problem: str) -> None:
    path = tmp_path / "store.db"
    await written_store(path)
    damage(record_path(str(path)))
    code, lines = run_check(path)
    assert code == 1
    assert problem in lines["revision record"]


async def test_random_bytes_over_a_page_fail_the_check(tmp_path: Path) -> None:
    """SQLite's integrity check finds a page that is no longer a b-tree page."""
    path = tmp_path / "store.db"
    await written_store(path)
    data = bytearray(path.read_bytes())
    page = data.index(b"payload-10-") // 4096
    data[page * 4096:(page + 1) * 4096] = os.urandom(4096)
    path.write_bytes(bytes(data))
    code, lines = run_check(path)
    assert code == 1
    assert any(line.startswith("PROBLEM") for line in lines.values())


def test_without_a_database_the_check_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check_store(tmp_path / "store.db", out=io.StringIO()) == 2
    assert f"there is no database at {tmp_path / 'store.db'}" in capsys.readouterr().err


async def test_gitplane_check_takes_the_data_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``gitplane check --data-dir DIR`` checks ``DIR/gitplane.db`` and exits with the check's code."""
    await written_store(tmp_path / "gitplane.db")
    assert await asyncio.to_thread(main, ["check", "--data-dir", str(tmp_path)]) == 0
    assert "all checks passed" in capsys.readouterr().out
    os.unlink(record_path(str(tmp_path / "gitplane.db")))
    assert await asyncio.to_thread(main, ["check", "--data-dir", str(tmp_path)]) == 1
    assert await asyncio.to_thread(main, ["check", "--data-dir", str(tmp_path / "nowhere")]) == 2
