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
    history_seconds: float = _opt("--history-seconds",
                                  "how long watch history is kept (older resourceVersions get 410 Gone)",
                                  default=300.0)
    watch_bookmark_seconds: float = _opt("--watch-bookmark-seconds",
                                         "interval of BOOKMARK events on idle watches", default=30.0)
    quota_resync_seconds: float = _opt("--quota-resync-seconds",
                                       "interval of the resource quota controller's full recount", default=300.0)
    log_level: str = _opt("--log-level", "logging level", default="INFO")

    @property
    def url_host(self) -> str:
        host = self.external_hostname or self.address
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        return f"[{host}]" if ":" in host else host

    @property
    def url(self) -> str:
        return f"https://{self.url_host}:{self.port}"


def setting_fields(cls: type) -> list[dataclasses.Field[Any]]:
    """The fields of a settings dataclass that carry a flag."""
    return [f for f in dataclasses.fields(cls) if "flag" in f.metadata]


def env_name(flag: str) -> str:
    return "GITPLANE_" + flag.lstrip("-").replace("-", "_").upper()
