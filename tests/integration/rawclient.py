"""A raw HTTPS client for the tests that must send exactly what they mean (bad bodies, odd headers)."""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class RawClient:
    """HTTPS to the server as the admin (client certificate), or with a bearer token, or as nobody."""

    def __init__(self, url: str, data_dir: Path, *, token: str | None = None, certificate: bool = True) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 443
        pki = data_dir / "pki"
        self.context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        if certificate and token is None:
            self.context.load_cert_chain(pki / "admin.crt", pki / "admin.key")
        self.token = token

    def request(self, method: str, path: str, body: bytes | str | None = None,  # noqa: PLR0917
                content_type: str = "application/json", headers: dict[str, str] | None = None,
                repeated: Sequence[tuple[str, str]] = ()) -> Reply:
        """Send one request; ``repeated`` headers are sent after the others, each as given (a name may repeat)."""
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=30)
        try:
            all_headers = {"Content-Type": content_type, **(headers or {})}
            if self.token is not None:
                all_headers["Authorization"] = f"Bearer {self.token}"
            data = body.encode() if isinstance(body, str) else body
            if not repeated:
                conn.request(method, path, body=data, headers=all_headers)
            else:
                conn.putrequest(method, path)
                for name, value in [*all_headers.items(), *repeated, ("Content-Length", str(len(data or b"")))]:
                    conn.putheader(name, value)
                conn.endheaders(data)
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            conn.close()
