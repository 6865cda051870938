"""The verified client certificate of a connection, as the authentication stage reads it from the scope.

The HTTP layer reads the subject of the certificate once per connection (the TLS handshake is complete by
``connection_made``) and puts it into every request's ASGI scope under :data:`PEER_SCOPE_KEY`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

PEER_SCOPE_KEY = "gitplane.peer"


@dataclass(frozen=True, slots=True)
class PeerCertificate:
    """The subject of a verified client certificate: CN is the user, each O a group."""

    common_name: str
    organizations: tuple[str, ...]


def peer_from_transport(transport: asyncio.BaseTransport) -> PeerCertificate | None:
    cert = transport.get_extra_info("peercert")
    if not cert:
        return None
    common_name = ""
    organizations: list[str] = []
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                common_name = value
            elif key == "organizationName":
                organizations.append(value)
    if not common_name:
        return None
    return PeerCertificate(common_name, tuple(organizations))
