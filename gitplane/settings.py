"""Settings: defined once, here, as frozen dataclasses; the CLI derives its flags and GITPLANE_* environment
twins from the field metadata, so a setting is never spelled out twice.

A field's ``metadata`` carries its ``flag`` (``--data-dir``) and ``help``; the environment variable is the flag
upper-cased with ``GITPLANE_`` in front (``GITPLANE_DATA_DIR``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


def _opt(flag: str, help_text: str, **kwargs: Any) -> Any:
    return field(metadata={"flag": flag, "help": help_text}, **kwargs)


@dataclass(frozen=True)
class ConnectionLimits:
    """The HTTP server's limits on connections (taken from :class:`ServerSettings`)."""

    max_connections: int = 0
    """0: derived from the process's open-files limit."""
    tls_handshake_timeout: float = 10.0
    request_header_timeout: float = 32.0
    request_body_timeout: float = 60.0
    idle_timeout: float = 90.0
    max_header_bytes: int = 1 << 20
    max_header_count: int = 500


@dataclass(frozen=True)
class ServerSettings:
    """How the API server runs."""

    data_dir: Path = _opt("--data-dir", "directory for the database, certificates and kubeconfigs",
                          default=Path(".gitplane"))
    address: str = _opt("--address", "address to listen on", default="127.0.0.1")
    port: int = _opt("--port", "HTTPS port to listen on", default=6443)
    external_hostname: str = _opt("--external-hostname",
                                  "host name clients use to reach the server (kubeconfig server URL and "
                                  "certificate SAN); defaults to the listen address", default="")
    sqlite_synchronous: Literal["FULL", "NORMAL"] = _opt(
        "--sqlite-synchronous",
        "SQLite durability: FULL survives power loss, NORMAL survives a crash of the process", default="FULL")
    accept_data_loss: bool = _opt(
        "--accept-data-loss",
        "start even though the store finds acknowledged writes missing (its WAL or database file was deleted or "
        "damaged): resourceVersions continue above any ever handed out, older history answers 410 Gone",
        default=False)
    history_seconds: float = _opt("--history-seconds",
                                  "how long watch history is kept (older resourceVersions get 410 Gone)",
                                  default=300.0)
    watch_bookmark_seconds: float = _opt("--watch-bookmark-seconds",
                                         "interval of BOOKMARK events on idle watches", default=30.0)
    quota_resync_seconds: float = _opt("--quota-resync-seconds",
                                       "interval of the resource quota controller's full recount", default=300.0)
    max_requests_inflight: int = _opt("--max-requests-inflight",
                                      "read-only requests (get, list) served at once at most; more are "
                                      "answered 429 (watches and system:masters are exempt; 0: no limit)",
                                      default=400)
    max_mutating_requests_inflight: int = _opt("--max-mutating-requests-inflight",
                                               "mutating requests (create, update, patch, delete) served at "
                                               "once at most; more are answered 429 (0: no limit)", default=200)
    max_connections: int = _opt("--max-connections",
                                "open connections at most; at the cap the longest-idle connection is closed to "
                                "make room (0: the open-files limit less a reserve)", default=0)
    tls_handshake_timeout: float = _opt("--tls-handshake-timeout", "seconds a client may take for the TLS "
                                        "handshake", default=10.0)
    request_header_timeout: float = _opt("--request-header-timeout", "seconds a client may take to send a "
                                         "request's headers (kube: 32)", default=32.0)
    request_body_timeout: float = _opt("--request-body-timeout", "seconds a client may take to send a "
                                       "request's body", default=60.0)
    idle_timeout: float = _opt("--idle-timeout", "seconds a keep-alive connection may wait for its next "
                               "request (kube: 90)", default=90.0)
    max_header_bytes: int = _opt("--max-header-bytes", "bytes of request line and headers at most; more is "
                                 "refused with 431 (kube: 1 MiB)", default=1 << 20)
    max_header_count: int = _opt("--max-header-count", "request headers at most; more is refused with 431",
                                 default=500)
    log_level: str = _opt("--log-level", "logging level", default="INFO")

    @property
    def connection_limits(self) -> ConnectionLimits:
        return ConnectionLimits(max_connections=self.max_connections,
                                tls_handshake_timeout=self.tls_handshake_timeout,
                                request_header_timeout=self.request_header_timeout,
                                request_body_timeout=self.request_body_timeout, idle_timeout=self.idle_timeout,
                                max_header_bytes=self.max_header_bytes, max_header_count=self.max_header_count)

    @property
    def url_host(self) -> str:
        host = self.external_hostname or self.address
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"[{host}]" if ":" in host else host

    @property
    def url(self) -> str:
        return f"https://{self.url_host}:{self.port}"


@dataclass(frozen=True)
class CheckSettings:
    """What ``gitplane check`` examines."""

    data_dir: Path = _opt("--data-dir", "the data directory whose store is checked (it may be in use)",
                          default=Path(".gitplane"))


def setting_fields(cls: type) -> list[dataclasses.Field[Any]]:
    """The fields of a settings dataclass that carry a flag."""
    return [f for f in dataclasses.fields(cls) if "flag" in f.metadata]


def env_name(flag: str) -> str:
    return "GITPLANE_" + flag.lstrip("-").replace("-", "_").upper()
