"""Storage benchmark: the SQLite store's hot paths beside a raw SQLite baseline measured in the same run.

Prints, for 1 KiB ConfigMap-like objects:

* sequential creates/s (one caller, each create waits for its commit);
* creates/s and p50/p99 latency with 10 concurrent writers (group commit), beside a raw ``sqlite3`` loop that
  commits every insert on its own (``BEGIN IMMEDIATE; INSERT; COMMIT``, the same WAL and synchronous mode);
* point gets/s (``SQLiteStore.get`` on the event loop);
* the time to list 10,000 objects of one namespace (one call, stored bytes, no decoding).

Run from the repository root: ``python -m bench.storage_bench [--synchronous FULL|NORMAL]``. Absolute
numbers are noisy on shared machines; compare each figure with its baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import orjson

from gitplane.storage.interface import Key, Prefix
from gitplane.storage.sqlite import SQLiteStore


def configmap(name: str) -> bytes:
    data = {"payload": "x" * 880}
    return orjson.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": name, "namespace": "bench", "labels": {"app": "bench"}},
                         "data": data})


def key(namespace: str, name: str) -> Key:
    return Key("", "configmaps", "", "root", namespace, name)


def raw_commits_per_second(path: Path, synchronous: str, count: int) -> float:
    """The baseline: one committed insert at a time, in a bare SQLite table."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, revision INTEGER, value BLOB) WITHOUT ROWID")
    value = configmap("raw")
    start = time.perf_counter()
    for i in range(count):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO kv VALUES (?, ?, ?)", (f"/raw/{i:08d}", i, value))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return count / elapsed


async def sequential_creates(store: SQLiteStore, count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        await store.create(key("sequential", f"cm-{i:08d}"), configmap(f"cm-{i:08d}"))
    return count / (time.perf_counter() - start)


async def concurrent_creates(store: SQLiteStore, writers: int, each: int) -> tuple[float, float, float]:
    """Creates/s, p50 and p99 latency (ms) with ``writers`` concurrent callers."""
    latencies: list[float] = []

    async def writer(number: int) -> None:
        for i in range(each):
            name = f"w{number}-{i:08d}"
            started = time.perf_counter()
            await store.create(key("concurrent", name), configmap(name))
            latencies.append(time.perf_counter() - started)

    start = time.perf_counter()
    await asyncio.gather(*(writer(number) for number in range(writers)))
    elapsed = time.perf_counter() - start
    cuts = statistics.quantiles(latencies, n=100)
    return writers * each / elapsed, cuts[49] * 1000, cuts[98] * 1000


async def point_gets(store: SQLiteStore, keys: list[Key], count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        await store.get(keys[i % len(keys)])
    return count / (time.perf_counter() - start)


async def fill_namespace(store: SQLiteStore, objects: int) -> list[Key]:
    keys = [key("listed", f"cm-{i:08d}") for i in range(objects)]
    for first in range(0, objects, 1000):
        await asyncio.gather(*(store.create(k, configmap(k.name)) for k in keys[first:first + 1000]))
    return keys


async def list_milliseconds(store: SQLiteStore, objects: int, runs: int = 7) -> float:
    prefix = Prefix("", "configmaps", "", "root", "listed")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        page = await store.list(prefix)
        times.append(time.perf_counter() - start)
        assert len(page.records) == objects
    return statistics.median(times) * 1000


async def main(arguments: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(dir=arguments.directory) as directory:
        raw = raw_commits_per_second(Path(directory) / "raw.db", arguments.synchronous, arguments.raw)
        store = await SQLiteStore.open(Path(directory) / "store.db", synchronous=arguments.synchronous)
        try:
            sequential = await sequential_creates(store, arguments.sequential)
            rate, p50, p99 = await concurrent_creates(store, 10, arguments.concurrent // 10)
            commits_before = store.stats.commits
            keys = await fill_namespace(store, arguments.objects)
            batched = arguments.objects / max(1, store.stats.commits - commits_before)
            gets = await point_gets(store, keys, arguments.gets)
            listed = await list_milliseconds(store, arguments.objects)
        finally:
            await store.close()
    print(f"SQLite {sqlite3.sqlite_version}, synchronous={arguments.synchronous}, 1 KiB objects, "
          f"{os.cpu_count()} CPUs")
    print(f"raw sqlite3, one commit per insert:      {raw:9.0f} inserts/s   (baseline)")
    print(f"store, sequential creates:               {sequential:9.0f} creates/s   "
          f"({sequential / raw:.2f}x raw)")
    print(f"store, 10 concurrent writers:            {rate:9.0f} creates/s   ({rate / raw:.2f}x raw), "
          f"p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"store, bulk fill:                        {batched:9.1f} writes per commit")
    print(f"store, point gets:                       {gets:9.0f} gets/s")
    print(f"store, list of {arguments.objects} objects in one namespace: {listed:7.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL")
    parser.add_argument("--objects", type=int, default=10_000, help="objects listed in one namespace")
    parser.add_argument("--raw", type=int, default=3000, help="inserts of the raw baseline")
    parser.add_argument("--sequential", type=int, default=2000, help="sequential creates")
    parser.add_argument("--concurrent", type=int, default=10_000, help="creates by 10 concurrent writers")
    parser.add_argument("--gets", type=int, default=50_000, help="point gets")
    parser.add_argument("--directory", default=None, help="where the scratch databases go")
    asyncio.run(main(parser.parse_args()))
