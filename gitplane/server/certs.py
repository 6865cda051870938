"""The server's PKI: a CA, the serving certificate, the admin's client certificate and token.

Generated with ``cryptography`` on first start under ``<data-dir>/pki`` and reused afterwards. The serving
certificate is re-issued (by the same CA) when it nears expiry or when the host names it must cover change,
so existing kubeconfigs keep working. Keys are ECDSA P-256 (cheap handshakes), files holding secrets are
written 0600, atomically.

Client certificates follow Kubernetes: the subject's CN is the user name, each O is a group.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger(__name__)

ADMIN_USER = "gitplane-admin"
ADMIN_GROUPS = ("system:masters",)
CA_LIFETIME = dt.timedelta(days=3650)
LEAF_LIFETIME = dt.timedelta(days=365)
RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class PKI:
    """Paths of the PEM files the server and its kubeconfigs use."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def serving_cert(self) -> Path:
        return self.directory / "apiserver.crt"

    @property
    def serving_key(self) -> Path:
        return self.directory / "apiserver.key"

    @property
    def admin_cert(self) -> Path:
        return self.directory / "admin.crt"

    @property
    def admin_key(self) -> Path:
        return self.directory / "admin.key"

    @property
    def admin_token(self) -> Path:
        return self.directory / "admin.token"


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, atomically (a crash leaves the old file or the new one)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(common_name: str, organizations: tuple[str, ...] = ()) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _issue(subject: x509.Name, key: ec.EllipticCurvePrivateKey, *, issuer_cert: x509.Certificate | None,
           issuer_key: ec.EllipticCurvePrivateKey, lifetime: dt.timedelta,
           extensions: list[tuple[x509.ExtensionType, bool]]) -> x509.Certificate:
    now = _now()
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer_cert.subject if issuer_cert else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + lifetime)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


def _leaf_usage(purpose: x509.ObjectIdentifier) -> list[tuple[x509.ExtensionType, bool]]:
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                       data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                       encipher_only=False, decipher_only=False), True),
        (x509.ExtendedKeyUsage([purpose]), False),
    ]


def _san(hosts: list[str]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def _load_cert(path: Path) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (FileNotFoundError, ValueError):
        return None


def _load_key(path: Path) -> ec.EllipticCurvePrivateKey | None:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (FileNotFoundError, ValueError):
        return None
    return key if isinstance(key, ec.EllipticCurvePrivateKey) else None


def _fresh(cert: x509.Certificate | None) -> bool:
    return cert is not None and cert.not_valid_after_utc - RENEW_BEFORE > _now()


def _covers(cert: x509.Certificate, hosts: list[str]) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    present = {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    present |= set(san.get_values_for_type(x509.DNSName))
    return all(str(ipaddress.ip_address(h)) in present if _is_ip(h) else h in present for h in hosts)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def serving_hosts(address: str, external_hostname: str) -> list[str]:
    """The names the serving certificate must cover."""
    hosts = ["localhost", "127.0.0.1", "::1"]
    for host in (address, external_hostname):
        if host and host not in ("0.0.0.0", "::"):
            hosts.append(host)
    return list(dict.fromkeys(hosts))


def ensure_pki(directory: Path, *, hosts: list[str]) -> PKI:
    """Create or renew the CA, serving and admin credentials under ``directory``; return their paths."""
    pki = PKI(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    ca_cert, ca_key = _load_cert(pki.ca_cert), _load_key(pki.ca_key)
    if ca_cert is None or ca_key is None or not _fresh(ca_cert):
        log.info("Generating a new certificate authority in %s", directory)
        ca_key = _new_key()
        ca_cert = _issue(_name("gitplane-ca"), ca_key, issuer_cert=None, issuer_key=ca_key,
                         lifetime=CA_LIFETIME, extensions=[
                             (x509.BasicConstraints(ca=True, path_length=None), True),
                             (x509.KeyUsage(digital_signature=True, key_encipherment=False,
                                            content_commitment=False, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=True, crl_sign=True,
                                            encipher_only=False, decipher_only=False), True),
                         ])
        write_private(pki.ca_key, _key_pem(ca_key))
        pki.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        for stale in (pki.serving_cert, pki.admin_cert):
            stale.unlink(missing_ok=True)

    serving = _load_cert(pki.serving_cert)
    if serving is None or _load_key(pki.serving_key) is None or not _fresh(serving) \
            or not _covers(serving, hosts):
        log.info("Issuing the serving certificate for %s", ", ".join(hosts))
        key = _new_key()
        cert = _issue(_name("gitplane-apiserver"), key, issuer_cert=ca_cert, issuer_key=ca_key,
                      lifetime=LEAF_LIFETIME,
                      extensions=[*_leaf_usage(ExtendedKeyUsageOID.SERVER_AUTH), (_san(hosts), False)])
        write_private(pki.serving_key, _key_pem(key))
        pki.serving_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    admin = _load_cert(pki.admin_cert)
    if admin is None or _load_key(pki.admin_key) is None or not _fresh(admin):
        key = _new_key()
        cert = _issue(_name(ADMIN_USER, ADMIN_GROUPS), key, issuer_cert=ca_cert, issuer_key=ca_key,
                      lifetime=LEAF_LIFETIME, extensions=_leaf_usage(ExtendedKeyUsageOID.CLIENT_AUTH))
        write_private(pki.admin_key, _key_pem(key))
        pki.admin_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    if not pki.admin_token.exists():
        write_private(pki.admin_token, secrets.token_urlsafe(32).encode())
    return pki


def issue_client_certificate(pki: PKI, user: str, groups: tuple[str, ...] = (),
                             lifetime: dt.timedelta = LEAF_LIFETIME) -> tuple[bytes, bytes]:
    """A client certificate and key (PEM) for ``user`` in ``groups``, signed by the server's CA."""
    ca_cert, ca_key = _load_cert(pki.ca_cert), _load_key(pki.ca_key)
    if ca_cert is None or ca_key is None:
        raise FileNotFoundError(f"no certificate authority in {pki.directory}")
    key = _new_key()
    cert = _issue(_name(user, groups), key, issuer_cert=ca_cert, issuer_key=ca_key, lifetime=lifetime,
                  extensions=_leaf_usage(ExtendedKeyUsageOID.CLIENT_AUTH))
    return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)
