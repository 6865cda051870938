"""What a custom resource's create costs beside a ConfigMap's: same server, same run, 16 connections.

Starts a real gitplane server (HTTPS, SQLite store, pinned to CPU 0; wrk on CPU 1), registers a CRD whose
version has a structural schema (types, a pattern, bounds, an enum, a string map) and two
``x-kubernetes-validations`` CEL rules, and then, in alternating rounds (the machine's other load hits both
alike), creates with unique names:

* ConfigMaps of about 1 KiB (the baseline);
* custom objects of about the same size, each passing the schema and both rules.

It prints, per kind, creates/s and p50/p99 (median of the rounds) and the ratio to the ConfigMap.

Run from the repository root: ``python -m bench.cr_create [--seconds 5] [--rounds 3] [--connections 16]``.
Needs wrk.
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import textwrap
import time
from pathlib import Path

from bench.harness import Load, free_port, gitplane_server, https, median_load, require_wrk, wrk

GROUP = "bench.example.com"
PAYLOAD = "v" * 900
CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": f"databases.{GROUP}"},
       "spec": {"group": GROUP, "scope": "Namespaced",
                "names": {"plural": "databases", "singular": "database", "kind": "Database"},
                "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                    "type": "object", "properties": {"spec": {
                        "type": "object", "required": ["engine", "replicas"],
                        "x-kubernetes-validations": [
                            {"rule": "self.replicas <= self.maxReplicas", "message": "too many replicas"},
                            {"rule": "self.engine != 'postgres' || self.version.startsWith('1')",
                             "message": "postgres versions start with 1"}],
                        "properties": {
                            "engine": {"type": "string", "enum": ["postgres", "mysql"]},
                            "version": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)*$", "maxLength": 16},
                            "replicas": {"type": "integer", "minimum": 1},
                            "maxReplicas": {"type": "integer", "maximum": 100},
                            "notes": {"type": "string", "maxLength": 2048},
                            "labels": {"type": "object", "additionalProperties": {"type": "string"}}}}}}}}]}}


def post_script(path: Path, token: str, prefix: str, body: str) -> Path:
    """A wrk script POSTing ``body`` (a Lua expression of ``name``) with unique names (wrk.format ignores -H
    headers, so the token is part of the script)."""
    path.write_text(textwrap.dedent(f"""\
        counter = 0
        request = function()
          counter = counter + 1
          local name = "{prefix}-" .. counter .. "-" .. math.random(1, 1000000000)
          return wrk.format("POST", nil, {{["Authorization"] = "Bearer {token}",
                                          ["Content-Type"] = "application/json"}}, {body})
        end
        """))
    return path


def creates(url: str, script: Path, *, seconds: int, connections: int) -> Load:
    """One wrk run of the script's creates; every one must succeed."""
    load = wrk(url, seconds=seconds, connections=connections, script=script)
    if load.errors:
        raise RuntimeError(f"{load.errors} creates failed against {url}")
    return load


def call(conn: http.client.HTTPSConnection, method: str, path: str, body: object = None) -> dict[str, object]:
    conn.request(method, path, body=None if body is None else json.dumps(body),
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
    result: dict[str, object] = json.loads(payload)
    return result


def wait_until_served(conn: http.client.HTTPSConnection, path: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} is not served")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    require_wrk()
    configmap_body = ("'{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"' .. name .. "
                      f"'\"}},\"data\":{{\"notes\":\"{PAYLOAD}\",\"engine\":\"postgres\",\"version\":\"16.2\"}}}}'")
    custom_body = (f"'{{\"apiVersion\":\"{GROUP}/v1\",\"kind\":\"Database\",\"metadata\":{{\"name\":\"' .. name .. "
                   "'\"},\"spec\":{\"engine\":\"postgres\",\"version\":\"16.2\",\"replicas\":2,\"maxReplicas\":5,"
                   f"\"notes\":\"{PAYLOAD}\",\"labels\":{{\"team\":\"a\"}}}}}}'")
    with tempfile.TemporaryDirectory(prefix="gitplane-bench-") as tmp:
        root, data_dir, port = Path(tmp), Path(tmp) / "data", free_port()
        with gitplane_server(data_dir, port):
            pki = data_dir / "pki"
            token = (pki / "admin.token").read_text().strip()
            conn = https(port, pki)
            call(conn, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD)
            custom_path = f"/apis/{GROUP}/v1/namespaces/default/databases"
            wait_until_served(conn, custom_path)
            conn.close()
            base = f"https://127.0.0.1:{port}"
            loads: dict[str, tuple[str, list[Load]]] = {
                "ConfigMap": (f"{base}/api/v1/namespaces/default/configmaps", []),
                "custom object": (f"{base}{custom_path}", [])}
            bodies = {"ConfigMap": configmap_body, "custom object": custom_body}
            prefixes = {"ConfigMap": "cm", "custom object": "db"}
            for kind, (url, _) in loads.items():  # warm-up, and a check that every create succeeds
                creates(url, post_script(root / "warm.lua", token, f"warm-{prefixes[kind]}", bodies[kind]),
                        seconds=1, connections=args.connections)
            for round_number in range(args.rounds):
                for kind, (url, found) in loads.items():
                    script = post_script(root / "load.lua", token, f"r{round_number}-{prefixes[kind]}", bodies[kind])
                    found.append(creates(url, script, seconds=args.seconds, connections=args.connections))

    medians = {kind: median_load(found) for kind, (_, found) in loads.items()}
    baseline, custom = medians["ConfigMap"], medians["custom object"]
    print(f"creates, {args.connections} connections, median of {args.rounds} alternating rounds of "
          f"{args.seconds} s, SQLite store")
    print(f"  ConfigMap, ~1 KiB (baseline)                     {baseline}")
    print(f"  custom object, ~1 KiB, schema + 2 CEL rules      {custom}   → "
          f"{custom.requests_per_second / baseline.requests_per_second:.2f}x creates/s, "
          f"p99 {custom.p99_ms / baseline.p99_ms:.2f}x")
    print(json.dumps({kind: vars(load) for kind, load in medians.items()}))


if __name__ == "__main__":
    main()
