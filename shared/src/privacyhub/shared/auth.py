"""Staff authentication: signed bearer tokens (JWT, HS256) that carry roles.

A token is for the staff API only (`aud`) and lives at most MAX_LIFETIME: a leaked token, or one
signed with a leaked secret for thirty years, is refused. Each token has an id of its own (`jti`),
which the gateway checks against its list of revoked tokens (gateway/revocation.py); a token
without one predates revocation and is refused.
"""

import argparse
import secrets
import sys
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt
from privacyhub.shared.envelope import utc_now
from pydantic import BaseModel

ISSUER = "privacyhub"
AUDIENCE = "privacyhub-staff-api"
ALGORITHM = "HS256"
MAX_LIFETIME = timedelta(hours=12)


class Role(StrEnum):
    PRIVACY_OFFICER = "privacy_officer"
    SUPPORT_AGENT = "support_agent"
    ANALYST = "analyst"
    ADMIN = "admin"


class StaffMember(BaseModel):
    """Who is calling, as the verified token says."""

    staff_id: str
    roles: frozenset[Role]
    token_id: str
    expires_at: datetime | None = None


class InvalidToken(Exception):
    """The bearer token is missing, malformed, expired or not signed by us."""


def new_token_id() -> str:
    return secrets.token_hex(16)


def issue_token(
    secret: str,
    *,
    staff_id: str,
    roles: list[Role],
    lifetime: timedelta = timedelta(hours=8),
    token_id: str | None = None,
) -> str:
    """A signed token whose id (`jti`) is `token_id`, else a new random one."""
    if lifetime > MAX_LIFETIME:
        raise ValueError(f"a staff token lives at most {MAX_LIFETIME}")
    now = utc_now()
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": staff_id,
        "roles": [r.value for r in roles],
        "iat": now,
        "exp": now + lifetime,
        "jti": token_id or new_token_id(),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> StaffMember:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": ["exp", "iat", "sub", "aud", "jti"]},
        )
        if claims["exp"] - claims["iat"] > MAX_LIFETIME.total_seconds():
            raise InvalidToken(f"the token lives longer than {MAX_LIFETIME}")
        if not isinstance(claims["jti"], str) or not claims["jti"].strip():
            raise InvalidToken("the token has no id, so it could not be revoked")
        return StaffMember(
            staff_id=claims["sub"],
            roles=frozenset(Role(r) for r in claims.get("roles", [])),
            token_id=claims["jti"],
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except (jwt.PyJWTError, ValueError) as error:
        raise InvalidToken(str(error)) from error


def issue_token_cli() -> None:
    """`privacyhub-token --staff-id alice --role privacy_officer`: print a bearer token signed with STAFF_TOKEN_SECRET.

    The token goes to stdout, alone, so that a script can take it; its id goes to stderr, for
    the admin to note: adding it to GATEWAY_REVOKED_TOKENS_FILE revokes the token.
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
    parser.add_argument(
        "--hours",
        type=float,
        default=8.0,
        help=f"lifetime in hours, at most {MAX_LIFETIME.total_seconds() / 3600:g}",
    )
    args = parser.parse_args()
    if timedelta(hours=args.hours) > MAX_LIFETIME:
        parser.error(f"--hours: a staff token lives at most {MAX_LIFETIME}")
    settings = CommonSettings()
    with refusing_unsafe_start():
        refuse_unsafe(settings, secrets=["staff_token_secret"], doing="sign a token")
    secret = settings.staff_token_secret.get_secret_value()
    token_id = new_token_id()
    token = issue_token(
        secret,
        staff_id=args.staff_id,
        roles=[Role(r) for r in args.role],
        lifetime=timedelta(hours=args.hours),
        token_id=token_id,
    )
    print(token)
    print(
        f"token id (jti): {token_id}; to revoke the token, add this id as a line to the file "
        "GATEWAY_REVOKED_TOKENS_FILE names",
        file=sys.stderr,
    )
