"""An owner answers for itself only (its receipts name no other owner), and a large export
travels in parts that Kafka takes and that join back into the whole."""

import pytest
from aiokafka.errors import MessageSizeTooLargeError
from privacyhub.requests.rights.packages import joined
from privacyhub.retention.handlers import kept_contact_messages
from privacyhub.shared.contracts.subject import (
    CategoryExport,
    Receipt,
    SubjectDataErased,
    SubjectDataExported,
    SubjectProcessingChanged,
)
from privacyhub.shared.dead_letter import describe_failure, kind_of
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.owners import export_parts
from pydantic import ValidationError
from pydantic_core import to_json


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


def test_retention_acts_only_on_receipts_of_the_owner_that_answers() -> None:
    """Behind the contract: should an answer in another owner's name get past it, the retention
    service still schedules nothing on its word."""
    assert kept_contact_messages(SubjectDataErased(owner="contact", receipts=[receipt("contact")]))
    forged = SubjectDataErased.model_construct(
        owner="support_partner", receipts=[receipt("contact")]
    )
    assert not kept_contact_messages(forged)


def test_what_a_change_erased_along_the_way_is_the_answering_owners_too() -> None:
    changed = {"owner": "consent", "change": "consents_withdrawn", "changes": []}
    assert SubjectProcessingChanged(**changed, erased=[receipt("consent")])
    with pytest.raises(ValidationError, match="every receipt must name the owner that answers"):
        SubjectProcessingChanged(**changed, erased=[receipt("contact")])


def visits(count: int) -> CategoryExport:
    records = [{"url": f"https://www.jobport.nl/vacatures/{n}", "n": n} for n in range(count)]
    return CategoryExport(category="visit_records", basis="consent", records=records)


def test_a_large_export_travels_in_parts_that_join_back_into_it() -> None:
    export = SubjectDataExported(
        owner="consent",
        categories=[
            CategoryExport(category="consents", basis="consent", records=[]),
            visits(10_000),
        ],
    )
    parts = export_parts(export, budget=64 * 1024)

    assert len(parts) > 1
    assert [(p.part, p.parts) for p in parts] == [(n, len(parts)) for n in range(1, len(parts) + 1)]
    for part in parts:
        records = [r for c in part.categories for r in c.records]
        assert sum(len(to_json(record)) for record in records) <= 64 * 1024
    categories: list[dict] = []
    for part in parts:
        joined(categories, [c.model_dump(mode="json") for c in part.categories])
    assert categories == [c.model_dump(mode="json") for c in export.categories]


def test_a_small_export_is_one_whole_message() -> None:
    export = SubjectDataExported(owner="contact", categories=[visits(3)])
    assert export_parts(export) == [export.model_copy(update={"part": 1, "parts": 1})]


def test_a_part_beyond_the_parts_is_refused() -> None:
    with pytest.raises(ValidationError, match="part must not exceed parts"):
        SubjectDataExported(owner="contact", categories=[], part=3, parts=2)


def test_a_message_too_large_for_kafka_is_a_dead_letter_of_its_own_kind() -> None:
    reason = describe_failure(MessageSizeTooLargeError())
    assert kind_of(reason) == "too_large"
    assert kind_of(describe_failure(RuntimeError("boom"))) == "error"
