"""Every value the SQLite store hands out is verified against its checksum: a damaged value fails its read
with Corrupted naming the key and revision (logged once) and is never served, other objects still read
fine, and SQLite's own "malformed" becomes the same error. Version-1 databases gain their checksums in place."""

from __future__ import annotations

import io
import logging
import sqlite3
from pathlib import Path

import pytest

from gitplane.storage.interface import Corrupted, Prefix
from gitplane.storage.sqlite import SQLiteStore
from gitplane.storage.sqlite_check import check_store
from gitplane.storage.sqlite_schema import SCHEMA_VERSION
from gitplane.storage.sqlite_sidecar import RevisionRecord, read_record, record_path
from tests.unit.storage.storage_samples import body, key, take

DEFAULT = Prefix("", "configmaps", "", "root", "default")
OTHER = Prefix("", "configmaps", "", "root", "other")


async def written_store(path: Path) -> None:
    """Objects a, b, c in default (b updated once) and d in other."""
    store = await SQLiteStore.open(path)
    try:
        for name in ("a", "b", "c"):
            await store.create(key(name), body(name, data={"payload": f"payload-{name}"}))
        current = await store.get(key("b"))
        await store.update(key("b"), body("b", data={"payload": "payload-b2"}), expect=current.revision)
        await store.create(key("d", namespace="other"), body("d"))
    finally:
        await store.close()


def damage_value(path: Path, table: str, where: str, column: str = "value") -> None:
    """Change one byte of a stored value behind the store's back, leaving its checksum as it was."""
    conn = sqlite3.connect(path)
    value = conn.execute(f"SELECT {column} FROM {table} WHERE {where}").fetchall()[0][0]
    damaged = value.replace(b"payload", b"paYload")
    assert damaged != value
    conn.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (damaged,))
    conn.commit()
    conn.close()


async def test_a_damaged_object_fails_its_get_naming_the_key_and_others_still_read(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """GET of the damaged object raises Corrupted (logged once however often it is read); the rest is served."""
    path = tmp_path / "store.db"
    await written_store(path)
    damage_value(path, "objects", "key = '//configmaps//root/default/a'")
    store = await SQLiteStore.open(path)
    try:
        with caplog.at_level(logging.ERROR, logger="gitplane.storage.sqlite_checksum"):
            for _ in range(3):
                with pytest.raises(Corrupted) as raised:
                    await store.get(key("a"))
        assert raised.value.subject == "//configmaps//root/default/a"
        assert raised.value.revision == 1
        assert "stored data of //configmaps//root/default/a at revision 1 is corrupted" in str(raised.value)
        assert b"paYload" not in str(raised.value).encode()
        assert caplog.text.count("//configmaps//root/default/a at revision 1") == 1
        assert (await store.get(key("c"))).revision == 3
        assert [record.key.name for record in (await store.list(OTHER)).records] == ["d"]
    finally:
        await store.close()


async def test_a_damaged_object_fails_the_list_of_its_range(tmp_path: Path) -> None:
    """A list never serves a page with a damaged value in it; it names the key."""
    path = tmp_path / "store.db"
    await written_store(path)
    damage_value(path, "objects", "key = '//configmaps//root/default/c'")
    store = await SQLiteStore.open(path)
    try:
        with pytest.raises(Corrupted, match="//configmaps//root/default/c at revision 3"):
            await store.list(DEFAULT)
        assert [record.key.name for record in (await store.list(DEFAULT, limit=1)).records] == ["a"]
    finally:
        await store.close()


async def test_damaged_history_fails_watches_and_lists_at_older_revisions(tmp_path: Path) -> None:
    """An event's value and its previous value are verified when a watch resumes or a list looks back."""
    path = tmp_path / "store.db"
    await written_store(path)
    damage_value(path, "events", "revision = 2")
    damage_value(path, "events", "revision = 4", column="previous")
    store = await SQLiteStore.open(path)
    try:
        with pytest.raises(Corrupted, match="//configmaps//root/default/b at revision 2"):
            await take(store.watch(DEFAULT, since=1), 1)
        with pytest.raises(Corrupted, match="//configmaps//root/default/b at revision 2"):
            await store.list(DEFAULT, revision=3)
        assert [event.revision for event in await take(store.watch(OTHER, since=1), 1)] == [5]
    finally:
        await store.close()


async def test_a_write_to_a_damaged_object_fails_and_others_in_its_batch_commit(tmp_path: Path) -> None:
    """The writer verifies the row it replaces, so damage is never copied into a new, valid checksum."""
    path = tmp_path / "store.db"
    await written_store(path)
    damage_value(path, "objects", "key = '//configmaps//root/default/a'")
    store = await SQLiteStore.open(path)
    try:
        with pytest.raises(Corrupted, match="//configmaps//root/default/a"):
            await store.delete(key("a"))
        with pytest.raises(Corrupted, match="//configmaps//root/default/a"):
            await store.update(key("a"), body("a"), expect=1)
        assert (await store.create(key("e"), body("e"))).revision == 6
    finally:
        await store.close()


async def test_a_malformed_page_fails_the_reads_that_touch_it_naming_what_was_read(tmp_path: Path) -> None:
    """SQLite's "database disk image is malformed" becomes Corrupted naming the key (GET) or prefix (LIST)."""
    path = tmp_path / "store.db"
    store = await SQLiteStore.open(path)
    try:
        for i in range(40):
            payload = f"unique-{i:02d}-" + "x" * 900
            await store.create(key(f"n{i:02d}"), body(f"n{i:02d}", data={"payload": payload}))
        await store.compact(store.current_revision())
    finally:
        await store.close()
    conn = sqlite3.connect(path)
    conn.execute("VACUUM")  # the values now live in the objects table only
    page_size = conn.execute("PRAGMA page_size").fetchall()[0][0]
    conn.close()
    data = bytearray(path.read_bytes())
    page = data.index(b"unique-20-") // page_size
    other = data.index(b"unique-00-") // page_size
    assert page != other and page > 0
    data[page * page_size:page * page_size + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))

    store = await SQLiteStore.open(path)
    try:
        with pytest.raises(Corrupted, match="stored data of //configmaps//root/default/n20 is corrupted "
                                            r"\(SQLite: database disk image is malformed\)"):
            await store.get(key("n20"))
        with pytest.raises(Corrupted, match="stored data of //configmaps//root/default/ is corrupted"):
            await store.list(DEFAULT)
        assert (await store.get(key("n00"))).key.name == "n00"
    finally:
        await store.close()


V1_SCHEMA = """
CREATE TABLE objects (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, revision INTEGER NOT NULL,
                      value BLOB NOT NULL);
CREATE TABLE events (revision INTEGER PRIMARY KEY, key TEXT NOT NULL, type INTEGER NOT NULL, value BLOB NOT NULL,
                     previous_revision INTEGER, previous BLOB, time REAL NOT NULL);
CREATE INDEX events_by_key ON events (key, revision);
CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 0), revision INTEGER NOT NULL, compacted INTEGER NOT NULL);
INSERT INTO meta (id, revision, compacted) VALUES (0, 2, 0);
INSERT INTO objects (key, revision, value) VALUES ('//configmaps//root/default/a', 2, CAST('{"v":2}' AS BLOB));
INSERT INTO events VALUES (1, '//configmaps//root/default/a', 0, CAST('{"v":1}' AS BLOB), NULL, NULL, 1.0);
INSERT INTO events VALUES (2, '//configmaps//root/default/a', 1, CAST('{"v":2}' AS BLOB), 1,
                           CAST('{"v":1}' AS BLOB), 2.0);
PRAGMA user_version = 1;
"""


async def test_a_version_1_database_is_migrated_in_place(tmp_path: Path) -> None:
    """Opening a database from before checksums adds them to every row; it reads and checks as a new one."""
    path = tmp_path / "store.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(V1_SCHEMA)
    conn.close()
    assert check_store(path, out=io.StringIO()) == 0
    store = await SQLiteStore.open(path)
    try:
        assert (await store.get(key("a"))).value == b'{"v":2}'
        events = await take(store.watch(DEFAULT, since=0), 2)
        assert events[1].previous is not None and events[1].previous.value == b'{"v":1}'
        assert (await store.create(key("b"), body("b"))).revision == 3
    finally:
        await store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchall()[0][0] == SCHEMA_VERSION
    conn.close()
    found = read_record(record_path(str(path)))
    assert found is not None and found.acknowledged == 3
    assert check_store(path, out=io.StringIO()) == 0
    assert read_record(record_path(str(path))) == RevisionRecord(3, found.reserved)
