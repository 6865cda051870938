"""Where a create's time goes: the ConfigMap create of :mod:`bench.api_bench`, by taking steps out.

Starts, all at once, gitplane servers at synchronous=NORMAL (the complete server, one with each step of
:mod:`bench.ablated_server` taken out, and one with all of them out), the complete server and the one with
every step out at the default synchronous=FULL, and the one-commit-per-request SQLite baseline at NORMAL of
:mod:`bench.baselines`. Each is pinned to CPU 0 and wrk to CPU 1; the measurements
alternate between the servers in rounds and each figure is the rounds' median. For every server it prints the
creates per second, the ratio to the baseline (api_bench's create goal is >= 0.5), and the CPU a create costs,
read from ``/proc`` for the event loop's thread and for the store's threads (writer, checkpoint, readers).
The difference to the complete server is what a step really costs, including what it costs elsewhere (a
larger object to store, checkpoint, encode and send).

The server with every step out shows the floor of this design: what the HTTP stack, authentication,
authorization, routing, the store and the watch fan-out cost a create with no API work left to do.

Run from the repository root: ``python -m bench.create_breakdown [--seconds 4] [--rounds 3]``. Needs wrk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.ablated_server import STEPS
from bench.api_bench import creates
from bench.harness import free_port, gitplane_server, process, require_wrk

# (label, steps taken out, synchronous)
VARIANTS = (("complete, FULL (default)", "none", "FULL"), ("without all four steps, FULL", "all", "FULL"),
            ("complete, NORMAL", "none", "NORMAL"),
            *((f"without {step}, NORMAL", step, "NORMAL") for step in STEPS),
            ("without all four steps, NORMAL", "all", "NORMAL"))
BASELINE = "SQLite commit/request, NORMAL"
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Round:
    requests_per_second: float
    p99_ms: float
    loop_us: float
    threads_us: float


def thread_ticks(pid: int) -> tuple[int, int]:
    """CPU ticks (user + system) of ``pid``'s main thread and of all its other threads."""
    main = others = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        ticks = int(fields[11]) + int(fields[12])
        if int(tid) == pid:
            main += ticks
        else:
            others += ticks
    return main, others


def measure(tmp: Path, pid: int, port: int, token: str, *, seconds: int, tag: str, url: str | None = None) -> Round:
    before = thread_ticks(pid)
    load = creates(tmp, port, token, seconds=seconds, connections=16, tag=tag, url=url)
    after = thread_ticks(pid)
    # the warm-up second is inside the ticks; the rate over it is the load's own (wrk warms up at full speed)
    requests = load.requests_per_second * (seconds + 1)
    return Round(load.requests_per_second, load.p99_ms, (after[0] - before[0]) / _TICK / requests * 1e6,
                 (after[1] - before[1]) / _TICK / requests * 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="gitplane-breakdown-") as tmp, ExitStack() as servers:
        ports, pids, tokens = {}, {}, {}
        for number, (label, steps, synchronous) in enumerate(VARIANTS):
            data_dir, port = Path(tmp) / f"server-{number}", free_port()
            command = [sys.executable, "-m", "bench.ablated_server", steps]
            server = servers.enter_context(gitplane_server(data_dir, port, "--sqlite-synchronous", synchronous,
                                                           command=command))
            ports[label], pids[label] = port, server.pid
            tokens[label] = (data_dir / "pki" / "admin.token").read_text().strip()
        sqlite_port = free_port()
        baseline = servers.enter_context(process(
            [sys.executable, "-m", "bench.baselines", "sqlite", "--port", str(sqlite_port), "--pki",
             str(Path(tmp) / "server-0" / "pki"), "--db", str(Path(tmp) / "baseline.db"), "--synchronous", "NORMAL"],
            port=sqlite_port))
        rounds: dict[str, list[Round]] = {name: [] for name in (*(v[0] for v in VARIANTS), BASELINE)}
        for number in range(args.rounds):
            for label, _, _ in VARIANTS:
                rounds[label].append(measure(Path(tmp), pids[label], ports[label], tokens[label],
                                             seconds=args.seconds, tag=f"r{number}"))
            rounds[BASELINE].append(measure(Path(tmp), baseline.pid, sqlite_port, "", seconds=args.seconds,
                                              tag=f"r{number}", url=f"https://127.0.0.1:{sqlite_port}/"))

    def median(name: str, field: str) -> float:
        return float(statistics.median(getattr(r, field) for r in rounds[name]))

    base_rate = median(BASELINE, "requests_per_second")
    complete = {synchronous: median(label, "loop_us") + median(label, "threads_us")
                for label, steps, synchronous in VARIANTS if steps == "none"}
    print(f"ConfigMap create at 16 connections, median of {args.rounds} alternating rounds of {args.seconds} s, "
          "each server on one core, TLS; saved = CPU per create below the complete server at the same durability")
    print(f"  {'server':32s} {'creates/s':>9s} {'ratio':>6s} {'p99 ms':>7s}   CPU µs per create: "
          f"{'loop':>6s} {'store':>6s} {'all':>6s} {'saved':>6s}")
    for label, steps, synchronous in (*VARIANTS, (BASELINE, "", "")):
        loop, threads = median(label, "loop_us"), median(label, "threads_us")
        saved = f"{complete[synchronous] - loop - threads:6.1f}" if steps not in ("none", "") else " " * 6
        rate = median(label, "requests_per_second")
        print(f"  {label:32s} {rate:9.0f} {rate / base_rate:6.2f} {median(label, 'p99_ms'):7.2f}   "
              f"{'':19s}{loop:6.1f} {threads:6.1f} {loop + threads:6.1f} {saved}")
    print("  rounds (creates/s): " + "; ".join(
        f"{name}: " + " ".join(f"{r.requests_per_second:.0f}" for r in values) for name, values in rounds.items()))


if __name__ == "__main__":
    main()
