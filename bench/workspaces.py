"""What workspaces cost: creating many through the API, memory per workspace, a GET among many, start-up.

Starts two real gitplane servers (HTTPS, SQLite store at its default synchronous=FULL, pinned to CPU 0; the
load generator wrk on CPU 1): one that will hold ``--workspaces`` workspaces and one that holds 100 (the
baseline of the GET). It prints:

* the rate at which the API accepts Workspace creates (16 connections, type ``universal`` in root), beside
  ConfigMap creates of the same size on the same server in the same run (the cheapest write the server does);
  then the rate until every workspace is ``Ready`` (its LogicalCluster created and initialized: namespaces
  ``default`` and ``kube-system``, their ServiceAccounts and CA ConfigMaps), goal >= 1,000 workspaces/s;
* what one workspace costs the server: its CPU time per workspace (all its controllers included) and the API
  writes per workspace (the client's create and the system's own, from ``apiserver_request_total``), beside the
  rate were each of those writes as cheap as the ConfigMap creates above;
* the server's resident memory per workspace: the growth of its RSS from half the workspaces to all of them,
  each time once all are Ready (goal <= 5 KB);
* GET of one ConfigMap in one workspace (p50, wrk, 4 connections) with all the workspaces, beside the same GET
  on the server with 100, in alternating rounds (goal: p50 <= 1.2x);
* the time from start to ready of the server with all the workspaces stored (goal <= 5 s), beside the same
  for an empty data directory.

Run from the repository root: ``python -m bench.workspaces [--workspaces 100000] [--seconds 4] [--rounds 3]``.
Needs wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import textwrap
import time
from contextlib import ExitStack
from pathlib import Path

from bench.harness import Load, free_port, gitplane_server, https, median_load, request, require_wrk, rss_mb, wrk

WORKSPACES = "/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces"
NOT_READY = "?labelSelector=tenancy.kcp.io%2Fphase!%3DReady&limit=1"
READY_TIMEOUT_SECONDS = 3600.0


def post_script(path: Path, prefix: str, body: str, token: str) -> Path:
    """A wrk script POSTing ``body`` with ``NAME`` replaced by a unique name."""
    head, tail = body.split("NAME")
    path.write_text(textwrap.dedent(f"""\
        counter = 0
        request = function()
          counter = counter + 1
          local body = '{head}{prefix}-' .. counter .. '-' .. math.random(1, 1000000000) .. '{tail}'
          return wrk.format("POST", nil, {{["Authorization"] = "Bearer {token}",
                                          ["Content-Type"] = "application/json"}}, body)
        end
        """))
    return path


WORKSPACE = '{"apiVersion":"tenancy.kcp.io/v1alpha1","kind":"Workspace","metadata":{"name":"NAME"},' \
            '"spec":{"type":{"name":"universal","path":"root"}}}'
CONFIGMAP = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME"},"data":{"k":"' + "v" * 60 + '"}}'


class Client:
    """The admin's HTTPS connection of :mod:`bench.harness`, answering decoded JSON."""

    def __init__(self, port: int, pki: Path) -> None:
        self.conn = https(port, pki)

    def request(self, method: str, path: str, body: object = None) -> dict:  # type: ignore[type-arg]
        result: dict = json.loads(request(self.conn, method, path,  # type: ignore[type-arg]
                                          None if body is None else json.dumps(body).encode()))
        return result


def create(tmp: Path, port: int, token: str, body: str, *, seconds: int, tag: str, path: str) -> Load:
    url = f"https://127.0.0.1:{port}{path}"
    return wrk(url, seconds=seconds, connections=16, script=post_script(tmp / f"{tag}.lua", tag, body, token))


def until_ready(client: Client) -> float:
    """Seconds until no Workspace in root is short of Ready."""
    started = time.monotonic()
    while client.request("GET", WORKSPACES + NOT_READY)["items"]:
        if time.monotonic() - started > READY_TIMEOUT_SECONDS:
            raise RuntimeError("the workspaces did not all become Ready")
        time.sleep(0.5)
    return time.monotonic() - started


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def writes(client: Client) -> int:
    """The API writes the server has answered so far (every verb that changes something, any code)."""
    text = request(client.conn, "GET", "/metrics").decode()
    return int(sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("apiserver_request_total{") and any(
                       f'verb="{verb}"' in line for verb in ("POST", "PUT", "PATCH", "DELETE"))))


def until_idle(pid: int, *, below: float = 0.05, seconds: float = 1.0) -> None:
    """Wait until the server uses less than ``below`` of a core over ``seconds`` (its controllers caught up
    with what the workspaces set off: ServiceAccounts, CA ConfigMaps, the garbage collector's graph)."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(seconds)
        if cpu_seconds(pid) - before < below * seconds:
            return
    raise RuntimeError("the server never became idle")


def count(client: Client) -> int:
    listed = client.request("GET", WORKSPACES + "?limit=1")
    return 1 + int(listed["metadata"].get("remainingItemCount", 0)) if listed["items"] else 0


def fill(tmp: Path, port: int, token: str, client: Client, *, wanted: int, seconds: int,
         tag: str) -> tuple[int, float, float]:
    """Create workspaces until ``wanted`` exist (names start with ``tag``, unique per call, since wrk's random
    numbers repeat from run to run); the creates the API accepted, the seconds spent sending them, and the
    seconds until all were Ready."""
    started = time.monotonic()
    accepted, busy = 0, 0.0
    round_number = 0
    while (have := count(client)) < wanted:
        run = min(seconds, max(1, int((wanted - have) / 500)))
        load = create(tmp, port, token, WORKSPACE, seconds=run, tag=f"{tag}{round_number}", path=WORKSPACES)
        accepted += int(load.requests_per_second * run) - load.errors
        busy += run
        round_number += 1
    until_ready(client)
    return accepted, busy, time.monotonic() - started


def ready_seconds(data_dir: Path, port: int) -> float:
    """Seconds from starting the server over ``data_dir`` until it reports ready."""
    started = time.monotonic()
    with gitplane_server(data_dir, port):
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspaces", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="gitplane-workspaces-") as tmp_name, ExitStack() as servers:
        tmp = Path(tmp_name)
        many_dir, few_dir = tmp / "many", tmp / "few"
        many_port, few_port = free_port(), free_port()
        many = servers.enter_context(gitplane_server(many_dir, many_port))
        few = servers.enter_context(gitplane_server(few_dir, few_port))
        token = (many_dir / "pki" / "admin.token").read_text().strip()
        few_token = (few_dir / "pki" / "admin.token").read_text().strip()
        client, few_client = Client(many_port, many_dir / "pki"), Client(few_port, few_dir / "pki")
        cm_path = "/clusters/root/api/v1/namespaces/default/configmaps"
        create(tmp, many_port, token, CONFIGMAP, seconds=1, tag="warm", path=cm_path)
        configmaps = create(tmp, many_port, token, CONFIGMAP, seconds=args.seconds, tag="cm", path=cm_path)
        # memory is read at half the workspaces and at all of them: the slope leaves out what the server
        # holds whatever the count (caches that fill up to their bound, the watch ring, allocator slack)
        cpu_before, writes_before, count_before = cpu_seconds(many.pid), writes(client), count(client)
        half_accepted, half_busy, half_seconds = fill(tmp, many_port, token, client,
                                                      wanted=args.workspaces // 2, seconds=args.seconds, tag="a")
        until_idle(many.pid)
        at_half, rss_half = count(client), rss_mb(many.pid)
        rest_accepted, rest_busy, rest_seconds = fill(tmp, many_port, token, client, wanted=args.workspaces,
                                                      seconds=args.seconds, tag="b")
        until_idle(many.pid)
        created, rss_all = count(client), rss_mb(many.pid)
        filled = max(created - count_before, 1)
        cpu_ms = (cpu_seconds(many.pid) - cpu_before) * 1000 / filled
        writes_each = (writes(client) - writes_before) / filled
        accept_rate = (half_accepted + rest_accepted) / max(half_busy + rest_busy, 1)
        total_seconds = half_seconds + rest_seconds
        fill(tmp, few_port, few_token, few_client, wanted=100, seconds=1, tag="c")
        until_idle(few.pid)

        def one(c: Client) -> str:
            ws = c.request("GET", WORKSPACES + "?limit=1")["items"][0]
            path = f"/clusters/root:{ws['metadata']['name']}/api/v1/namespaces/default/configmaps"
            c.request("POST", path, {"metadata": {"name": "probe"}, "data": {"k": "v"}})
            return path + "/probe"

        many_url, few_url = one(client), one(few_client)
        rounds: dict[str, list[Load]] = {"many": [], "few": []}
        for _ in range(args.rounds):
            rounds["many"].append(wrk(f"https://127.0.0.1:{many_port}{many_url}", seconds=args.seconds,
                                      connections=4, token=token))
            rounds["few"].append(wrk(f"https://127.0.0.1:{few_port}{few_url}", seconds=args.seconds,
                                     connections=4, token=few_token))
        gets = {name: median_load(loads) for name, loads in rounds.items()}
        many.terminate()
        many.wait(120)
        servers.close()
        restart = ready_seconds(many_dir, free_port())
        empty = ready_seconds(tmp / "empty", free_port())

    print(f"gitplane workspaces benchmark ({created} workspaces of type universal in root, server on one core, TLS,"
          " store at FULL)")
    print(f"  create (16 connections)   Workspaces accepted {accept_rate:7.0f}/s   ConfigMaps {configmaps}   "
          f"until all Ready {created / total_seconds:7.0f} workspaces/s ({total_seconds:.0f} s; goal >= 1,000/s)")
    print(f"  cost per workspace        {cpu_ms:.2f} ms of server CPU, {writes_each:.1f} API writes: "
          f"{1000 / cpu_ms:.0f} workspaces/s on one core; were every write as cheap as a ConfigMap create, "
          f"{configmaps.requests_per_second / writes_each:.0f}/s")
    per_workspace_kb = (rss_all - rss_half) * 1024 / max(created - at_half, 1)
    print(f"  memory                    RSS {rss_half:.0f} MiB at {at_half} workspaces, {rss_all:.0f} MiB at {created}:"
          f" {per_workspace_kb:.2f} KB per workspace (goal <= 5 KB)")
    print(f"  GET one ConfigMap         with {created}: {gets['many']}   with 100: {gets['few']}   p50 ratio "
          f"{gets['many'].p50_ms / gets['few'].p50_ms:.2f} (goal <= 1.2)")
    print(f"  start-up                  with {created} stored: {restart:.1f} s   empty: {empty:.1f} s (goal <= 5 s)")


if __name__ == "__main__":
    main()
