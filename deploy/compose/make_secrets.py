"""Makes every secret the Compose topology reads, one file each, in deploy/compose/secrets/.

    uv run python deploy/compose/make_secrets.py [--brokers 3]

A file that exists is kept: regenerating a key would leave what was sealed or encrypted with the
old one unreadable, and a new Kafka password would not match the SCRAM credential the brokers
were formatted with. Delete a file (and, for Kafka, the brokers' volumes) to replace it.

What it makes:
- a Kafka cluster id, a CA and per broker a PEM key store (key + certificate for `kafka-N`);
- a password per Kafka login the project declares (kafka_access.LOGINS, plus `admin` and the
  brokers' own `broker`) and the SCRAM credentials the brokers are formatted with;
- the HMAC secrets, each process's message key pair and the published public keys, and the
  key-encryption keys of each service that encrypts personal data at rest.

The folder is readable by its owner only; the files in it are readable by all, because the
containers read them as their own non-root users through a bind mount of the file itself.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.x509.oid import NameOID
from privacyhub.shared.kafka_access import LOGINS, PRINCIPALS
from privacyhub.shared.sealing import format_private_key, format_public_keys, parse_private_keys

SECRETS_DIR = Path(__file__).resolve().parent / "secrets"
KAFKA_ADMIN = "admin"
KAFKA_BROKER = "broker"
SCRAM_MECHANISM = "SCRAM-SHA-512"
# The services that keep personal data encrypted at rest (EncryptingServiceSettings).
ENCRYPTING_PROCESSES = ("consent", "contact", "requests", "partner")
CERTIFICATE_LIFETIME = datetime.timedelta(days=825)


def strong_secret() -> str:
    return secrets.token_urlsafe(48)


def key_encryption_keys() -> str:
    key_id = datetime.datetime.now(datetime.UTC).strftime("%Y%m")
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


class SecretsFolder:
    """The folder of secret files: `keep` makes a file only when it is missing, `derive` writes
    one that follows from others every time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.mkdir(mode=0o700, exist_ok=True)
        self.path.chmod(0o700)
        self.made: list[str] = []

    def file(self, name: str) -> Path:
        return self.path / name

    def keep(self, name: str, make: Callable[[], str | bytes], mode: int = 0o644) -> str:
        """The file's text, made first when missing."""
        target = self.file(name)
        if not target.exists():
            self.derive(name, make(), mode)
            self.made.append(name)
        return target.read_text(encoding="utf-8")

    def derive(self, name: str, content: str | bytes, mode: int = 0o644) -> None:
        data = content.encode() if isinstance(content, str) else content
        partial = self.file(f".{name}.partial")
        partial.unlink(missing_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(descriptor, "wb") as sink:
            sink.write(data)
        os.chmod(partial, mode)  # whatever the umask
        partial.replace(self.file(name))


def kafka_cluster_id() -> str:
    """An id in the form of Kafka's `Uuid.randomUuid()`, never one that looks like an option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


def make_kafka_logins(folder: SecretsFolder) -> None:
    logins = dict.fromkeys([KAFKA_ADMIN, KAFKA_BROKER, *LOGINS])
    passwords = {login: folder.keep(f"kafka_{login}_password", strong_secret) for login in logins}
    # One line per login, as the brokers' storage format takes it (`--add-scram`).
    folder.derive(
        "kafka_scram_credentials",
        "".join(
            f"{SCRAM_MECHANISM}=[name={login},password={password}]\n"
            for login, password in passwords.items()
        ),
    )


def make_kafka_tls(folder: SecretsFolder, brokers: int) -> None:
    folder.keep("kafka_cluster_id", kafka_cluster_id)
    if not folder.file("kafka_ca.key").exists():  # a new CA signs every broker anew
        for name in ["kafka_ca.crt", *(f"kafka-{n}.pem" for n in range(1, brokers + 1))]:
            folder.file(name).unlink(missing_ok=True)
    ca_key = serialization.load_pem_private_key(
        folder.keep("kafka_ca.key", lambda: _pem_key(_new_key()), mode=0o600).encode(), None
    )
    assert isinstance(ca_key, rsa.RSAPrivateKey)
    ca_pem = folder.keep("kafka_ca.crt", lambda: _ca_certificate(ca_key))
    ca = x509.load_pem_x509_certificate(ca_pem.encode())
    for broker in range(1, brokers + 1):
        folder.keep(
            f"kafka-{broker}.pem", lambda host=f"kafka-{broker}": _key_store(host, ca, ca_key)
        )


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _ca_certificate(key: rsa.RSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privacyhub Kafka CA")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CERTIFICATE_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_store(host: str, ca: x509.Certificate, ca_key: rsa.RSAPrivateKey) -> bytes:
    """A broker's PEM key store (Kafka's `ssl.keystore.type=PEM`): its key, its certificate for
    `host` (as brokers, controllers and clients name it) and the CA's."""
    key = _new_key()
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CERTIFICATE_LIFETIME)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [x509.ExtendedKeyUsageOID.SERVER_AUTH, x509.ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return (
        _pem_key(key)
        + certificate.public_bytes(serialization.Encoding.PEM)
        + ca.public_bytes(serialization.Encoding.PEM)
    )


def make_message_keys(folder: SecretsFolder) -> None:
    private = {
        principal: folder.keep(
            f"{principal}_message_private_keys",
            lambda: format_private_key(X25519PrivateKey.generate()),
        )
        for principal in PRINCIPALS
    }
    published = format_public_keys(
        {principal: parse_private_keys(text)[0].public_key() for principal, text in private.items()}
    )
    folder.derive("message_public_keys", published)


def make_application_secrets(folder: SecretsFolder) -> None:
    for name in ("subject_id_secret", "staff_token_secret", "requests_verification_code_secret"):
        folder.keep(name, strong_secret)
    for process in ENCRYPTING_PROCESSES:
        folder.keep(f"{process}_key_encryption_keys", key_encryption_keys)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brokers", type=int, default=3, help="Kafka brokers (kafka-1 ... N)")
    parser.add_argument("--into", type=Path, default=SECRETS_DIR, help="the secrets folder")
    args = parser.parse_args()
    folder = SecretsFolder(args.into)
    make_kafka_tls(folder, args.brokers)
    make_kafka_logins(folder)
    make_message_keys(folder)
    make_application_secrets(folder)
    made = ", ".join(folder.made) if folder.made else "nothing: every secret exists"
    print(f"secrets in {folder.path}: made {made}")


if __name__ == "__main__":
    main()
