"""Signing in through the organisation's OpenID Connect provider: the authorization-code flow
with PKCE, state and nonce (authlib's helpers), the ID token verified with joserfc against the
keys the provider publishes (signature, issuer, audience, expiry, nonce), and the staff roles taken
from one of its claims through the configured mapping.

While the staff member is at the provider, the flow's secrets (state, nonce, PKCE verifier) wait in
a cookie of their own, encrypted (Fernet) and valid ten minutes. It is SameSite=Lax, unlike the
session: the provider's redirect back is a navigation from another site, which a Strict cookie
would not come along with. For the same reason the answer to that redirect is a page that moves on
to the console, so the Strict session cookie it sets is sent from then on.
"""

import base64
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.fernet import Fernet, InvalidToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from litestar import Request
from litestar.datastructures import Cookie
from privacyhub.gateway.console.session import derived_key
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.auth import Role, StaffMember, new_token_id
from privacyhub.shared.settings import read_secret_file

TRANSACTION_COOKIE = "privacyhub-staff-oidc"
START_PATH = "/staff/aanmelden/oidc"
CALLBACK_PATH = "/staff/aanmelden/oidc/terug"
TRANSACTION_LIFETIME = timedelta(minutes=10)
SIGNING_ALGORITHMS = ["RS256", "ES256", "PS256", "EdDSA"]


class SignInRefused(Exception):
    """The provider's answer does not sign anybody in; the message says why, in both languages."""


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class Transaction:
    state: str
    nonce: str
    code_verifier: str


class OpenIdSignIn:
    """The console's client of the configured provider; None of it runs when none is configured."""

    def __init__(self, settings: GatewaySettings) -> None:
        assert settings.staff_oidc_issuer and settings.staff_oidc_client_id
        self._issuer = settings.staff_oidc_issuer.rstrip("/")
        self._client_id = settings.staff_oidc_client_id
        path = settings.staff_oidc_client_secret_file
        self._client_secret = read_secret_file(path) if path else ""
        self._role_claim = settings.staff_oidc_role_claim
        self._roles = settings.staff_oidc_roles
        key = derived_key(settings.staff_token_secret.get_secret_value(), "privacyhub oidc flow")
        self._sealing = Fernet(base64.urlsafe_b64encode(key))

    async def authorization_url(self, request: Request[Any, Any, Any]) -> tuple[str, Cookie]:
        """Where to send the staff member, and the cookie that keeps the flow's secrets meanwhile."""
        provider = await self._metadata()
        flow = Transaction(
            state=generate_token(32), nonce=generate_token(32), code_verifier=generate_token(64)
        )
        url = add_params_to_uri(
            provider.authorization_endpoint,
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": _callback_url(request),
                "scope": "openid",
                "state": flow.state,
                "nonce": flow.nonce,
                "code_challenge": create_s256_code_challenge(flow.code_verifier),
                "code_challenge_method": "S256",
            },
        )
        sealed = self._sealing.encrypt(json.dumps(flow.__dict__).encode()).decode()
        cookie = Cookie(
            key=TRANSACTION_COOKIE,
            value=sealed,
            path=START_PATH,
            max_age=int(TRANSACTION_LIFETIME.total_seconds()),
            secure=True,
            httponly=True,
            samesite="lax",
        )
        return url, cookie

    async def staff_member(self, request: Request[Any, Any, Any]) -> StaffMember:
        """Who the provider's redirect back names, once the flow and the ID token check out."""
        query = request.query_params
        if query.get("error"):
            raise SignInRefused(
                "De aanmelding is geweigerd bij de aanbieder. / The provider refused the sign-in."
            )
        flow = self._transaction(request)
        if not query.get("code") or query.get("state") != flow.state:
            raise SignInRefused(
                "Deze aanmelding hoort niet bij deze browser of is verlopen; begin opnieuw. "
                "/ This sign-in does not belong to this browser or has expired; start again."
            )
        provider = await self._metadata()
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.post(
                provider.token_endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": query["code"],
                    "redirect_uri": _callback_url(request),
                    "code_verifier": flow.code_verifier,
                },
                auth=(self._client_id, self._client_secret),
            )
            if answer.status_code != 200 or "id_token" not in answer.json():
                raise SignInRefused(
                    "De aanbieder gaf geen ID-token. / The provider gave no ID token."
                )
            keys = KeySet.import_key_set((await client.get(provider.jwks_uri)).json())
        claims = self._verified_claims(answer.json()["id_token"], keys, provider, flow)
        roles = self._roles_in(claims.get(self._role_claim))
        if not roles:
            raise SignInRefused(
                "Je account heeft geen rol in de privacyconsole. "
                "/ Your account has no role in the privacy console."
            )
        return StaffMember(staff_id=str(claims["sub"]), roles=roles, token_id=new_token_id())

    def _verified_claims(
        self, id_token: str, keys: KeySet, provider: ProviderMetadata, flow: Transaction
    ) -> dict[str, Any]:
        try:
            token = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": provider.issuer},
                aud={"essential": True, "value": self._client_id},
                nonce={"essential": True, "value": flow.nonce},
                sub={"essential": True},
                exp={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError) as error:
            raise SignInRefused(
                f"Het ID-token klopt niet. / The ID token is not valid ({type(error).__name__})."
            ) from error
        return token.claims

    def _roles_in(self, claimed: object) -> frozenset[Role]:
        values = [claimed] if isinstance(claimed, str) else claimed
        if not isinstance(values, list):
            return frozenset()
        return frozenset(self._roles[v] for v in values if isinstance(v, str) and v in self._roles)

    def _transaction(self, request: Request[Any, Any, Any]) -> Transaction:
        sealed = request.cookies.get(TRANSACTION_COOKIE, "")
        try:
            opened = self._sealing.decrypt(sealed, ttl=int(TRANSACTION_LIFETIME.total_seconds()))
            return Transaction(**json.loads(opened))
        except (InvalidToken, ValueError, TypeError):
            raise SignInRefused(
                "Deze aanmelding is verlopen of niet in deze browser begonnen; begin opnieuw. "
                "/ This sign-in has expired or was not started in this browser; start again."
            ) from None

    async def _metadata(self) -> ProviderMetadata:
        """The provider's endpoints, from its discovery document; its issuer must be the one set."""
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.get(f"{self._issuer}/.well-known/openid-configuration")
        answer.raise_for_status()
        document = answer.json()
        if document.get("issuer", "").rstrip("/") != self._issuer:
            raise SignInRefused(
                "De aanbieder noemt een andere issuer. / The provider names another issuer."
            )
        return ProviderMetadata(
            issuer=document["issuer"],
            authorization_endpoint=document["authorization_endpoint"],
            token_endpoint=document["token_endpoint"],
            jwks_uri=document["jwks_uri"],
        )


def _callback_url(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/") + CALLBACK_PATH


def expired_transaction_cookie() -> Cookie:
    return Cookie(
        key=TRANSACTION_COOKIE,
        value="",
        path=START_PATH,
        max_age=0,
        secure=True,
        httponly=True,
        samesite="lax",
    )
