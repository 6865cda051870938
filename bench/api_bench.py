"""API server benchmark: gitplane's hot paths beside baselines measured in the same run.

Starts two real gitplane servers (HTTPS, SQLite store at its default synchronous=FULL and at NORMAL) and the
baseline servers of :mod:`bench.baselines` on the same stack and TLS context, all at once; each server is
pinned to CPU 0 and the load generator (wrk) to CPU 1, so every figure is one Python process on one core. The
measurements alternate between the servers in rounds (``--rounds``, default 3) and each figure is the rounds'
median, so a change in the machine's speed during the run moves both sides of a ratio alike. It prints:

* GET of one ConfigMap: req/s and p99, beside the bare raw-ASGI endpoint (goal: >= 0.5x);
* create of ConfigMaps (16 connections by default, where the issue states its p99 goal), with the store at
  its default synchronous=FULL and at NORMAL: req/s and p99, beside the one-commit-per-request SQLite
  endpoint at synchronous=NORMAL, the cheapest commit SQLite offers (goal: >= 0.5x, p99 <= 20 ms);
* LIST of 10,000 ConfigMaps of one namespace: milliseconds end to end, median of 5 (goal: <= 300 ms), beside
  the store's own list of the same objects.

Run from the repository root: ``python -m bench.api_bench [--seconds 5] [--connections 16] [--rounds 3]``. Needs wrk.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from contextlib import ExitStack
from pathlib import Path

from bench.harness import (
    Load,
    free_port,
    gitplane_server,
    https,
    median_load,
    pinned,
    process,
    request,
    require_wrk,
    wrk,
)

PAYLOAD = "v" * 900
LIST_SIZE = 10_000


def post_script(path: Path, prefix: str, token: str = "") -> Path:
    """A wrk script that POSTs ConfigMaps with unique names (wrk.format ignores -H headers, so the token is
    part of the script)."""
    auth = f'["Authorization"] = "Bearer {token}", ' if token else ""
    path.write_text(textwrap.dedent(f"""\
        counter = 0
        request = function()
          counter = counter + 1
          local body = '{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{prefix}-' .. counter ..
            '-' .. math.random(1, 1000000000) .. '"}},"data":{{"payload":"{PAYLOAD}"}}}}'
          return wrk.format("POST", nil, {{{auth}["Content-Type"] = "application/json"}}, body)
        end
        """))
    return path


def creates(tmp: Path, port: int, token: str, *, seconds: int, connections: int, tag: str,
            url: str | None = None) -> Load:
    """ConfigMap creates with unique names for ``seconds``, after a one-second warm-up (``tag``: this round's
    part of the names, as wrk's random numbers repeat from run to run)."""
    url = url or f"https://127.0.0.1:{port}/api/v1/namespaces/default/configmaps"
    wrk(url, seconds=1, connections=connections,
        script=post_script(tmp / "warm.lua", f"warm-{tag}-{port}", token))
    return wrk(url, seconds=seconds, connections=connections,
               script=post_script(tmp / "post.lua", f"load-{tag}-{port}", token))


def fill(port: int, pki: Path, namespace: str, count: int, seconds_budget: float = 600) -> None:
    conn = https(port, pki)
    request(conn, "POST", "/api/v1/namespaces", f'{{"metadata":{{"name":"{namespace}"}}}}'.encode())
    deadline = time.monotonic() + seconds_budget
    for i in range(count):
        body = f'{{"metadata":{{"name":"cm-{i:05d}"}},"data":{{"payload":"{PAYLOAD}"}}}}'.encode()
        request(conn, "POST", f"/api/v1/namespaces/{namespace}/configmaps", body)
        if time.monotonic() > deadline:
            raise RuntimeError("filling the namespace took too long")
    conn.close()


def time_list(port: int, pki: Path, namespace: str, runs: int = 5) -> tuple[float, int]:
    conn = https(port, pki)
    timings, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        size = len(request(conn, "GET", f"/api/v1/namespaces/{namespace}/configmaps"))
        timings.append((time.perf_counter() - started) * 1000)
    conn.close()
    return statistics.median(timings), size


def store_list_ms(data_dir: Path, namespace: str) -> float:
    """The store's own list of the same objects (no HTTP, no TLS), in a child process after the server stops."""
    code = textwrap.dedent(f"""\
        import asyncio, time
        from gitplane.storage.interface import Prefix
        from gitplane.storage.sqlite import SQLiteStore
        async def main():
            store = await SQLiteStore.open({str(data_dir / "gitplane.db")!r})
            timings = []
            for _ in range(5):
                t = time.perf_counter()
                page = await store.list(Prefix("", "configmaps", "", "root", {namespace!r}))
                timings.append((time.perf_counter() - t) * 1000)
            await store.close()
            print(sorted(timings)[2], len(page.records))
        asyncio.run(main())
        """)
    out = subprocess.run(pinned(0, [sys.executable, "-c", code]), capture_output=True, text=True, check=True)
    return float(out.stdout.split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    require_wrk()
    seconds, connections = args.seconds, args.connections
    with tempfile.TemporaryDirectory(prefix="gitplane-bench-") as tmp, ExitStack() as servers:
        data_dir, normal_dir = Path(tmp) / "data", Path(tmp) / "normal"
        pki = data_dir / "pki"
        port, normal_port, bare_port, sqlite_port = free_port(), free_port(), free_port(), free_port()
        server = servers.enter_context(gitplane_server(data_dir, port))
        servers.enter_context(gitplane_server(normal_dir, normal_port, "--sqlite-synchronous", "NORMAL"))
        servers.enter_context(process([sys.executable, "-m", "bench.baselines", "bare", "--port", str(bare_port),
                                       "--pki", str(pki)], port=bare_port))
        servers.enter_context(process([sys.executable, "-m", "bench.baselines", "sqlite", "--port",
                                       str(sqlite_port), "--pki", str(pki), "--db", str(Path(tmp) / "baseline.db"),
                                       "--synchronous", "NORMAL"], port=sqlite_port))
        token = (pki / "admin.token").read_text().strip()
        normal_token = (normal_dir / "pki" / "admin.token").read_text().strip()
        conn = https(port, pki)
        request(conn, "POST", "/api/v1/namespaces/default/configmaps",
                f'{{"metadata":{{"name":"bench"}},"data":{{"payload":"{PAYLOAD}"}}}}'.encode())
        conn.close()
        get_url = f"https://127.0.0.1:{port}/api/v1/namespaces/default/configmaps/bench"
        bare_url, sqlite_url = f"https://127.0.0.1:{bare_port}/", f"https://127.0.0.1:{sqlite_port}/"

        # every server is up at once (idle ones cost nothing) and the rounds alternate, so a change in the
        # machine's speed during the run moves every figure alike instead of one side of a ratio
        rounds: dict[str, list[Load]] = {name: [] for name in ("get", "bare", "full", "normal", "sqlite")}
        for number in range(args.rounds):
            wrk(get_url, seconds=1, connections=connections, token=token)
            rounds["get"].append(wrk(get_url, seconds=seconds, connections=connections, token=token))
            wrk(bare_url, seconds=1, connections=connections)
            rounds["bare"].append(wrk(bare_url, seconds=seconds, connections=connections))
            rounds["full"].append(creates(Path(tmp), port, token, seconds=seconds, connections=connections,
                                          tag=f"r{number}"))
            rounds["normal"].append(creates(Path(tmp), normal_port, normal_token, seconds=seconds,
                                            connections=connections, tag=f"r{number}"))
            rounds["sqlite"].append(creates(Path(tmp), sqlite_port, "", seconds=seconds, connections=connections,
                                            tag=f"r{number}", url=sqlite_url))
        loads = {name: median_load(values) for name, values in rounds.items()}

        fill(port, pki, "bench-list", LIST_SIZE)
        list_ms, list_bytes = time_list(port, pki, "bench-list")
        server.terminate()
        server.wait(30)
        store_ms = store_list_ms(data_dir, "bench-list")

    print(f"gitplane API benchmark ({connections} connections, median of {args.rounds} alternating rounds of "
          f"{seconds} s, each server on one core, TLS)")
    print(f"  GET one ConfigMap        gitplane {loads['get']}   bare ASGI {loads['bare']}   "
          f"ratio {loads['get'].requests_per_second / loads['bare'].requests_per_second:.2f} (goal >= 0.5)")
    for mode, name in (("FULL (default)", "full"), ("NORMAL", "normal")):
        print(f"  create, store at {mode:14s} gitplane {loads[name]}   SQLite commit/request at NORMAL "
              f"{loads['sqlite']}   ratio {loads[name].requests_per_second / loads['sqlite'].requests_per_second:.2f}"
              " (goal >= 0.5, p99 <= 20 ms)")
    print(f"  LIST 10,000 ConfigMaps   gitplane {list_ms:7.1f} ms ({list_bytes / 1e6:.1f} MB)   "
          f"store alone {store_ms:6.1f} ms   (goal <= 300 ms)")
    print("  rounds (req/s): " + "; ".join(f"{name} " + " ".join(f"{load.requests_per_second:.0f}" for load in values)
                                          for name, values in rounds.items()))
    errors = sum(load.errors for load in loads.values())
    if errors:
        print(f"  WARNING: {errors} failed requests during the runs")


if __name__ == "__main__":
    main()
