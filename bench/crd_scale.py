"""What 1,000 CRDs cost a server: memory per CRD, the latency of an unrelated GET, discovery and OpenAPI.

Starts a real gitplane server (HTTPS, SQLite store, pinned to CPU 0; wrk on CPU 1) and prints:

* RSS after start-up and a warm-up, then after 1,000 distinct CRDs (20 groups of 50 kinds, each with a small
  structural schema and two printer columns) are all Established → memory per CRD (goal: <= 0.5 MB/CRD);
  RSS again after one LIST of each custom type (which builds its strategy: schema, CEL rules, printer), and
  once discovery and OpenAPI documents have been built for them;
* GET of one ConfigMap (p50/p99, req/s; wrk, 4 connections) on a second, fresh server without CRDs (the
  baseline) and on the server with 1,000 CRDs, in alternating rounds (the machine's other load hits both
  alike) → ratio (goal: p50 and p99 <= 1.1x);
* time to register the CRDs and until all are Established;
* ``/apis`` (legacy and aggregated discovery), ``/openapi/v3`` (the index), ``/openapi/v2`` and one CRD
  group's ``/openapi/v3`` document, with 1,000 CRDs: the first fetch (builds the document) and the median of
  the next, beside the same documents before the CRDs (the baseline).

Run from the repository root: ``python -m bench.crd_scale [--crds 1000] [--seconds 4] [--rounds 3]``. Needs wrk.
"""

from __future__ import annotations

import argparse
import http.client
import json
import ssl
import statistics
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench.harness import Load, free_port, gitplane_server, median_load, require_wrk, rss_mb, wrk

GROUPS = 20
AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def get(url: str, token: str, *, seconds: int, connections: int = 4) -> Load:
    """One wrk run of GETs; every one must succeed."""
    load = wrk(url, seconds=seconds, connections=connections, token=token)
    if load.errors:
        raise RuntimeError(f"{load.errors} GETs failed against {url}")
    return load


class Client:
    """One HTTPS connection as the admin (client certificate)."""

    def __init__(self, port: int, pki: Path) -> None:
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        context.load_cert_chain(pki / "admin.crt", pki / "admin.key")
        self.conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=300)

    def request(self, method: str, path: str, body: object = None, accept: str = "application/json") -> bytes:
        data = None if body is None else json.dumps(body).encode()
        self.conn.request(method, path, body=data, headers={"Content-Type": "application/json", "Accept": accept})
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
        return payload

    def timed(self, path: str, accept: str = "application/json", runs: int = 5) -> tuple[float, float, int]:
        """Milliseconds of the first fetch and the median of ``runs`` more, and the size in bytes."""
        started = time.perf_counter()
        size = len(self.request("GET", path, accept=accept))
        first = (time.perf_counter() - started) * 1000
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            self.request("GET", path, accept=accept)
            timings.append((time.perf_counter() - started) * 1000)
        return first, statistics.median(timings), size


def crd(i: int) -> dict[str, object]:
    group, kind = f"g{i % GROUPS}.bench.example.com", f"Thing{i}"
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"thing{i}s.{group}"},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"plural": f"thing{i}s", "singular": f"thing{i}", "kind": kind},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "additionalPrinterColumns": [
                                       {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                                       {"name": "Mode", "type": "string", "jsonPath": ".spec.mode"}],
                                   "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                       "spec": {"type": "object", "properties": {
                                           "size": {"type": "integer", "minimum": 0},
                                           "mode": {"type": "string", "enum": ["a", "b"]},
                                           "labels": {"type": "object",
                                                      "additionalProperties": {"type": "string"}}}},
                                       "status": {"type": "object", "properties": {
                                           "ready": {"type": "boolean"}}}}}}}]}}


def established(client: Client) -> int:
    items = json.loads(client.request("GET", CRDS))["items"]
    return sum(1 for item in items
               if any(c["type"] == "Established" and c["status"] == "True"
                      for c in (item.get("status") or {}).get("conditions") or []))


def documents(client: Client, group: str | None) -> dict[str, tuple[float, float, int]]:
    """The discovery and OpenAPI documents, with one CRD group's OpenAPI v3 document when ``group`` is given."""
    timed = {"/apis (legacy)": client.timed("/apis"),
             "/apis (aggregated)": client.timed("/apis", AGGREGATED),
             "/openapi/v3": client.timed("/openapi/v3"),
             "/openapi/v2": client.timed("/openapi/v2", runs=2)}
    if group is not None:
        timed["/openapi/v3/apis/<one CRD group>/v1"] = client.timed(f"/openapi/v3/apis/{group}/v1")
    return timed


def alternate(urls: dict[str, tuple[str, str]], *, seconds: int, rounds: int) -> dict[str, Load]:
    """wrk against each server in turn, ``rounds`` times (other load on the machine hits both alike); per server
    the median of its rounds."""
    runs: dict[str, list[Load]] = {name: [] for name in urls}
    for url, token in urls.values():
        get(url, token, seconds=1)
    for _ in range(rounds):
        for name, (url, token) in urls.items():
            runs[name].append(get(url, token, seconds=seconds))
    return {name: median_load(found) for name, found in runs.items()}


def start(stack: ExitStack, root: Path, name: str) -> tuple[subprocess.Popen[str], Client, str, str]:
    """A fresh server with the unrelated ConfigMap: its process, an admin client, the ConfigMap's URL, a token."""
    data_dir, port = root / name, free_port()
    proc = stack.enter_context(gitplane_server(data_dir, port))
    client = Client(port, data_dir / "pki")
    client.request("POST", "/api/v1/namespaces/default/configmaps",
                   {"metadata": {"name": "unrelated"}, "data": {"k": "v" * 900}})
    url = f"https://127.0.0.1:{port}/api/v1/namespaces/default/configmaps/unrelated"
    return proc, client, url, (data_dir / "pki" / "admin.token").read_text().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crds", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="gitplane-bench-") as tmp, ExitStack() as stack:
        _, plain, plain_url, plain_token = start(stack, Path(tmp), "plain")
        proc, client, url, token = start(stack, Path(tmp), "crds")
        get(url, token, seconds=1)
        before_docs = documents(plain, None)
        rss_before = rss_mb(proc.pid)

        started = time.perf_counter()
        for i in range(args.crds):
            client.request("POST", CRDS, crd(i))
        registered = time.perf_counter() - started
        while established(client) < args.crds:
            time.sleep(0.2)
        all_established = time.perf_counter() - started
        time.sleep(1)  # let the controllers' last writes settle before measuring
        rss_after = rss_mb(proc.pid)
        for i in range(args.crds):  # one request per type builds its strategy (schema, CEL rules, printer)
            client.request("GET", f"/apis/g{i % GROUPS}.bench.example.com/v1/namespaces/default/thing{i}s")
        rss_served = rss_mb(proc.pid)
        latency = alternate({"plain": (plain_url, plain_token), "crds": (url, token)}, seconds=args.seconds,
                            rounds=args.rounds)
        after_docs = documents(client, "g0.bench.example.com")
        rss_documents = rss_mb(proc.pid)

    baseline, loaded = latency["plain"], latency["crds"]
    per_crd = (rss_after - rss_before) / args.crds
    print(f"{args.crds} CRDs ({GROUPS} groups), SQLite store")
    print(f"  RSS before CRDs                 {rss_before:8.1f} MB   (baseline)")
    print(f"  RSS with {args.crds} CRDs Established {rss_after:8.1f} MB   → {per_crd:.3f} MB/CRD (goal <= 0.5)")
    print(f"  RSS after one LIST of each type {rss_served:8.1f} MB   → "
          f"{(rss_served - rss_before) / args.crds:.3f} MB/CRD with every strategy built")
    print(f"  RSS after discovery and OpenAPI {rss_documents:8.1f} MB   → "
          f"{(rss_documents - rss_before) / args.crds:.3f} MB/CRD with documents built")
    print(f"  register {args.crds} CRDs (one connection)   {registered:6.1f} s; all Established after "
          f"{all_established:6.1f} s")
    print(f"  GET of an unrelated ConfigMap, wrk 4 connections, median of {args.rounds} alternating rounds:")
    print(f"    fresh server, no CRDs (baseline) {baseline}")
    print(f"    server with {args.crds} CRDs          {loaded}   → p50 {loaded.p50_ms / baseline.p50_ms:.2f}x, "
          f"p99 {loaded.p99_ms / baseline.p99_ms:.2f}x (goal <= 1.1x)")
    print("  documents: first fetch / median of the next, size")
    for name, (first, warm, size) in after_docs.items():
        base = before_docs.get(name)
        baseline_text = f"   (no CRDs: {base[0]:.1f} / {base[1]:.1f} ms)" if base else ""
        print(f"    {name:38} {first:8.1f} / {warm:7.1f} ms  {size / 1024:8.0f} KiB{baseline_text}")
    print(json.dumps({"rss_before_mb": rss_before, "rss_after_mb": rss_after, "mb_per_crd": per_crd,
                      "rss_served_mb": rss_served, "rss_documents_mb": rss_documents,
                      "get_p50_ratio": loaded.p50_ms / baseline.p50_ms,
                      "get_p99_ratio": loaded.p99_ms / baseline.p99_ms, "established_s": all_established,
                      "documents_ms": {k: v[:2] for k, v in after_docs.items()}}))


if __name__ == "__main__":
    main()
