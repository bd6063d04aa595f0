from datetime import timedelta

import pytest
from privacyhub.shared.auth import (
    AUDIENCE,
    ISSUER,
    MAX_LIFETIME,
    InvalidToken,
    Role,
    issue_token,
    verify_token,
)
from privacyhub.shared.envelope import utc_now

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

    now = int(utc_now().timestamp())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "iat": now, "exp": now + 60, "jti": "t1"}
    token = jwt.encode({**claims, "roles": ["owner"]}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="owner"):
        verify_token(SECRET, token)


def forged(**claims: object) -> str:
    """A token signed with the right secret, with claims the token command would never write."""
    import jwt

    now = int(utc_now().timestamp())
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "roles": ["admin"], "iat": now, "jti": "t1"}
    return jwt.encode({**base, "exp": now + 60, **claims}, SECRET, algorithm="HS256")


def test_a_token_for_thirty_years_is_refused_even_with_the_right_secret() -> None:
    now = int(utc_now().timestamp())
    with pytest.raises(InvalidToken, match="longer"):
        verify_token(SECRET, forged(exp=now + 30 * 365 * 24 * 3600))


def test_a_token_for_another_audience_or_none_is_refused() -> None:
    with pytest.raises(InvalidToken):
        verify_token(SECRET, forged(aud="someone-else"))
    with pytest.raises(InvalidToken):
        verify_token(SECRET, forged(aud=None))
    assert verify_token(SECRET, forged()).roles == {Role.ADMIN}


def test_the_token_command_signs_nothing_that_lives_too_long() -> None:
    with pytest.raises(ValueError, match="at most"):
        issue_token(SECRET, staff_id="x", roles=[Role.ADMIN], lifetime=MAX_LIFETIME * 2)


def test_every_token_has_an_id_of_its_own_and_one_without_is_refused() -> None:
    first, second = (issue_token(SECRET, staff_id="x", roles=[Role.ADMIN]) for _ in range(2))
    assert verify_token(SECRET, first).token_id != verify_token(SECRET, second).token_id
    with pytest.raises(InvalidToken, match="jti"):
        verify_token(SECRET, forged(jti=None))
    with pytest.raises(InvalidToken, match="no id"):
        verify_token(SECRET, forged(jti=" "))
