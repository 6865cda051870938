"""Runs fuzzed requests against one real server and judges every answer.

    discovery (/api/v1, /apis/<group>/<version>) --> served types --> fuzz_requests.requests
    each request --one keep-alive HTTPS connection--> reply --check--> AssertionError naming the request

A reply fails when it is a 5xx (but kube's 504 for a resourceVersion ahead of the store), cannot be read
(bad status line, oversized header line, more than 100 headers, cut short), is an error that is not a JSON
``Status`` of the same code, or is a success whose body (or, for a watch, whose event lines) is not JSON.
Watches are read for a fraction of a second and then dropped. After a run the
server must still answer and its log must hold no traceback. :func:`fuzz` drives hypothesis with a given seed
and budget; the CI test and ``scripts/fuzz.py`` both call it.
"""

from __future__ import annotations

import http.client
import json
import ssl
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.integration.fuzz_requests import FuzzRequest, ServedType, requests
from tests.integration.server import ServerProcess

WATCH_READ_SECONDS = 0.2
WATCH_EVENTS = frozenset({"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"})


class Reply:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


class Connection:
    """One HTTPS connection to the server as the admin, opened again when the server or a watch closed it."""

    def __init__(self, server: ServerProcess) -> None:
        pki = server.data_dir / "pki"
        self._context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        self._context.load_cert_chain(pki / "admin.crt", pki / "admin.key")
        self._port = server.port
        self._conn: http.client.HTTPSConnection | None = None

    def _open(self) -> http.client.HTTPSConnection:
        if self._conn is None:
            self._conn = http.client.HTTPSConnection("127.0.0.1", self._port, context=self._context, timeout=30)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def send(self, method: str, url: str, body: bytes | None, content_type: str, *, watch: bool = False) -> Reply:
        headers = {"Accept": "application/json", "Content-Type": content_type}
        for attempt in (1, 2):
            fresh = self._conn is None
            conn = self._open()
            try:
                conn.request(method, url, body=body, headers=headers)
                response = conn.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if fresh or attempt == 2:  # a new connection that fails is the server's failure
                    raise
                continue  # the server closed an idle keep-alive connection: send again on a new one
            except BaseException:
                self.close()
                raise
            if watch and response.status == 200:
                return Reply(response.status, response.headers, self._read_stream(response))
            body_read = response.read()
            if response.will_close:
                self.close()
            return Reply(response.status, response.headers, body_read)
        raise AssertionError("unreachable")

    def _read_stream(self, response: http.client.HTTPResponse) -> bytes:
        """What a watch sends in its first moments; the connection is then dropped."""
        assert self._conn is not None and self._conn.sock is not None
        self._conn.sock.settimeout(WATCH_READ_SECONDS)
        received = b""
        try:
            while chunk := response.read1(65536):
                received += chunk
        except TimeoutError:
            pass
        finally:
            self.close()
        return received


def discover(connection: Connection) -> list[ServedType]:
    """Every resource type the server serves, from its discovery documents (subresources attached)."""
    group_versions = [str(v) for v in _json(connection, "/api")["versions"]]
    for group in _json(connection, "/apis")["groups"]:
        group_versions += [f"/apis/{v['groupVersion']}" for v in group["versions"]]
    found: list[ServedType] = []
    for group_version in group_versions:
        path = group_version if group_version.startswith("/apis/") else f"/api/{group_version}"
        resources = _json(connection, path)["resources"]
        api_version = path.split("/", 2)[2]
        group, _, version = api_version.rpartition("/")
        for resource in resources:
            if "/" in resource["name"]:
                continue
            subresources = tuple(r["name"].split("/", 1)[1] for r in resources
                                 if r["name"].startswith(resource["name"] + "/"))
            found.append(ServedType(group, version, resource["name"], resource["kind"], resource["namespaced"],
                                    frozenset(resource["verbs"]), subresources))
    return found


def _json(connection: Connection, path: str) -> Any:
    reply = connection.send("GET", path, None, "application/json")
    assert reply.status == 200, f"GET {path}: {reply.status} {reply.body[:200]!r}"
    return json.loads(reply.body)


def _too_large_resource_version(reply: Reply) -> bool:
    """kube's one deliberate 5xx for client input: a resourceVersion ahead of the store is 504 Timeout with
    the ResourceVersionTooLarge cause (clients retry it)."""
    if reply.status != 504:
        return False
    causes = json.loads(reply.body).get("details", {}).get("causes", [])
    return any(cause.get("reason") == "ResourceVersionTooLarge" for cause in causes)


def check(request: FuzzRequest, reply: Reply) -> None:
    """Raise AssertionError when the reply is one the server must never give."""
    where = f"{request}\n-> {reply.status}: {reply.body[:500]!r}"
    assert 100 <= reply.status < 500 or _too_large_resource_version(reply), f"server error for {where}"
    if request.method == "HEAD" or reply.status in (101, 204, 304):
        return
    if request.watch and reply.status == 200:
        for line in reply.body.split(b"\n")[:-1]:  # the last line may be cut off when the read stopped
            event = json.loads(line)
            assert event.get("type") in WATCH_EVENTS and isinstance(event.get("object"), dict), \
                f"unreadable watch event {line[:300]!r} for {where}"
        return
    assert reply.headers.get("Content-Type"), f"no Content-Type for {where}"
    try:
        body = json.loads(reply.body)
    except ValueError:
        raise AssertionError(f"a body that is not JSON for {where}") from None
    if reply.status >= 400:
        assert isinstance(body, dict) and body.get("kind") == "Status" and body.get("code") == reply.status \
            and body.get("status") == "Failure" and isinstance(body.get("message"), str), \
            f"an error that is not a Status for {where}"


class Fuzzer:
    """Sends requests and keeps each type's target object in place for the requests that need it."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.connection = Connection(server)
        self.types = discover(self.connection)
        self.sent = 0
        self._maybe_gone = {t.plural + t.group for t in self.types}

    def _ensure_target(self, t: ServedType) -> None:
        if t.plural + t.group not in self._maybe_gone:
            return
        reply = self.connection.send("POST", t.collection(), json.dumps(t.sample(t.target)).encode(),
                                     "application/json")
        assert reply.status in (201, 409), f"cannot create the fuzz target {t.target}: {reply.body[:500]!r}"
        self._maybe_gone.discard(t.plural + t.group)

    def run(self, request: FuzzRequest) -> None:
        if request.on_target:
            self._ensure_target(request.type)
        try:
            reply = self.connection.send(request.method, request.url, request.body, request.content_type,
                                         watch=request.watch)
        except (http.client.HTTPException, OSError) as exc:
            self.connection.close()
            raise AssertionError(f"unreadable response ({exc!r}) for {request}") from exc
        self.sent += 1
        if request.method == "DELETE" and reply.status < 300:
            self._maybe_gone.add(request.type.plural + request.type.group)
        check(request, reply)

    def assert_healthy(self) -> None:
        """The server still serves, its process runs, and it logged no traceback."""
        self.connection.close()
        assert self.server.process is not None and self.server.process.poll() is None, "the server exited"
        reply = self.connection.send("GET", "/api/v1/namespaces/default/configmaps?limit=1", None,
                                     "application/json")
        assert reply.status == 200, f"the server stopped serving: {reply.status} {reply.body[:300]!r}"
        tracebacks = [line for line in self.server.log_lines if "Traceback" in line]
        assert not tracebacks, "the server logged tracebacks:\n" + self.server.log()[-20000:]


def fuzz(fuzzer: Fuzzer, *, examples: int, seed_value: int, failures: list[str] | None = None) -> None:
    """Send ``examples`` generated requests (hypothesis, seeded, no example database). On a failure hypothesis
    shrinks it and raises with the smallest failing request; with ``failures``, each failure is appended there
    instead and the run goes on (for long runs that collect everything they find)."""

    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None, print_blob=False,
              phases=(Phase.generate,) if failures is not None else (Phase.generate, Phase.shrink),
              suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                     HealthCheck.large_base_example))
    @given(requests(fuzzer.types))
    def one(request: FuzzRequest) -> None:
        try:
            fuzzer.run(request)
        except AssertionError as exc:
            if failures is None:
                raise
            failures.append(str(exc))

    one()
