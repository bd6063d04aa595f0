"""Staff as the gateway knows them: bearer tokens signed with the development secret it verifies."""

from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.auth import Role, issue_token


def staff_headers(*roles: Role, staff_id: str = "test-staff") -> dict[str, str]:
    """A bearer token signed with the development secret the test gateway verifies."""
    secret = GatewaySettings().staff_token_secret.get_secret_value()
    return {"authorization": f"Bearer {issue_token(secret, staff_id=staff_id, roles=list(roles))}"}
