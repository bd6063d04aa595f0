"""Staff routes need a valid bearer token (401) with one of the route's roles (403), shown on the answered endpoint."""

from datetime import timedelta

import pytest
from litestar.testing import AsyncTestClient
from privacyhub.gateway.contact.controllers import new_reference
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.auth import Role, issue_token

from tests.support.staff import staff_headers

pytestmark = pytest.mark.integration


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def answered_path() -> str:
    return f"/v1/staff/contact/{new_reference()}/answered"


OUR_SECRET = GatewaySettings().staff_token_secret.get_secret_value()
NOT_AUTHENTICATED = {
    "no token": {},
    "not a bearer token": {"authorization": "Basic YWdlbnQ6c2VjcmV0"},
    "a malformed token": bearer("not-a-jwt"),
    "signed with another secret": bearer(
        issue_token(
            "another-secret-that-is-long-enough-for-hs256",
            staff_id="agent-7",
            roles=[Role.SUPPORT_AGENT],
        )
    ),
    "expired": bearer(
        issue_token(
            OUR_SECRET,
            staff_id="agent-7",
            roles=[Role.SUPPORT_AGENT],
            lifetime=timedelta(seconds=-1),
        )
    ),
}


@pytest.mark.parametrize("headers", NOT_AUTHENTICATED.values(), ids=NOT_AUTHENTICATED.keys())
async def test_without_a_valid_token_the_answer_is_401(
    gateway: AsyncTestClient, headers: dict[str, str]
) -> None:
    response = await gateway.post(answered_path(), headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ANALYST, Role.ADMIN])
async def test_another_role_is_forbidden(gateway: AsyncTestClient, role: Role) -> None:
    response = await gateway.post(answered_path(), headers=staff_headers(role))

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_a_support_agent_is_let_through(gateway: AsyncTestClient) -> None:
    response = await gateway.post(answered_path(), headers=staff_headers(Role.SUPPORT_AGENT))

    assert response.status_code == 202, response.text


async def test_a_malformed_reference_is_refused_with_the_field_named(
    gateway: AsyncTestClient,
) -> None:
    response = await gateway.post(
        "/v1/staff/contact/not-a-reference/answered", headers=staff_headers(Role.SUPPORT_AGENT)
    )

    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["errors"]] == ["reference"]
