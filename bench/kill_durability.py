"""Kill -9 durability: SIGKILL the SQLite store under 16 concurrent writers, again and again, and check that
every acknowledged write survived and that no revision ever repeated or went back.

Each run starts a child process (this module with ``--child``) that opens the store and creates ConfigMap-like
objects from 16 concurrent tasks, printing every acknowledged write (name and revision) on its own line. The
parent kills it with SIGKILL at a random moment, then opens the store itself and checks that every write
acknowledged so far is there with its revision, that no revision was handed out twice, and that each run's
revisions start above everything acknowledged before. A write is counted as acknowledged only once the
parent has read its line, so the figures are a lower bound and a loss is always real.

The baseline, measured in the same run, is the same child writing for the same time without being killed:
its writes/s beside the rate of the killed runs show what the restarts cost.

Run from the repository root: ``python -m bench.kill_durability [--kills 5] [--seconds 2] [--synchronous
NORMAL|FULL]``. It exits 1 if a write was lost or a revision repeated.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from gitplane.storage.interface import Key, StorageError
from gitplane.storage.sqlite import SQLiteStore

WRITERS = 16
VALUE = orjson.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "bench"},
                      "data": {"payload": "x" * 880}})


def key(name: str) -> Key:
    return Key("", "configmaps", "", "root", "bench", name)


async def child(path: str, synchronous: str, run: int) -> None:
    """Write until killed, printing ``name revision`` for every acknowledged create."""
    store = await SQLiteStore.open(path, synchronous="FULL" if synchronous == "FULL" else "NORMAL")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print("open", store.current_revision())

    async def writer(number: int) -> None:
        for i in itertools.count():
            name = f"r{run}-w{number}-{i}"
            record = await store.create(key(name), VALUE)
            print(name, record.revision)

    await asyncio.gather(*(writer(number) for number in range(WRITERS)))


@dataclass
class Run:
    """What one child acknowledged before it was killed."""

    opened_at: int
    acknowledged: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def run_child(path: Path, synchronous: str, run: int, seconds: float) -> Run:
    """Start a writing child, SIGKILL it after ``seconds``; what it acknowledged."""
    process = subprocess.Popen([sys.executable, "-m", "bench.kill_durability", "--child", str(path), synchronous,
                                str(run)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    first = process.stdout.readline().split()
    if first[:1] != ["open"]:
        process.kill()
        raise SystemExit(f"run {run}: the store did not open (exit {process.wait()})")
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
    reader.start()
    started = time.perf_counter()
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait()
    elapsed = time.perf_counter() - started
    reader.join()
    result = Run(opened_at=int(first[1]), seconds=elapsed)
    for line in lines:
        if line.endswith("\n"):
            name, revision = line.split()
            result.acknowledged[name] = int(revision)
    return result


async def missing(path: Path, acknowledged: dict[str, int]) -> list[str]:
    """The acknowledged writes the store does not have with their revision."""
    store = await SQLiteStore.open(path)
    try:
        lost = []
        for name, revision in acknowledged.items():
            try:
                found = (await store.get(key(name))).revision
            except StorageError:  # not found, or damaged: lost either way
                found = None
            if found != revision:
                lost.append(name)
        if store.current_revision() < max(acknowledged.values(), default=0):
            lost.append(f"the store's revision {store.current_revision()}")
        return lost
    finally:
        await store.close()


def main(arguments: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(dir=arguments.directory) as directory:
        baseline = run_child(Path(directory) / "baseline.db", arguments.synchronous, 0,
                             arguments.seconds * arguments.kills)
        path = Path(directory) / "store.db"
        acknowledged: dict[str, int] = {}
        lost: list[str] = []
        backwards = 0
        seconds = 0.0
        for run in range(1, arguments.kills + 1):
            result = run_child(path, arguments.synchronous, run,
                               random.uniform(arguments.seconds / 2, arguments.seconds * 1.5))
            highest = max(acknowledged.values(), default=0)
            backwards += result.opened_at < highest
            backwards += sum(revision <= highest for revision in result.acknowledged.values())
            acknowledged.update(result.acknowledged)
            seconds += result.seconds
            lost = asyncio.run(missing(path, acknowledged))
            if lost:
                break
        repeated = len(acknowledged) - len(set(acknowledged.values()))
    baseline_rate = len(baseline.acknowledged) / baseline.seconds
    rate = len(acknowledged) / seconds
    print(f"kill -9 durability: SQLiteStore, synchronous={arguments.synchronous}, {WRITERS} concurrent writers, "
          f"{arguments.kills} kills, about {arguments.seconds:.1f} s of writes each, {os.cpu_count()} CPUs")
    print(f"without kills (baseline):        {baseline_rate:9.0f} writes/s")
    print(f"with kills and restarts:         {rate:9.0f} writes/s   ({rate / baseline_rate:.2f}x baseline)")
    print(f"writes acknowledged:             {len(acknowledged):9d}")
    print(f"kills:                           {run:9d}")
    print(f"lost (must be 0):                {len(lost):9d}   {' '.join(lost[:5])}")
    print(f"revisions repeated (must be 0):  {repeated:9d}")
    print(f"revisions gone back (must be 0): {backwards:9d}")
    return 1 if lost or repeated or backwards else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        asyncio.run(child(sys.argv[2], sys.argv[3], int(sys.argv[4])))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=5, help="how many times the writing store is killed")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds of writes between two kills (on "
                        "average; each kill comes at a random moment)")
    parser.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="NORMAL")
    parser.add_argument("--directory", default=None, help="where the scratch databases go")
    parsed = parser.parse_args()
    if parsed.kills < 1:
        parser.error("--kills must be at least 1")
    sys.exit(main(parsed))
