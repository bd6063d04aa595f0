"""A visitor id is the SHA-256 of the browser's secret key, in the shape every visitor id takes."""

import secrets

from privacyhub.shared.contracts.consent import VisitorId
from privacyhub.shared.identity import visitor_id_for_key
from pydantic import TypeAdapter


def test_the_id_is_the_keys_sha256_in_base64url_without_padding() -> None:
    # SHA-256("abc") from FIPS 180-2, in base64url.
    assert visitor_id_for_key("abc") == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"


def test_every_id_made_from_a_key_is_a_valid_visitor_id() -> None:
    ids = TypeAdapter(VisitorId)
    for _ in range(200):
        visitor_id = visitor_id_for_key(secrets.token_urlsafe(24))
        assert ids.validate_python(visitor_id) == visitor_id
