"""A fake gitplane API server for the plugin's tests: HTTP (or TLS) on 127.0.0.1, a port chosen by the OS.

It keeps Workspaces per parent path and answers the requests the plugin makes the way the server will:
discovery (``/clusters/<path>/api``), GET/LIST/POST of ``tenancy.kcp.io/v1alpha1`` Workspaces, the home
Workspace ``~`` in root, and 403/404/409 as Kubernetes ``Status`` bodies. A POSTed Workspace gets its type
defaulted (path ``root``, name ``universal``) and answers phase Scheduling to its first GET, Ready after;
``reads_until_ready`` holds how many more GETs a workspace stays in its phase.
Every request is recorded, so tests can assert what the plugin sent.
"""

from __future__ import annotations

import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

WORKSPACES = "apis/tenancy.kcp.io/v1alpha1/workspaces"


@dataclass
class Request:
    method: str
    path: str
    body: Any
    authorization: str | None


@dataclass
class FakeServer:
    """Workspaces by parent path, the paths that answer 403, the home workspace's path, and the serving
    certificate and key files when it speaks TLS."""

    workspaces: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    denied: set[str] = field(default_factory=set)
    home: str | None = None
    requests: list[Request] = field(default_factory=list)
    reads_until_ready: dict[str, int] = field(default_factory=dict)
    tls: tuple[Path, Path] | None = None
    _http: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        assert self._http is not None
        host, port = self._http.server_address[:2]
        return f"{'http' if self.tls is None else 'https'}://{host!s}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base}/clusters/{path}"

    def add(self, path: str, workspace_type: str = "root:universal", phase: str = "Ready") -> dict[str, Any]:
        """Add the Workspace for ``path`` in its parent."""
        parent, _, name = path.rpartition(":")
        type_path, _, type_name = workspace_type.rpartition(":")
        workspace = {
            "apiVersion": "tenancy.kcp.io/v1alpha1",
            "kind": "Workspace",
            "metadata": {"name": name},
            "spec": {"type": {"name": type_name, "path": type_path}, "cluster": f"lc-{name}", "URL": self.url(path)},
            "status": {"phase": phase},
        }
        self.workspaces.setdefault(parent, {})[name] = workspace
        return workspace

    def exists(self, path: str) -> bool:
        parent, _, name = path.rpartition(":")
        return path == "root" or name in self.workspaces.get(parent, {})

    def __enter__(self) -> FakeServer:
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self._http.socket = context.wrap_socket(self._http.socket, server_side=True)
        self._http.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.01,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self._http is not None and self._thread is not None
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()

    def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        self.requests.append(request)
        method, url, body = request.method, request.path, request.body
        prefix, _, rest = urlsplit(url).path.partition("/clusters/")
        path, _, resource = rest.rstrip("/").partition("/")
        if prefix or not path:
            return _status(404, "the server could not find the requested resource")
        if path in self.denied:
            return _status(403, f'User "admin" cannot {method.lower()} in workspace "{path}"')
        if not self.exists(path):
            return _status(404, f'workspace "{path}" not found')
        if resource == "api" and method == "GET":
            return 200, {"kind": "APIVersions", "versions": ["v1"],
                         "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
        if resource == WORKSPACES and method == "GET":
            items = list(self.workspaces.get(path, {}).values())
            return 200, {"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "WorkspaceList", "items": items}
        if resource == WORKSPACES and method == "POST":
            return self._create(path, body)
        if resource.startswith(WORKSPACES + "/") and method == "GET":
            return self._get(path, resource.removeprefix(WORKSPACES + "/"))
        return _status(405, f"{method} {resource} is not supported")

    def _get(self, parent: str, name: str) -> tuple[int, dict[str, Any]]:
        if name == "~" and parent == "root" and self.home is not None:
            return 200, {"kind": "Workspace", "metadata": {"name": "~"}, "spec": {"URL": self.url(self.home)}}
        workspace = self.workspaces.get(parent, {}).get(name)
        if workspace is None:
            return _status(404, f'workspaces.tenancy.kcp.io "{name}" not found')
        answer = json.loads(json.dumps(workspace))
        key = f"{parent}:{name}"
        if key in self.reads_until_ready:
            self.reads_until_ready[key] -= 1
            if self.reads_until_ready[key] <= 0:
                del self.reads_until_ready[key]
                workspace["status"]["phase"] = "Ready"
        return 200, answer

    def _create(self, parent: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        name = body["metadata"]["name"]
        if name in self.workspaces.get(parent, {}):
            return _status(409, f'workspaces.tenancy.kcp.io "{name}" already exists')
        requested = body.get("spec", {}).get("type", {})
        workspace = self.add(
            f"{parent}:{name}",
            f"{requested.get('path') or 'root'}:{requested.get('name') or 'universal'}",
            phase="Scheduling",
        )
        self.reads_until_ready.setdefault(f"{parent}:{name}", 1)
        return 201, workspace


def _status(code: int, message: str) -> tuple[int, dict[str, Any]]:
    reasons = {403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed", 409: "AlreadyExists"}
    return code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": message, "reason": reasons[code], "code": code}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._answer(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(json.loads(self.rfile.read(length)))

    def _answer(self, body: Any) -> None:
        fake: FakeServer = self.server.fake  # type: ignore[attr-defined]
        code, answer = fake.answer(Request(self.command, self.path, body, self.headers.get("Authorization")))
        payload = json.dumps(answer).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the plugin's stderr is asserted."""
