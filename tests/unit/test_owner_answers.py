"""An owner answers for itself only: its receipts name no other owner."""

import pytest
from privacyhub.shared.contracts.subject import (
    Receipt,
    SubjectDataErased,
    SubjectProcessingChanged,
)
from privacyhub.shared.envelope import utc_now
from pydantic import ValidationError


def receipt(owner: str) -> Receipt:
    return Receipt(
        owner=owner, category="contact_messages", erased=0, kept_under_hold=3, erased_at=utc_now()
    )


def test_an_erasure_answer_holds_only_the_answering_owners_receipts() -> None:
    assert SubjectDataErased(owner="support_partner", receipts=[receipt("support_partner")])
    with pytest.raises(ValidationError, match="every receipt must name the owner that answers"):
        SubjectDataErased(
            owner="support_partner", receipts=[receipt("support_partner"), receipt("contact")]
        )


def test_what_a_change_erased_along_the_way_is_the_answering_owners_too() -> None:
    changed = {"owner": "consent", "change": "consents_withdrawn", "changes": []}
    assert SubjectProcessingChanged(**changed, erased=[receipt("consent")])
    with pytest.raises(ValidationError, match="every receipt must name the owner that answers"):
        SubjectProcessingChanged(**changed, erased=[receipt("contact")])
