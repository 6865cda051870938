"""What the benchmarks share: free ports, CPU pinning, servers started until they are ready and stopped, wrk
runs read into a :class:`Load`, the admin's HTTPS connection, and a process's resident memory.

Servers run on CPU 0 and the load generator on CPU 1 (when there are two), so each figure is one process on
one core against a client that does not compete with it.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Load:
    """One wrk run: requests per second, latency percentiles, and failed requests (non-2xx/3xx responses and
    socket errors)."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int

    def __str__(self) -> str:
        return f"{self.requests_per_second:8.0f} req/s  p50 {self.p50_ms:6.2f} ms  p99 {self.p99_ms:6.2f} ms"


def require_wrk() -> None:
    """Exit with a clear message when wrk, the load generator of the HTTP benchmarks, is not installed."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is required (apt-get install wrk)")


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
    rps, p50, p99 = (re.search(pattern, out, re.MULTILINE)  # the percentiles: the latency distribution's lines
                     for pattern in (r"^Requests/sec:\s+([\d.]+)", r"^\s*50%\s+(\S+)$", r"^\s*99%\s+(\S+)$"))
    if rps is None or p50 is None or p99 is None:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(float(rps.group(1)), to_ms(p50.group(1)), to_ms(p99.group(1)), errors)


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
def gitplane_server(data_dir: Path, port: int, *options: str,
                    command: Sequence[str] = (sys.executable, "-m", "gitplane")) -> Iterator[subprocess.Popen[str]]:
    """``gitplane serve`` (or ``command``'s, given gitplane's arguments) until it says it is ready."""
    with process([*command, "serve", "--data-dir", str(data_dir), "--port", str(port), *options],
                 ready=re.compile(r"gitplane API server ready")) as proc:
        yield proc


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


def median_load(loads: Sequence[Load]) -> Load:
    """The rounds' median rate and median percentiles, with every round's errors."""
    return Load(statistics.median(load.requests_per_second for load in loads),
                statistics.median(load.p50_ms for load in loads), statistics.median(load.p99_ms for load in loads),
                sum(load.errors for load in loads))



def rss_mb(pid: int) -> float:
    """The resident memory of process ``pid``, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")
