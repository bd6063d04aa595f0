"""A real OpenID Connect provider for the console's sign-in: oidc-provider-mock (authlib's
provider under Flask), served on a free port of localhost, with staff accounts whose claims it puts
in their ID tokens. Who signs in is chosen on its authorization form."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import oidc_provider_mock

CLIENT_ID = "privacyhub-console"
ROLE_CLAIM = "groups"
# The provider's groups and the console roles they give.
GROUP_ROLES = {"privacy-team": "privacy_officer", "helpdesk": "support_agent"}


@dataclass(frozen=True)
class Provider:
    issuer: str

    def gateway_settings(self, secret_file: Path) -> dict[str, object]:
        """The gateway's settings for signing in here."""
        secret_file.write_text("console-client-secret\n")
        return {
            "staff_oidc_issuer": self.issuer,
            "staff_oidc_client_id": CLIENT_ID,
            "staff_oidc_client_secret_file": secret_file,
            "staff_oidc_role_claim": ROLE_CLAIM,
            "staff_oidc_roles": GROUP_ROLES,
        }


@contextmanager
def oidc_provider(accounts: dict[str, list[str]]) -> Iterator[Provider]:
    """The provider with `accounts` (subject → groups), requiring a nonce in every request."""
    users = [
        oidc_provider_mock.User(sub=sub, claims={ROLE_CLAIM: groups})
        for sub, groups in accounts.items()
    ]
    with oidc_provider_mock.run_server_in_thread(require_nonce=True, user_claims=users) as server:
        yield Provider(issuer=f"http://localhost:{server.server_port}")
