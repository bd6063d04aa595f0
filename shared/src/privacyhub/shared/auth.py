"""Staff authentication: signed bearer tokens (JWT, HS256) that carry roles."""

import argparse
from datetime import timedelta
from enum import StrEnum

import jwt
from privacyhub.shared.envelope import utc_now
from pydantic import BaseModel

ISSUER = "privacyhub"
ALGORITHM = "HS256"


class Role(StrEnum):
    PRIVACY_OFFICER = "privacy_officer"
    SUPPORT_AGENT = "support_agent"
    ANALYST = "analyst"
    ADMIN = "admin"


class StaffMember(BaseModel):
    """Who is calling, as the verified token says."""

    staff_id: str
    roles: frozenset[Role]


class InvalidToken(Exception):
    """The bearer token is missing, malformed, expired or not signed by us."""


def issue_token(
    secret: str,
    *,
    staff_id: str,
    roles: list[Role],
    lifetime: timedelta = timedelta(hours=8),
) -> str:
    now = utc_now()
    claims = {
        "iss": ISSUER,
        "sub": staff_id,
        "roles": [r.value for r in roles],
        "iat": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> StaffMember:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub"]},
        )
        return StaffMember(
            staff_id=claims["sub"],
            roles=frozenset(Role(r) for r in claims.get("roles", [])),
        )
    except (jwt.PyJWTError, ValueError) as error:
        raise InvalidToken(str(error)) from error


def issue_token_cli() -> None:
    """`privacyhub-token --staff-id alice --role privacy_officer`: print a bearer token signed with STAFF_TOKEN_SECRET.

    In production (PRIVACYHUB_ENVIRONMENT) it refuses to sign with the development secret.
    """
    from privacyhub.shared.production import refuse_unsafe, refusing_unsafe_start
    from privacyhub.shared.settings import CommonSettings

    parser = argparse.ArgumentParser(description=issue_token_cli.__doc__)
    parser.add_argument(
        "--staff-id",
        required=True,
        help="who the token is for (a staff account name, not an e-mail)",
    )
    parser.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])
    parser.add_argument("--hours", type=float, default=8.0, help="lifetime in hours")
    args = parser.parse_args()
    settings = CommonSettings()
    with refusing_unsafe_start():
        refuse_unsafe(settings, secrets=["staff_token_secret"], doing="sign a token")
    secret = settings.staff_token_secret.get_secret_value()
    print(
        issue_token(
            secret,
            staff_id=args.staff_id,
            roles=[Role(r) for r in args.role],
            lifetime=timedelta(hours=args.hours),
        )
    )
