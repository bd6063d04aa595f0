from datetime import timedelta

import pytest
from privacyhub.shared.auth import InvalidToken, Role, issue_token, verify_token

SECRET = "test-secret-that-is-long-enough-for-hs256"


def test_a_token_carries_its_roles() -> None:
    token = issue_token(SECRET, staff_id="officer-1", roles=[Role.PRIVACY_OFFICER, Role.ANALYST])
    staff = verify_token(SECRET, token)
    assert staff.staff_id == "officer-1"
    assert staff.roles == {Role.PRIVACY_OFFICER, Role.ANALYST}


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = issue_token(
        "another-secret-that-is-long-enough-for-hs256", staff_id="x", roles=[Role.ADMIN]
    )
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token)


def test_an_expired_token_is_refused() -> None:
    token = issue_token(SECRET, staff_id="x", roles=[Role.ADMIN], lifetime=timedelta(seconds=-1))
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(SECRET, token)


def test_an_unknown_role_is_refused() -> None:
    import jwt

    token = jwt.encode(
        {"iss": "privacyhub", "sub": "x", "roles": ["owner"], "exp": 2**40},
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(InvalidToken):
        verify_token(SECRET, token)
