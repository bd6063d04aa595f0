"""make_secrets.py makes what a production start accepts, once: a second run keeps every key and
password, a broker's key store holds a certificate for its name signed by the CA, and each
declared Kafka login has a SCRAM credential."""

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from privacyhub.contact.settings import ContactSettings
from privacyhub.shared.kafka_access import LOGINS
from privacyhub.shared.production import refuse_unsafe

ROOT = Path(__file__).resolve().parents[2]
MAKE_SECRETS = ROOT / "deploy" / "compose" / "make_secrets.py"


def make_secrets(folder: Path) -> str:
    made = subprocess.run(
        [sys.executable, str(MAKE_SECRETS), "--into", str(folder), "--brokers", "2"],
        capture_output=True,
        text=True,
        check=True,
    )
    return made.stdout


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compose") / "secrets"
    make_secrets(folder)
    return folder


def test_a_second_run_keeps_every_secret(secrets: Path) -> None:
    before = {path.name: path.read_bytes() for path in secrets.iterdir()}

    output = make_secrets(secrets)

    assert "made nothing" in output
    assert {path.name: path.read_bytes() for path in secrets.iterdir()} == before


def test_only_the_owner_may_open_the_folder(secrets: Path) -> None:
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    assert stat.S_IMODE((secrets / "kafka_ca.key").stat().st_mode) == 0o600


def test_each_broker_has_a_certificate_for_its_name_from_the_ca(secrets: Path) -> None:
    ca = x509.load_pem_x509_certificate((secrets / "kafka_ca.crt").read_bytes())
    for broker in ("kafka-1", "kafka-2"):
        store = (secrets / f"{broker}.pem").read_text()
        assert store.startswith("-----BEGIN PRIVATE KEY-----")
        certificate = x509.load_pem_x509_certificates(store.encode())[0]
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        assert names.value.get_values_for_type(x509.DNSName) == [broker]
        certificate.verify_directly_issued_by(ca)


def test_every_declared_login_has_a_scram_credential(secrets: Path) -> None:
    lines = (secrets / "kafka_scram_credentials").read_text().splitlines()
    for login in ("admin", "broker", *LOGINS):
        password = (secrets / f"kafka_{login}_password").read_text()
        assert f"SCRAM-SHA-512=[name={login},password={password}]" in lines


def test_a_service_given_the_files_starts_in_production(secrets: Path) -> None:
    settings = ContactSettings(
        _env_file=None,
        environment="production",
        kafka_security_protocol="SASL_SSL",
        kafka_username="contact",
        kafka_password_file=secrets / "kafka_contact_password",
        message_public_keys_file=secrets / "message_public_keys",
        message_private_keys_file=secrets / "contact_message_private_keys",
        key_encryption_keys_file=secrets / "contact_key_encryption_keys",
    )

    refuse_unsafe(settings)
