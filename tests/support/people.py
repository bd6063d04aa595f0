"""Data subjects for tests: one of their own per test, so tests never share a subject."""

import secrets

from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.identity import subject_id_for_email, visitor_id_for_key

from tests.support.naming import unique_word


class Person:
    """A unique data subject: e-mail address and names (letters only, see naming.py), the
    pseudonymous subject id the services know them by (what a privacy officer places a hold on),
    and the secret visitor key their browser keeps with the visitor id it stands for."""

    def __init__(self) -> None:
        tag = unique_word(10)
        self.email = f"betrokkene-{tag}@example.nl"
        self.first_name = f"Fenna{tag}"
        self.last_name = f"Achternaam{tag}"
        self.subject_id = subject_id_for_email(
            GatewaySettings().subject_id_secret.get_secret_value(), self.email
        )
        self.visitor_key = secrets.token_urlsafe(24)
        self.visitor_id = visitor_id_for_key(self.visitor_key)
