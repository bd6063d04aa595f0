"""The processing register is valid, and topics and stored fields cannot drift from it."""

import runpy
from pathlib import Path

import pytest
from privacyhub.shared.catalogue import ALL_TOPICS
from privacyhub.shared.register import load_register
from privacyhub.shared.register.check import undeclared_fields
from privacyhub.shared.register.model import ProcessingRegister
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[2]
REGISTER = load_register()


def test_every_topic_in_use_is_declared_with_its_retention_and_personal_data() -> None:
    for topic in ALL_TOPICS:
        declared = REGISTER.topic(topic.name)
        assert declared.retention == topic.retention, topic.name
        assert declared.carries_personal_data == topic.carries_personal_data, topic.name
    assert {t.name for t in REGISTER.topics} == {t.name for t in ALL_TOPICS}


def test_every_channel_of_the_asyncapi_document_is_a_declared_topic() -> None:
    document = runpy.run_path(str(ROOT / "docs" / "generate_asyncapi.py"))["document"]()
    addresses = {channel["address"] for channel in document["channels"].values()}
    declared = {t.name for t in REGISTER.topics}
    assert addresses <= declared, f"undeclared topics: {sorted(addresses - declared)}"


def test_topics_carrying_personal_data_have_a_bounded_retention() -> None:
    for topic in REGISTER.topics:
        if topic.carries_personal_data:
            assert topic.retention.days <= 30, topic.name


def test_a_deliberately_undeclared_field_is_found() -> None:
    stored = [
        {"_id": "CT-1", "email": "x@example.nl", "message": "hoi", "status": "open"},
        {"_id": "CT-2", "message": "hoi", "shoe_size": 42, "device": {"model": "phone"}},
    ]

    assert undeclared_fields(REGISTER, "contact", "contact_messages", stored) == {
        "shoe_size",
        "device.model",
    }


def test_a_declared_document_passes_and_an_undeclared_collection_does_not() -> None:
    stored = [{"_id": "CT-1", "email": "x@example.nl", "status": "answered", "answered_at": 1}]

    assert undeclared_fields(REGISTER, "contact", "contact_messages", stored) == set()
    assert undeclared_fields(REGISTER, "contact", "shadow_copies", stored) == {
        "shadow_copies: _id",
        "shadow_copies: email",
        "shadow_copies: status",
        "shadow_copies: answered_at",
    }


def test_a_recipient_outside_the_eu_needs_a_transfer_safeguard() -> None:
    data = REGISTER.model_dump(mode="json")
    data["recipients"][0].update(inside_eu=False, transfer_safeguard=None)

    with pytest.raises(ValidationError, match="transfer safeguard"):
        ProcessingRegister.model_validate(data)


def test_references_to_unknown_purposes_are_refused() -> None:
    data = REGISTER.model_dump(mode="json")
    data["categories"][0]["purposes"] = ["selling_data"]

    with pytest.raises(ValidationError, match="unknown purposes"):
        ProcessingRegister.model_validate(data)
