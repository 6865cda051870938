"""The server's PKI: created on first start, reused afterwards, the serving certificate re-issued by the same CA
when the host names change or it nears expiry; secrets written 0600; client certificates carry the user as CN
and the groups as O."""

from __future__ import annotations

import datetime as dt
import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gitplane.server.certs import ADMIN_GROUPS, ADMIN_USER, PKI, ensure_pki, issue_client_certificate, serving_hosts

HOSTS = ["localhost", "127.0.0.1", "::1"]


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def san_names(cert: x509.Certificate) -> set[str]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(san.get_values_for_type(x509.DNSName)) | {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}


def subject(cert: x509.Certificate) -> tuple[str, list[str]]:
    common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    organizations = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return str(common_name), [str(o) for o in organizations]


def usages(cert: x509.Certificate) -> list[x509.ObjectIdentifier]:
    return list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)


@pytest.fixture
def pki(tmp_path: Path) -> PKI:
    return ensure_pki(tmp_path / "pki", hosts=HOSTS)


def test_first_start_creates_every_file_with_private_modes(pki: PKI) -> None:
    """Keys and the admin token are readable by the owner only; the directory too."""
    for path in (pki.ca_cert, pki.ca_key, pki.serving_cert, pki.serving_key, pki.admin_cert, pki.admin_key,
                 pki.admin_token):
        assert path.is_file(), path
    for secret in (pki.ca_key, pki.serving_key, pki.admin_key, pki.admin_token):
        assert mode(secret) == 0o600, secret
    assert mode(pki.directory) == 0o700
    assert len(pki.admin_token.read_text()) >= 32


def test_the_ca_signs_the_serving_and_admin_certificates(pki: PKI) -> None:
    """Both leaves chain to the CA, which is a CA; the serving certificate is for servers, the admin's for clients."""
    ca = load(pki.ca_cert)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    serving, admin = load(pki.serving_cert), load(pki.admin_cert)
    serving.verify_directly_issued_by(ca)
    admin.verify_directly_issued_by(ca)
    assert usages(serving) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert usages(admin) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not serving.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_the_serving_certificate_covers_every_host(pki: PKI) -> None:
    """DNS names and IP addresses (v4 and v6) are in the SAN as their own kinds."""
    serving = load(pki.serving_cert)
    assert san_names(serving) == {"localhost", "127.0.0.1", "::1"}
    san = serving.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("::1") in san.get_values_for_type(x509.IPAddress)


def test_the_admin_certificate_is_a_system_master(pki: PKI) -> None:
    """The admin's CN is its user name and its O the system:masters group."""
    assert subject(load(pki.admin_cert)) == (ADMIN_USER, list(ADMIN_GROUPS))
    assert (ADMIN_USER, ADMIN_GROUPS) == ("gitplane-admin", ("system:masters",))


def snapshot(pki: PKI) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(pki.directory.iterdir())}


def test_a_second_start_reuses_everything(pki: PKI) -> None:
    """Nothing is rewritten when the certificates are fresh and cover the hosts, so kubeconfigs keep working."""
    before = snapshot(pki)
    ensure_pki(pki.directory, hosts=HOSTS)
    assert snapshot(pki) == before


def test_fewer_hosts_than_covered_reuse_the_serving_certificate(pki: PKI) -> None:
    """A certificate that covers more names than needed is still good."""
    before = pki.serving_cert.read_bytes()
    ensure_pki(pki.directory, hosts=["localhost"])
    assert pki.serving_cert.read_bytes() == before


def test_a_new_host_reissues_only_the_serving_certificate(pki: PKI) -> None:
    """The CA, the admin credentials and the token stay; the serving certificate now covers the new name."""
    before = snapshot(pki)
    ensure_pki(pki.directory, hosts=[*HOSTS, "gitplane.example.com", "10.0.0.7"])
    after = snapshot(pki)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"apiserver.crt", "apiserver.key"}
    serving = load(pki.serving_cert)
    assert {"gitplane.example.com", "10.0.0.7"} <= san_names(serving)
    serving.verify_directly_issued_by(load(pki.ca_cert))
    assert mode(pki.serving_key) == 0o600


def test_a_serving_certificate_near_expiry_is_reissued(pki: PKI) -> None:
    """A serving certificate with less than the renewal margin left is replaced by a fresh one of the same CA."""
    ca_key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    ca = load(pki.ca_cert)
    current = load(pki.serving_cert)
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(current.subject).issuer_name(ca.subject)
               .public_key(current.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=355)).not_valid_after(now + dt.timedelta(days=10)))
    for extension in current.extensions:
        builder = builder.add_extension(extension.value, critical=extension.critical)
    pki.serving_cert.write_bytes(builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))

    ensure_pki(pki.directory, hosts=HOSTS)
    renewed = load(pki.serving_cert)
    assert renewed.not_valid_after_utc > now + dt.timedelta(days=300)
    renewed.verify_directly_issued_by(ca)
    assert load(pki.ca_cert) == ca


def test_a_damaged_ca_is_replaced_and_its_leaves_reissued(pki: PKI) -> None:
    """An unreadable CA key starts a new CA; certificates of the old one are issued again by the new one."""
    pki.ca_key.write_bytes(b"not a key")
    old_admin = pki.admin_cert.read_bytes()
    ensure_pki(pki.directory, hosts=HOSTS)
    ca = load(pki.ca_cert)
    load(pki.serving_cert).verify_directly_issued_by(ca)
    load(pki.admin_cert).verify_directly_issued_by(ca)
    assert pki.admin_cert.read_bytes() != old_admin
    assert mode(pki.ca_key) == 0o600


def test_client_certificates_carry_user_and_groups(pki: PKI) -> None:
    """CN is the user, one O per group, for client authentication, signed by the server's CA."""
    cert_pem, key_pem = issue_client_certificate(pki, "alice", ("devs", "ops"))
    cert = x509.load_pem_x509_certificate(cert_pem)
    assert subject(cert) == ("alice", ["devs", "ops"])
    assert usages(cert) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    cert.verify_directly_issued_by(load(pki.ca_cert))
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert key.public_key() == cert.public_key()


def test_client_certificates_need_a_ca(tmp_path: Path) -> None:
    """Issuing without a CA is an error naming the directory."""
    with pytest.raises(FileNotFoundError, match="no certificate authority"):
        issue_client_certificate(PKI(tmp_path), "alice")


@pytest.mark.parametrize(("address", "external", "hosts"), [
    pytest.param("127.0.0.1", "", ["localhost", "127.0.0.1", "::1"], id="loopback"),
    pytest.param("0.0.0.0", "", ["localhost", "127.0.0.1", "::1"], id="any-ipv4-is-not-a-name"),
    pytest.param("::", "api.example.com", ["localhost", "127.0.0.1", "::1", "api.example.com"],
                 id="any-ipv6-and-external-name"),
    pytest.param("10.1.2.3", "api.example.com", ["localhost", "127.0.0.1", "::1", "10.1.2.3", "api.example.com"],
                 id="address-and-external-name"),
])
def test_serving_hosts_are_loopback_plus_what_clients_use(address: str, external: str, hosts: list[str]) -> None:
    """Wildcard listen addresses are not names clients can use; duplicates are dropped."""
    assert serving_hosts(address, external) == hosts
