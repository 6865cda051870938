"""What RBAC costs the hot path: a GET authorized by an RBAC decision beside the same GET by a
``system:masters`` user (allowed before RBAC is asked), in process, in the same run.

Both users authenticate the same way (a bearer token), read the same ConfigMap through the assembled app on a
MemoryStore, so the difference between the two columns is the RBAC decision. The RBAC index holds a realistic
policy (the bootstrap policy plus ``--bindings`` RoleBindings of other users across namespaces). The authorizer
alone is also timed with its decision cache warm and with the cache emptied before every call (what a policy
change costs the first request after it).

Run from the repository root: ``python -m bench.rbac_overhead [--requests 20000] [--bindings 500]``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import orjson

from gitplane.server import requestinfo
from gitplane.server.assembly import assemble
from gitplane.server.health import Health
from gitplane.server.inprocess import InProcessClient
from gitplane.server.rbac.authorizer import RBACAuthorizer
from gitplane.server.request import UserInfo
from gitplane.server.stages.authz import Attributes, Authorization
from gitplane.storage.memory import MemoryStore

ROUNDS = 5
RBAC = "/apis/rbac.authorization.k8s.io/v1"
TOKENS = {"admin-token": UserInfo("admin", ("system:masters",)), "alice-token": UserInfo("alice", ("devs",))}
PATH = "/api/v1/namespaces/team-0/configmaps/settings"


def scope(token: str) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": PATH, "raw_path": PATH.encode(), "query_string": b"",
            "headers": [(b"host", b"127.0.0.1:6443"), (b"user-agent", b"bench/1.0"), (b"accept", b"application/json"),
                        (b"authorization", f"Bearer {token}".encode())]}


async def drive(app: Any, token: str, n: int) -> float:
    """Microseconds per GET over ``n`` requests (each must answer 200)."""
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    request_scope = scope(token)
    started = time.perf_counter()
    for _ in range(n):
        await app(dict(request_scope), receive, send)
    elapsed = (time.perf_counter() - started) / n * 1e6
    if set(statuses) != {200}:
        raise SystemExit(f"unexpected answers for {token}: {sorted(set(statuses))}")
    return elapsed


async def request(app: Any, method: str, path: str, body: Any) -> dict[str, Any]:
    api = InProcessClient(app, user="bench-admin", groups=("system:masters",), user_agent="bench")
    reply = await api.request(method, path, body=body)
    reply.raise_for_status()
    result: dict[str, Any] = reply.json()
    return result


def authorizer_of(app: Any) -> RBACAuthorizer:
    for stage in app._stages:  # the benchmark looks inside the assembly for the authorizer it times
        if isinstance(stage, Authorization):
            for authorizer in stage.authorizers:
                if isinstance(authorizer, RBACAuthorizer):
                    return authorizer
    raise SystemExit("no RBAC authorizer in the assembled chain")


async def main(requests: int, bindings: int) -> None:
    store = MemoryStore()
    assembly = assemble(store, tokens=TOKENS, health=Health(), server_address="127.0.0.1:6443")
    app = assembly.app
    authorizer = authorizer_of(app)
    tasks = [asyncio.create_task(run()) for name, run in assembly.controllers if name == "rbac-index"]
    try:
        namespaces = max(1, bindings // 50)
        for i in range(namespaces):
            await request(app, "POST", "/api/v1/namespaces", {"metadata": {"name": f"team-{i}"}})
        await request(app, "POST", "/api/v1/namespaces/team-0/configmaps",
                      {"metadata": {"name": "settings"}, "data": {"mode": "on"}})
        await request(app, "POST", f"{RBAC}/clusterroles", {"metadata": {"name": "cm-reader"}, "rules": [
            {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]})
        last: dict[str, Any] = {}
        for i in range(bindings):
            last = await request(app, "POST", f"{RBAC}/namespaces/team-{i % namespaces}/rolebindings", {
                "metadata": {"name": f"user-{i}"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cm-reader"},
                "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": f"user-{i}"}]})
        last = await request(app, "POST", f"{RBAC}/namespaces/team-0/rolebindings", {
            "metadata": {"name": "devs"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cm-reader"},
            "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "devs"}]})
        await asyncio.wait_for(authorizer.index.wait_for(int(last["metadata"]["resourceVersion"])), 30)

        masters: list[float] = []
        rbac: list[float] = []
        await drive(app, "alice-token", 200)  # warm both paths
        await drive(app, "admin-token", 200)
        for _ in range(ROUNDS):
            masters.append(await drive(app, "admin-token", requests))
            rbac.append(await drive(app, "alice-token", requests))

        attrs = Attributes(UserInfo("alice", ("devs", "system:authenticated")), "root",
                           requestinfo.parse("GET", PATH, {}))
        calls = max(1000, requests // 4)
        started = time.perf_counter()
        for _ in range(calls):
            authorizer.authorize(attrs)
        warm = (time.perf_counter() - started) / calls * 1e6
        started = time.perf_counter()
        for _ in range(calls):
            authorizer._cache.clear()  # the benchmark empties the cache to time a decision from the index
            authorizer.authorize(attrs)
        cold = (time.perf_counter() - started) / calls * 1e6
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await store.close()

    best_masters, best_rbac = min(masters), min(rbac)
    print(f"RBAC overhead, in process, {requests} GETs per round, best of {ROUNDS} rounds; policy: bootstrap "
          f"+ {bindings + 1} RoleBindings in {namespaces} namespaces")
    print(f"  GET as system:masters (no RBAC decision)  {best_masters:8.1f} us/request   (baseline)")
    print(f"  GET as alice (RBAC decision)              {best_rbac:8.1f} us/request   "
          f"(+{best_rbac - best_masters:.1f} us, {100 * (best_rbac - best_masters) / best_masters:+.1f}%)")
    print(f"  authorizer alone, decision cache warm     {warm:8.2f} us/decision")
    print(f"  authorizer alone, cache emptied each call {cold:8.2f} us/decision")
    print(orjson.dumps({"masters_us": best_masters, "rbac_us": best_rbac, "authorize_warm_us": warm,
                        "authorize_cold_us": cold}).decode())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--bindings", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.bindings))
