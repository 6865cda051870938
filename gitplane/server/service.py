"""The server as a service: assemble the pieces once, run until a signal, drain in order.

Start: data directory and PKI → token file → store → catalog, strategies, admission → the ASGI app and its
pipeline → bootstrap objects (the system namespaces) → admin kubeconfig → listen → the informers (the views
requests rely on) → once they listed the store, the other system controllers → one
"ready" log line. Stop (SIGINT/SIGTERM or :meth:`Service.stop`): readiness fails, watches end, uvicorn stops
accepting and drains connections, controllers stop, the store flushes and closes.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import socket
from pathlib import Path

from gitplane.server import http
from gitplane.server.assembly import Assembly, assemble
from gitplane.server.certs import PKI, ensure_pki, serving_hosts
from gitplane.server.health import Check, Health
from gitplane.server.inprocess import InProcessClient
from gitplane.server.kubeconfig import write_admin_kubeconfig
from gitplane.server.request import UserInfo
from gitplane.server.serviceaccounts.signing import SERVICE_ACCOUNT_KEY, Signer, load_or_create_key
from gitplane.server.stages.authn import load_token_file
from gitplane.server.tenancy import bootstrap as tenancy_bootstrap
from gitplane.settings import ServerSettings
from gitplane.storage.sqlite import SQLiteStore

log = logging.getLogger(__name__)

SYNC_POLL_SECONDS = 0.005
SYNC_WARN_SECONDS = 10.0
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def ensure_token_file(path: Path, admin_token: str) -> dict[str, UserInfo]:
    """Read the static token file, creating it with the admin's token on first start."""
    if not path.exists():
        path.write_text(f'{admin_token},gitplane-admin,gitplane-admin,"system:masters"\n')
        path.chmod(0o600)
    return load_token_file(path)


def bind(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.set_inheritable(True)
    return sock


class Service:
    """The API server with its store and system controllers."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self._stop = asyncio.Event()
        self.ready = False

    def stop(self) -> None:
        self._stop.set()

    async def serve(self) -> None:
        settings = self.settings
        data_dir = settings.data_dir
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        pki = ensure_pki(data_dir / "pki", hosts=serving_hosts(settings.address, settings.external_hostname))
        tokens = ensure_token_file(data_dir / "tokens.csv", pki.admin_token.read_text().strip())
        store = await SQLiteStore.open(data_dir / "gitplane.db", synchronous=settings.sqlite_synchronous,
                                       history_seconds=settings.history_seconds,
                                       accept_data_loss=settings.accept_data_loss)
        try:
            await self._run(store, pki, tokens)
        finally:
            await store.close()

    async def _run(self, store: SQLiteStore, pki: PKI, tokens: dict[str, UserInfo]) -> None:
        settings = self.settings
        health = Health(ready={"bootstrap": lambda: None if self.ready else "not yet bootstrapped",
                               "shutdown": lambda: "shutting down" if self._stop.is_set() else None})
        sock = bind(settings.address, settings.port)  # first: a workspace's URL names the port
        port = sock.getsockname()[1]
        url = f"https://{settings.url_host}:{port}"
        try:
            assembly = await self._assemble(store, pki, tokens, health, url)
        except BaseException:
            sock.close()
            raise
        # Everything built so far (schemas, documents, catalogs) lives as long as the process: move it out of
        # the collector's sight, so the full collections that request garbage triggers stay short.
        gc.collect()
        gc.freeze()

        kubeconfig_path = settings.data_dir / "admin.kubeconfig"
        write_admin_kubeconfig(kubeconfig_path, pki=pki, server_url=url)
        server = http.build_server(assembly.app, host=settings.address, port=port,
                                   ssl_context=http.server_ssl_context(pki), limits=settings.connection_limits,
                                   events=assembly.metrics)

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop)
        await http.start(server, sock)
        main_loop = asyncio.create_task(server.main_loop(), name="http-server")
        controllers = [asyncio.create_task(run(), name=name) for name, run in assembly.controllers
                       if name in assembly.informers]
        for task in controllers:
            task.add_done_callback(_report_stopped_controller)
        try:
            await _until_synced(assembly.informers_synced)
            for name, run in assembly.controllers:  # the others list the store now, with requests served
                if name not in assembly.informers:
                    controllers.append(task := asyncio.create_task(run(), name=name))
                    task.add_done_callback(_report_stopped_controller)
            self.ready = True
            log.info("gitplane API server ready at %s (kubeconfig: %s)", url, kubeconfig_path)
            log.info("The kubeconfig starts in workspace root; to make and enter one: export KUBECONFIG=%s; "
                     "kubectl ws create org-a --enter (an organization, root's default child type; kubectl ws tree "
                     "lists them, kubectl ws .. goes up, kubectl ws goes home)", kubeconfig_path)
            stop_wait = asyncio.create_task(self._stop.wait(), name="stop-signal")
            await asyncio.wait({main_loop, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
            stop_wait.cancel()
        finally:
            log.info("Shutting down: draining connections")
            self.ready = False
            assembly.app.stopping.set()
            server.should_exit = True
            await asyncio.gather(main_loop, return_exceptions=True)
            await server.shutdown(sockets=[sock])
            for task in controllers:
                task.cancel()
            await asyncio.gather(*controllers, return_exceptions=True)
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            sock.close()
            log.info("Stopped")

    async def _assemble(self, store: SQLiteStore, pki: PKI, tokens: dict[str, UserInfo], health: Health,
                        url: str) -> Assembly:
        settings = self.settings
        assembly = assemble(store, tokens=tokens, health=health, server_address=url.removeprefix("https://"),
                            external_url=url,
                            bookmark_seconds=settings.watch_bookmark_seconds,
                            quota_resync_seconds=settings.quota_resync_seconds,
                            max_requests_inflight=settings.max_requests_inflight,
                            max_mutating_requests_inflight=settings.max_mutating_requests_inflight,
                            signer=Signer(load_or_create_key(pki.directory / SERVICE_ACCOUNT_KEY)),
                            ca_bundle=pki.ca_cert.read_text())
        await self._bootstrap(assembly.api)
        return assembly

    async def _bootstrap(self, api: InProcessClient) -> None:
        for name in SYSTEM_NAMESPACES:
            await api.create_unless_present("/clusters/root/api/v1/namespaces",
                                            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        await tenancy_bootstrap.bootstrap_root(api)


async def _until_synced(check: Check) -> None:
    """Wait until ``check`` passes: requests before would be judged on an empty RBAC policy or catalog."""
    started = asyncio.get_running_loop().time()
    warned = False
    while (reason := check()) is not None:
        if not warned and asyncio.get_running_loop().time() - started > SYNC_WARN_SECONDS:
            log.warning("not ready after %.0fs: %s", SYNC_WARN_SECONDS, reason)
            warned = True
        await asyncio.sleep(SYNC_POLL_SECONDS)


def _report_stopped_controller(task: asyncio.Task[None]) -> None:
    """A system controller runs until the server stops; one that ends before is a bug to shout about, not to
    lose in a task nobody awaits."""
    if task.cancelled():
        return
    failure = task.exception()
    if failure is not None:
        log.error("system controller %s stopped: %r", task.get_name(), failure, exc_info=failure)
    else:
        log.error("system controller %s stopped", task.get_name())
