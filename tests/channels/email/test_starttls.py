"""STARTTLS on the intake server, with a self-signed certificate made for the test."""

from __future__ import annotations

import datetime
import ipaddress
import smtplib
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.channels.email.mail import COMPLETE_SCHOOL_REFERRAL, INTAKE, contacts, plain_email


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "smtpd.crt", tmp_path / "smtpd.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_starttls_is_offered_with_a_certificate_and_mail_sent_over_it_is_taken(
    start_server, certificate, session
):
    cert_path, key_path = certificate
    server = start_server(smtpd_tls_cert=str(cert_path), smtpd_tls_key=str(key_path))
    trusting_our_cert = ssl.create_default_context(cafile=str(cert_path))
    with smtplib.SMTP("127.0.0.1", server.port) as client:
        client.ehlo()
        assert client.has_extn("starttls")
        code, _text = client.starttls(context=trusting_our_cert)
        assert code == 220
        assert client.sock.version() in ("TLSv1.2", "TLSv1.3")
        client.ehlo()
        assert not client.has_extn("starttls")  # already on
        client.send_message(plain_email(COMPLETE_SCHOOL_REFERRAL), to_addrs=[INTAKE])
    [contact] = contacts(session)
    assert contact.status == "submitted"


def test_without_a_certificate_starttls_is_not_offered(intake_server):
    with smtplib.SMTP("127.0.0.1", intake_server.port) as client:
        client.ehlo()
        assert not client.has_extn("starttls")
        with pytest.raises(smtplib.SMTPNotSupportedError):
            client.starttls()
