"""API server benchmark: gitplane's hot paths beside baselines measured in the same run.

Starts a real gitplane server (HTTPS, SQLite store) and, one at a time, the baseline servers of
:mod:`bench.baselines` on the same stack and TLS context; each server is pinned to CPU 0 and the load generator
(wrk) to CPU 1, so every figure is one Python process on one core. It prints:

* GET of one ConfigMap: req/s and p99, beside the bare raw-ASGI endpoint (goal: >= 0.5x);
* create of ConfigMaps (16 connections by default, where the issue states its p99 goal), with the store at
  its default synchronous=FULL and at NORMAL: req/s and p99, beside the one-commit-per-request SQLite
  endpoint at synchronous=NORMAL, the cheapest commit SQLite offers (goal: >= 0.5x, p99 <= 20 ms);
* LIST of 10,000 ConfigMaps of one namespace: milliseconds end to end, median of 5 (goal: <= 300 ms), beside
  the store's own list of the same objects.

Run from the repository root: ``python -m bench.api_bench [--seconds 5] [--connections 16]``. Needs wrk.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PAYLOAD = "v" * 900
LIST_SIZE = 10_000


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p99_ms: float
    errors: int

    def __str__(self) -> str:
        return f"{self.requests_per_second:8.0f} req/s  p99 {self.p99_ms:6.2f} ms"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(cpu: int, args: Sequence[str]) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(cpu), *args]
    return list(args)


def to_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise ValueError(f"unexpected wrk latency {value!r}")
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[match.group(2)]


def wrk(url: str, *, seconds: int, connections: int, token: str | None = None, script: Path | None = None) -> Load:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run(pinned(1, [*args, url]), capture_output=True, text=True, check=True).stdout
    rps_match, p99_match = re.search(r"Requests/sec:\s+([\d.]+)", out), re.search(r"99%\s+(\S+)", out)
    if rps_match is None or p99_match is None:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    rps, p99 = float(rps_match.group(1)), to_ms(p99_match.group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(rps, p99, errors)


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


@contextmanager
def process(args: Sequence[str], ready: re.Pattern[str] | None = None, port: int | None = None
            ) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(pinned(0, args), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        if ready is not None and proc.stderr is not None:
            for line in proc.stderr:
                if ready.search(line):
                    break
            else:
                raise RuntimeError("server exited before it was ready")
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep its log from filling the pipe
        elif port is not None:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        proc.wait(30)
        if proc.stderr is not None:
            proc.stderr.close()


@contextmanager
def gitplane_server(data_dir: Path, port: int, *options: str) -> Iterator[subprocess.Popen[str]]:
    with process([sys.executable, "-m", "gitplane", "serve", "--data-dir", str(data_dir), "--port", str(port),
                  *options], ready=re.compile(r"gitplane API server ready")) as proc:
        yield proc


def creates(tmp: Path, port: int, token: str, *, seconds: int, connections: int) -> Load:
    """ConfigMap creates with unique names for ``seconds``, after a one-second warm-up."""
    url = f"https://127.0.0.1:{port}/api/v1/namespaces/default/configmaps"
    wrk(url, seconds=1, connections=connections, script=post_script(tmp / "warm.lua", f"warm{port}", token))
    return wrk(url, seconds=seconds, connections=connections, script=post_script(tmp / "post.lua", "load", token))


def https(port: int, pki: Path) -> http.client.HTTPSConnection:
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    context.load_cert_chain(pki / "admin.crt", pki / "admin.key")
    return http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=120)


def request(conn: http.client.HTTPSConnection, method: str, path: str, body: bytes | None = None) -> bytes:
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
    return data


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
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is required (apt-get install wrk)")
    seconds, connections = args.seconds, args.connections
    with tempfile.TemporaryDirectory(prefix="gitplane-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        pki = data_dir / "pki"
        port = free_port()
        with gitplane_server(data_dir, port):
            token = (pki / "admin.token").read_text().strip()
            base = f"https://127.0.0.1:{port}"
            conn = https(port, pki)
            request(conn, "POST", "/api/v1/namespaces/default/configmaps",
                    f'{{"metadata":{{"name":"bench"}},"data":{{"payload":"{PAYLOAD}"}}}}'.encode())
            conn.close()
            get_url = f"{base}/api/v1/namespaces/default/configmaps/bench"
            wrk(get_url, seconds=1, connections=connections, token=token)
            gitplane_get = wrk(get_url, seconds=seconds, connections=connections, token=token)
            gitplane_create = creates(Path(tmp), port, token, seconds=seconds, connections=connections)
            fill(port, pki, "bench-list", LIST_SIZE)
            list_ms, list_bytes = time_list(port, pki, "bench-list")
        store_ms = store_list_ms(data_dir, "bench-list")

        normal_dir, normal_port = Path(tmp) / "normal", free_port()
        with gitplane_server(normal_dir, normal_port, "--sqlite-synchronous", "NORMAL"):
            token = (normal_dir / "pki" / "admin.token").read_text().strip()
            gitplane_create_normal = creates(Path(tmp), normal_port, token, seconds=seconds, connections=connections)

        bare_port = free_port()
        with process([sys.executable, "-m", "bench.baselines", "bare", "--port", str(bare_port), "--pki", str(pki)],
                     port=bare_port):
            url = f"https://127.0.0.1:{bare_port}/"
            wrk(url, seconds=1, connections=connections)
            bare_get = wrk(url, seconds=seconds, connections=connections)

        sqlite_port = free_port()
        with process([sys.executable, "-m", "bench.baselines", "sqlite", "--port", str(sqlite_port), "--pki",
                      str(pki), "--db", str(Path(tmp) / "baseline.db"), "--synchronous", "NORMAL"],
                     port=sqlite_port):
            url = f"https://127.0.0.1:{sqlite_port}/"
            wrk(url, seconds=1, connections=connections, script=post_script(Path(tmp) / "warm.lua", "warm"))
            sqlite_create = wrk(url, seconds=seconds, connections=connections,
                                script=post_script(Path(tmp) / "post.lua", "load"))

    print(f"gitplane API benchmark ({connections} connections, {seconds} s per figure, server on one core, TLS)")
    print(f"  GET one ConfigMap        gitplane {gitplane_get}   bare ASGI {bare_get}   "
          f"ratio {gitplane_get.requests_per_second / bare_get.requests_per_second:.2f} (goal >= 0.5)")
    for mode, load in (("FULL (default)", gitplane_create), ("NORMAL", gitplane_create_normal)):
        print(f"  create, store at {mode:14s} gitplane {load}   SQLite commit/request at NORMAL {sqlite_create}   "
              f"ratio {load.requests_per_second / sqlite_create.requests_per_second:.2f} "
              f"(goal >= 0.5, p99 <= 20 ms)")
    print(f"  LIST 10,000 ConfigMaps   gitplane {list_ms:7.1f} ms ({list_bytes / 1e6:.1f} MB)   "
          f"store alone {store_ms:6.1f} ms   (goal <= 300 ms)")
    failures = [load for load in (gitplane_get, gitplane_create, gitplane_create_normal, bare_get, sqlite_create)
                if load.errors]
    if failures:
        print(f"  WARNING: {sum(f.errors for f in failures)} failed requests during the runs")


if __name__ == "__main__":
    main()
