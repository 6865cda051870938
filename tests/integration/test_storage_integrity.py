"""Regression tests of storage integrity against a real server process: after kill -9, a WAL that is deleted,
truncated to its header or overwritten makes the server refuse to start (acknowledged writes are missing)
until ``--accept-data-loss``, after which resourceVersions continue above every one acknowledged; a lost
database refuses too; a flipped byte in a stored value is a 500 for that object only and ``gitplane check``
names it; random bytes over a page fail ``gitplane check``."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from tests.integration.server import ServerProcess

pytestmark = pytest.mark.integration

BURST = 100
ATTEMPTS = 10
NORMAL = ("--sqlite-synchronous", "NORMAL")


def connect(proc: ServerProcess) -> client.ApiClient:
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(proc.kubeconfig), client_configuration=configuration)
    configuration.connection_pool_maxsize = 16
    return client.ApiClient(configuration)


def create(proc: ServerProcess, names: list[str], data: Callable[[str], dict[str, str]] | None = None, *,
           then: Callable[[], None] | None = None) -> list[int]:
    """Create a ConfigMap per name, 16 at a time; the acknowledged resourceVersions. ``then`` runs as soon as
    the last create is answered (before the client's connections are closed, which can take a while)."""
    with connect(proc) as api:
        core = client.CoreV1Api(api)

        def one(name: str) -> int:
            cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data=data(name) if data else None)
            return int(core.create_namespaced_config_map("default", cm).metadata.resource_version)

        try:
            with ThreadPoolExecutor(16) as pool:
                return list(pool.map(one, names))
        finally:
            if then is not None:
                then()


def database(data_dir: Path) -> Path:
    return data_dir / "gitplane.db"


def revision_of_the_database_file_alone(data_dir: Path) -> int | None:
    """The revision the database file holds without its WAL (None if the file alone is not consistent, as
    when the kill came in the middle of a checkpoint)."""
    conn = sqlite3.connect(f"file:{database(data_dir)}?immutable=1", uri=True)
    try:
        if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
            return None
        return int(conn.execute("SELECT revision FROM meta").fetchall()[0][0])
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


BURSTS = itertools.count()
"""Numbers the bursts, so that each creates new names."""


def burst_then_kill(proc: ServerProcess) -> int:
    """Write a burst and kill -9 the server right after it; the highest acknowledged resourceVersion."""
    burst = next(BURSTS)
    return max(create(proc, [f"burst{burst}-{i:03d}" for i in range(BURST)], then=proc.kill))


def only_the_wal_holds(data_dir: Path, acknowledged: int) -> bool:
    """Whether the database file alone lacks acknowledged writes (and is consistent without its WAL)."""
    alone = revision_of_the_database_file_alone(data_dir)
    return alone is not None and alone < acknowledged and os.path.getsize(f"{database(data_dir)}-wal") > 0


def crash_with_writes_only_in_the_wal(data_dir: Path) -> int:
    """Burst and kill -9 until the WAL alone holds acknowledged writes: the checkpoint thread may have copied
    everything in time, or the kill may have come in the middle of a checkpoint. The highest resourceVersion
    acknowledged."""
    for _ in range(ATTEMPTS):
        acknowledged = burst_then_kill(ServerProcess(data_dir, extra_args=NORMAL).start())
        if only_the_wal_holds(data_dir, acknowledged):
            return acknowledged
        if revision_of_the_database_file_alone(data_dir) is None:
            # the kill tore a checkpoint, and later bursts may never leave the file whole again: a clean stop
            # copies the WAL back entirely, so the next attempt starts from a consistent file
            ServerProcess(data_dir, extra_args=NORMAL).start().stop()
    raise AssertionError(f"the checkpoint copied every write {ATTEMPTS} times in a row")


def refused(data_dir: Path) -> str:
    """Start a server that must refuse to: its log."""
    proc = ServerProcess(data_dir, extra_args=NORMAL)
    with pytest.raises(RuntimeError, match="did not become ready"):
        proc.start()
    assert proc.process is not None and proc.process.returncode == 1
    return proc.log()


def delete(path: Path) -> None:
    path.unlink()


def truncate_to_header(path: Path) -> None:
    os.truncate(path, 32)


def overwrite_with_random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def test_a_lost_wal_after_kill_9_refuses_to_start_until_the_loss_is_accepted(tmp_path: Path) -> None:
    """For a WAL deleted, truncated to its header, or overwritten with random bytes after kill -9 (one after
    the other in one data directory): the server exits saying how many acknowledged writes are missing; with
    --accept-data-loss (or its variable) it starts, and the next resourceVersion is above every acknowledged
    one."""
    acknowledged = crash_with_writes_only_in_the_wal(tmp_path)
    accepting = [(("--accept-data-loss",), {}), ((), {"GITPLANE_ACCEPT_DATA_LOSS": "true"}),
                 (("--accept-data-loss",), {})]
    for number, (damage, (flag, env)) in enumerate(zip((delete, truncate_to_header, overwrite_with_random_bytes),
                                                       accepting, strict=True)):
        damage(Path(f"{database(tmp_path)}-wal"))
        log = refused(tmp_path)
        reported = re.search(r"but revision (\d+) was acknowledged", log)
        # the server's own controllers may have written after the client's last acknowledged write
        assert reported is not None and int(reported.group(1)) >= acknowledged, (damage.__name__, log)
        acknowledged = int(reported.group(1))
        assert "acknowledged writes are missing (was the WAL file deleted or damaged?)" in log, damage.__name__
        assert "start with --accept-data-loss" in log, damage.__name__
        proc = ServerProcess(tmp_path, extra_args=(*NORMAL, *flag), env=env).start()
        [revision] = create(proc, [f"after-the-loss-{number}"])
        assert revision > acknowledged, damage.__name__
        assert "WARNING gitplane.storage.sqlite_open: accepting data loss" in proc.log(), damage.__name__
        acknowledged = burst_then_kill(proc)
        if not only_the_wal_holds(tmp_path, acknowledged):
            acknowledged = crash_with_writes_only_in_the_wal(tmp_path)


def gitplane_check(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gitplane", "check", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=60, check=False)


def payloads(name: str) -> dict[str, str]:
    return {"payload": f"unique-payload-of-{name}-" + "p" * 200}


NAMES = [f"cm-{i:02d}" for i in range(40)]


@pytest.fixture(scope="module")
def stopped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A data directory whose server stored :data:`NAMES` and stopped; the highest resourceVersion it handed
    out (the server's own controllers write too, so that is the store's last revision, read once stopped)."""
    data_dir = tmp_path_factory.mktemp("stored")
    proc = ServerProcess(data_dir).start()
    try:
        created = max(create(proc, NAMES, payloads))
    finally:
        assert proc.stop() == 0
    last = revision_of_the_database_file_alone(data_dir)
    assert last is not None and last >= created
    return data_dir, last


def copy_of(stopped: tuple[Path, int], tmp_path: Path) -> Path:
    shutil.copytree(stopped[0], tmp_path / "data")
    return tmp_path / "data"


def test_a_zero_length_or_deleted_database_refuses_to_start(stopped: tuple[Path, int], tmp_path: Path) -> None:
    """A data directory whose database is emptied or gone is not a new cluster; accepting, revisions go on."""
    data_dir, acknowledged = copy_of(stopped, tmp_path), stopped[1]
    os.truncate(database(data_dir), 0)
    log = refused(data_dir)
    assert f"the database {database(data_dir)} is empty but revision {acknowledged} was acknowledged" in log
    database(data_dir).unlink()
    log = refused(data_dir)
    assert f"the database {database(data_dir)} is missing but revision {acknowledged} was acknowledged" in log
    assert f"{acknowledged} acknowledged writes are missing" in log
    proc = ServerProcess(data_dir, extra_args=("--accept-data-loss",)).start()
    try:
        assert create(proc, ["after-the-loss"])[0] > acknowledged
    finally:
        assert proc.stop() == 0


def test_a_flipped_byte_in_a_value_fails_that_object_only(stopped: tuple[Path, int], tmp_path: Path) -> None:
    """GET of the damaged object is a 500 and the log names its key; every other object reads fine;
    ``gitplane check`` exits non-zero naming it."""
    data_dir = copy_of(stopped, tmp_path)
    data = bytearray(database(data_dir).read_bytes())
    marker = b"unique-payload-of-cm-03-"
    offset = data.find(marker)
    assert offset >= 0
    while offset >= 0:
        data[offset + len(marker)] ^= 0x01
        offset = data.find(marker, offset + 1)
    database(data_dir).write_bytes(bytes(data))

    proc = ServerProcess(data_dir).start()
    try:
        with connect(proc) as api:
            core = client.CoreV1Api(api)
            with pytest.raises(ApiException) as failed:
                core.read_namespaced_config_map("cm-03", "default")
            assert failed.value.status == 500
            assert "unique-payload" not in (failed.value.body or "")
            assert "//configmaps//root/default/cm-03" in (failed.value.body or "")  # the answer names the key
            for name in NAMES:
                if name != "cm-03":
                    assert core.read_namespaced_config_map(name, "default").data == payloads(name)
    finally:
        assert proc.stop() == 0
    assert "stored data of //configmaps//root/default/cm-03 at revision" in proc.log()
    checked = gitplane_check(data_dir)
    assert checked.returncode == 1
    assert "objects: PROBLEM: //configmaps//root/default/cm-03 (revision" in checked.stdout


def test_random_bytes_over_a_page_fail_the_check(stopped: tuple[Path, int], tmp_path: Path) -> None:
    """SQLite's integrity check and the checksums find a page overwritten with random bytes."""
    data_dir = copy_of(stopped, tmp_path)
    assert gitplane_check(data_dir).returncode == 0
    data = bytearray(database(data_dir).read_bytes())
    page = data.index(b"unique-payload-of-cm-20-") // 4096
    data[page * 4096:(page + 1) * 4096] = os.urandom(4096)
    database(data_dir).write_bytes(bytes(data))
    checked = gitplane_check(data_dir)
    assert checked.returncode == 1
    assert "PROBLEM" in checked.stdout
