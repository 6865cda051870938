"""Watch fan-out benchmark: 1,000 watchers of one namespace, delivery latency of each event to each watcher,
beside the same fan-out done by a bare ASGI app on the same stack, in the same run.

The server (pinned to CPU 0) is gitplane, then :mod:`bench.baselines`' ``fanout`` app (every POST body sent as
an event line to every open stream). A client process pinned to CPU 1 opens the watches (HTTP/1.1 over TLS,
one connection each, as kubectl and informers do), waits until every stream is open, then creates ConfigMaps
at a steady rate (:mod:`bench.watch_fanout_client`); each carries the wall-clock time it was sent, and each
watcher records, per event, the time from that send to the event's arrival. It prints p50/p99/max delivery
over all (watcher, event) pairs (goal: p99 <= 100 ms at 1,000 watchers) and whether every watcher saw every
event.

Run from the repository root: ``python -m bench.watch_fanout [--watchers 1000] [--events 100] [--rate 20]``.
"""

from __future__ import annotations

import argparse
import json
import ssl
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import free_port, gitplane_server, https, pinned, process, request

NAMESPACE = "bench-watch"


def run_client(port: int, pki: Path, path: str, post: str, *, watchers: int, events: int,
               rate: float) -> tuple[list[float], int]:
    out = subprocess.run(pinned(1, [sys.executable, "-m", "bench.watch_fanout_client", str(port), str(pki), path,
                                    post, str(watchers), str(events), str(rate)]),
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    return result["latencies"], result["complete"]


def summary(latencies: list[float], complete: int, watchers: int) -> str:
    if not latencies:
        return "no events delivered"
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (f"p50 {statistics.median(ms):6.1f} ms  p99 {p99:6.1f} ms  max {ms[-1]:6.1f} ms  "
            f"({complete}/{watchers} watchers saw every event)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0, help="creates per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gitplane-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        pki = data_dir / "pki"
        port = free_port()
        collection = f"/api/v1/namespaces/{NAMESPACE}/configmaps"
        with gitplane_server(data_dir, port):
            conn = https(port, pki)
            request(conn, "POST", "/api/v1/namespaces", json.dumps({"metadata": {"name": NAMESPACE}}).encode())
            revision = json.loads(request(conn, "GET", collection))["metadata"]["resourceVersion"]
            conn.close()
            gitplane = run_client(port, pki, f"{collection}?watch=1&resourceVersion={revision}", collection,
                                  watchers=args.watchers, events=args.events, rate=args.rate)
        fanout_port = free_port()
        with process([sys.executable, "-m", "bench.baselines", "fanout", "--port", str(fanout_port), "--pki",
                      str(pki)], port=fanout_port):
            bare = run_client(fanout_port, pki, "/watch", "/post", watchers=args.watchers, events=args.events,
                              rate=args.rate)
    print(f"watch fan-out ({args.watchers} watchers of one namespace, {args.events} creates at {args.rate:g}/s, "
          "server on one core, TLS)")
    print(f"  gitplane   {summary(*gitplane, args.watchers)}")
    print(f"  bare ASGI  {summary(*bare, args.watchers)}")
    print("  goal: gitplane p99 <= 100 ms")


if __name__ == "__main__":
    ssl.create_default_context()  # fail early where the ssl module is missing
    main()
