"""TLS is always verified; an organisation CA bundle makes a private registry trusted."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest

from stewardship.domain.records import Model
from stewardship.sync.errors import RegistryUnreachable

from .conftest import Console
from .servers import RegistryServer

x509 = pytest.importorskip("cryptography.x509", reason="cryptography makes the test certificates")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_pki(folder: Path) -> tuple[Path, Path, Path]:
    """An organisation CA, and a certificate it signs for 127.0.0.1."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Meridian test CA"))
        .issuer_name(_name("Meridian test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("registry.test"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem, cert_pem, key_pem = folder / "org-ca.pem", folder / "server.pem", folder / "server.key"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_pem, cert_pem, key_pem


def test_https_registry_trusted_through_the_organisation_ca_bundle(tmp_path):
    ca_pem, cert_pem, key_pem = make_pki(tmp_path)
    server = RegistryServer(tmp_path / "registry.db", tls=(cert_pem, key_pem)).start()
    try:
        token = server.token("ana")
        untrusting = Console(tmp_path, "no-ca", server.url, token)
        untrusting.store.save(Model(slug="a", display_name="A", provider="P"), "ana")
        with pytest.raises(RegistryUnreachable) as caught:
            untrusting.sync(retries=0)
        assert "certificate could not be verified" in str(caught.value)
        untrusting.close()

        trusting = Console(tmp_path, "with-ca", server.url, token)
        trusting.store.save(Model(slug="b", display_name="B", provider="P"), "ana")
        summary = trusting.sync(ca_bundle=str(ca_pem))
        assert summary.pushed == 1
        trusting.close()
    finally:
        server.stop()
