"""Health and version endpoints: ``/healthz``, ``/livez``, ``/readyz`` (with ``?verbose`` and per-check paths)
and ``/version``.

Checks are named functions returning None (healthy) or a reason. ``/readyz`` additionally fails until the
server has finished bootstrapping and while it is shutting down, so load balancers stop sending requests
before connections are drained.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from gitplane.api.builtin_schemas import KUBERNETES_VERSION
from gitplane.server.request import Request, Response

Check = Callable[[], str | None]
_GO_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm"}
TEXT = "text/plain; charset=utf-8"


@dataclass
class Health:
    """The named checks of each endpoint."""

    live: dict[str, Check] = field(default_factory=dict)
    ready: dict[str, Check] = field(default_factory=dict)

    def respond(self, request: Request, endpoint: str) -> Response:
        checks = {"ping": lambda: None, **self.live}
        if endpoint == "/readyz":
            checks.update(self.ready)
        path = request.require_info().path
        if path.startswith(endpoint + "/"):
            name = path[len(endpoint) + 1:]
            check = checks.get(name)
            if check is None:
                return Response(404, b"404 page not found\n", TEXT)
            reason = check()
            return Response(200 if reason is None else 500, b"ok" if reason is None else reason.encode(), TEXT)
        results = {name: check() for name, check in checks.items()}
        failed = [name for name, reason in results.items() if reason is not None]
        verbose = "verbose" in request.query
        if verbose or failed:
            lines = [f"[+]{name} ok" if reason is None else f"[-]{name} failed: reason withheld"
                     for name, reason in results.items()]
            status = "failed" if failed else "passed"
            lines.append(f"{endpoint[1:]} check {status}")
            return Response(500 if failed and endpoint != "/readyz" else 503 if failed else 200,
                            ("\n".join(lines) + "\n").encode(), TEXT)
        return Response(200, b"ok", TEXT)


def version_body(version: str) -> bytes:
    major, minor = KUBERNETES_VERSION.split(".")[:2]
    return orjson.dumps({
        "major": major,
        "minor": minor,
        "gitVersion": f"v{major}.{minor}.0+gitplane-{version}",
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "",
        "goVersion": f"python{platform.python_version()}",
        "compiler": platform.python_implementation().lower(),
        "platform": f"{platform.system().lower()}/{_GO_ARCH.get(platform.machine(), platform.machine())}",
    })
