"""The retention rules (statement §4) and the sweep's decisions, as pure functions."""

from datetime import UTC, datetime, timedelta

from privacyhub.retention.expiry import period_rules
from privacyhub.retention.holds import HoldScope, hold_status, is_held
from privacyhub.retention.rules import (
    AFTER_ANSWER,
    AFTER_CUSTOMER_ENDED,
    Due,
    concerned_by_customer_end,
    due_after_answer,
    due_after_customer_ended,
    whichever_first,
)
from privacyhub.retention.schedule import DueDeletion
from privacyhub.retention.sweep import erasure_groups
from privacyhub.shared.contracts.retention import hold_scope_refused

NOON = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
GRACE = timedelta(days=30)
ANNA = "a" * 64
BRAM = "b" * 64


def test_an_answered_question_is_due_a_grace_period_after_the_answer() -> None:
    assert due_after_answer(NOON, GRACE) == Due(NOON + GRACE, AFTER_ANSWER)


def test_a_former_customers_data_is_due_a_grace_period_after_the_relationship_ended() -> None:
    assert due_after_customer_ended(NOON, GRACE) == Due(NOON + GRACE, AFTER_CUSTOMER_ENDED)


def test_whichever_comes_first_wins() -> None:
    answered = due_after_answer(NOON, GRACE)
    ended_earlier = due_after_customer_ended(NOON - timedelta(days=3), GRACE)
    ended_later = due_after_customer_ended(NOON + timedelta(days=3), GRACE)

    assert whichever_first(answered, ended_earlier) == ended_earlier
    assert whichever_first(answered, ended_later) == answered
    assert whichever_first(ended_later, answered) == answered


def test_on_a_tie_the_scheduled_rule_stays() -> None:
    answered = due_after_answer(NOON, GRACE)
    ended = due_after_customer_ended(NOON, GRACE)

    assert whichever_first(answered, ended) == answered


def test_the_end_of_a_customer_relationship_concerns_only_messages_sent_before_it() -> None:
    assert concerned_by_customer_end(stored_at=NOON - timedelta(hours=1), ended_at=NOON)
    assert concerned_by_customer_end(stored_at=NOON, ended_at=NOON)
    assert not concerned_by_customer_end(stored_at=NOON + timedelta(seconds=1), ended_at=NOON)


def test_a_hold_covers_its_subject_its_category_or_both() -> None:
    anna = HoldScope(subject_id=ANNA, category=None)
    contact = HoldScope(subject_id=None, category="contact_messages")
    annas_visits = HoldScope(subject_id=ANNA, category="visit_records")

    assert anna.covers(ANNA, "contact_messages") and not anna.covers(BRAM, "contact_messages")
    assert contact.covers(BRAM, "contact_messages") and not contact.covers(BRAM, "consents")
    assert annas_visits.covers(ANNA, "visit_records")
    assert not annas_visits.covers(ANNA, "contact_messages")
    assert not annas_visits.covers(BRAM, "visit_records")


def test_without_holds_nothing_is_held() -> None:
    assert not is_held(ANNA, "contact_messages", [])
    assert is_held(ANNA, "contact_messages", [HoldScope(BRAM, None), HoldScope(ANNA, None)])


def test_a_hold_is_active_until_its_end_or_until_lifted() -> None:
    hold = {"ends_at": NOON}

    assert hold_status(hold, NOON - timedelta(seconds=1)) == "active"
    assert hold_status(hold, NOON) == "ended"
    assert hold_status(
        hold | {"lifted_at": NOON - timedelta(days=1)}, NOON - timedelta(days=2)
    ) == ("lifted")


def deletion(subject_id: str, record_id: str, due: Due) -> DueDeletion:
    return DueDeletion("contact_messages", record_id, subject_id, due)


def test_one_erase_command_per_person_category_and_rule() -> None:
    answered = due_after_answer(NOON, GRACE)
    ended = due_after_customer_ended(NOON, GRACE)
    due = [
        deletion(ANNA, "CT-000000000002", answered),
        deletion(BRAM, "CT-000000000003", answered),
        deletion(ANNA, "CT-000000000001", answered),
        deletion(ANNA, "CT-000000000004", ended),
    ]

    groups = {(g.subject_id, g.rule): g.record_ids for g in erasure_groups(due)}

    assert groups == {
        (ANNA, AFTER_ANSWER): ("CT-000000000001", "CT-000000000002"),
        (BRAM, AFTER_ANSWER): ("CT-000000000003",),
        (ANNA, AFTER_CUSTOMER_ENDED): ("CT-000000000004",),
    }


def test_an_erase_command_is_named_by_what_it_asks_so_a_resumed_sweep_repeats_it_exactly() -> None:
    answered = due_after_answer(NOON, GRACE)
    [first] = erasure_groups([deletion(ANNA, "CT-1", answered), deletion(ANNA, "CT-2", answered)])
    [again] = erasure_groups([deletion(ANNA, "CT-2", answered), deletion(ANNA, "CT-1", answered)])
    [other] = erasure_groups([deletion(ANNA, "CT-1", answered)])

    assert first.command_id == again.command_id != other.command_id
    command = first.command(NOON)
    assert command.event_id == command.correlation_id == first.command_id
    assert command.subject_id == ANNA
    assert command.payload.reason == "retention"
    assert command.payload.rule == AFTER_ANSWER
    assert command.payload.categories == ["contact_messages"]
    assert command.payload.record_ids == ["CT-1", "CT-2"]


def test_a_hold_on_a_visitor_keeps_only_what_the_consent_service_holds_of_them() -> None:
    visitor = HoldScope(subject_id=None, category=None, visitor_id="visitor-anna-1")
    assert not is_held(ANNA, "contact_messages", [visitor])
    rules = {rule.category: rule for rule in period_rules()}
    assert rules["visit_records"].held_subjects([visitor]) == ["visitor-anna-1"]
    assert rules["consent_proofs"].held_subjects([visitor]) == ["visitor-anna-1"]
    assert rules["staff_access_log"].held_subjects([visitor]) == []


def test_a_hold_on_consents_keeps_their_proofs() -> None:
    rules = {rule.category: rule for rule in period_rules()}
    assert rules["consent_proofs"].held_subjects([HoldScope(None, "consents")]) is None
    assert rules["consent_proofs"].held_subjects([HoldScope(ANNA, "consents")]) == [ANNA]
    assert rules["visit_records"].held_subjects([HoldScope(None, "consents")]) == []


def test_a_hold_names_a_person_or_a_visitor_and_a_visitor_only_for_what_consent_keeps() -> None:
    assert hold_scope_refused(None, "visitor-anna-1", "visit_records") is None
    assert "not both" in (hold_scope_refused(ANNA, "visitor-anna-1", None) or "")
    assert "can keep only" in (hold_scope_refused(None, "visitor-anna-1", "contact_messages") or "")
    assert "needs" in (hold_scope_refused(None, None, None) or "")
