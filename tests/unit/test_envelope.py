from uuid import uuid4

import pytest
from privacyhub.shared.contracts.contact import ContactMessageStored
from privacyhub.shared.envelope import Envelope, derived_event_id
from privacyhub.shared.identity import subject_id_for_email
from pydantic import ValidationError


def test_subject_id_is_stable_for_the_same_address_in_any_case() -> None:
    assert subject_id_for_email("k", " Jan@Example.NL ") == subject_id_for_email(
        "k", "jan@example.nl"
    )
    assert "jan" not in subject_id_for_email("k", "jan@example.nl")


def test_envelope_round_trips_and_rejects_unknown_fields() -> None:
    envelope = Envelope[ContactMessageStored](
        type="ContactMessageStored",
        subject_id="s",
        payload=ContactMessageStored(reference="CT-1"),
    )
    again = Envelope[ContactMessageStored].model_validate_json(envelope.model_dump_json())
    assert again == envelope
    with pytest.raises(ValidationError):
        Envelope[ContactMessageStored].model_validate({**envelope.model_dump(), "extra": 1})


def test_derived_event_ids_repeat_for_the_same_cause_only() -> None:
    cause = uuid4()
    assert derived_event_id(cause, "Stored") == derived_event_id(cause, "Stored")
    assert derived_event_id(cause, "Stored") != derived_event_id(uuid4(), "Stored")
