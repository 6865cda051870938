"""Raw TLS sockets to the server, for requests no client library sends: bodies cut short, endless headers,
clients that send nothing or a byte at a time."""

from __future__ import annotations

import socket
import ssl
import time
from pathlib import Path

from tests.integration.server import ServerProcess


def tls_context(data_dir: Path, *, admin: bool) -> ssl.SSLContext:
    pki = data_dir / "pki"
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    if admin:
        context.load_cert_chain(pki / "admin.crt", pki / "admin.key")
    return context


def connect(server: ServerProcess, *, admin: bool = True, timeout: float = 30.0) -> ssl.SSLSocket:
    """A TLS connection, handshake done (as the admin, with the client certificate, or anonymous)."""
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    return tls_context(server.data_dir, admin=admin).wrap_socket(raw, server_hostname="127.0.0.1")


def request_head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_until_closed(sock: ssl.SSLSocket, limit: float) -> bytes:
    """Everything the server sends until it closes the connection; raises TimeoutError after ``limit``."""
    deadline = time.monotonic() + limit
    received = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"the server kept the connection open for {limit} s")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
            return bytes(received)
        except TimeoutError:
            raise TimeoutError(f"the server kept the connection open for {limit} s") from None
        if not chunk:
            return bytes(received)
        received += chunk


def read_response(sock: ssl.SSLSocket) -> tuple[int, bytes]:
    """One response with a Content-Length (status and body)."""
    data = bytearray()
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {bytes(data)!r}")
        data += chunk
    head, _, rest = bytes(data).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = bytearray(rest)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, bytes(body)
