"""A staff token whose id is in the revocation file is refused at once, without a restart."""

from pathlib import Path

from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app
from privacyhub.gateway.contact.controllers import new_reference
from privacyhub.gateway.revocation import RevokedTokens, token_ids_in
from privacyhub.shared.auth import Role, issue_token

from tests.support.offline_gateway import offline_gateway


def test_the_file_lists_one_id_a_line_with_comments_and_blank_lines() -> None:
    text = "# left the company\nabc123  # alice\n\n  def456\n"
    assert token_ids_in(text) == {"abc123", "def456"}


def test_a_change_to_the_file_counts_at_the_next_check(tmp_path: Path) -> None:
    path = tmp_path / "revoked"
    path.write_text("first\n")
    revoked = RevokedTokens(path)
    assert "first" in revoked and "second" not in revoked

    replacement = tmp_path / "revoked.new"
    replacement.write_text("first\nsecond\n")
    replacement.replace(path)  # as an editor or a mounted secret replaces a file
    assert "second" in revoked

    path.unlink()
    assert "second" in revoked, "an unreadable file keeps what was revoked before"


async def test_a_revoked_token_is_refused_and_others_are_let_through(tmp_path: Path) -> None:
    settings = offline_gateway(revoked_tokens_file=tmp_path / "revoked")
    secret = settings.staff_token_secret.get_secret_value()
    revoked, kept = (
        issue_token(secret, staff_id="agent-7", roles=[Role.SUPPORT_AGENT], token_id=token_id)
        for token_id in ("revoked-token-id", "kept-token-id")
    )
    (tmp_path / "revoked").write_text("")
    path = f"/v1/staff/contact/{new_reference()}/answered"

    async with AsyncTestClient(create_app(settings)) as client:
        before = await client.post(path, headers={"authorization": f"Bearer {revoked}"})
        (tmp_path / "revoked").write_text("revoked-token-id\n")
        after = await client.post(path, headers={"authorization": f"Bearer {revoked}"})
        other = await client.post(path, headers={"authorization": f"Bearer {kept}"})

    # Past the guard, the offline gateway cannot reach Kafka: 503 means the token was accepted.
    assert before.status_code == 503
    assert after.status_code == 401
    assert after.json()["code"] == "not_authenticated"
    assert other.status_code == 503
