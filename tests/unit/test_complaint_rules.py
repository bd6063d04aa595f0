"""The breach register's 72-hour rules and the complaint workflow, as pure functions."""

from datetime import UTC, datetime, timedelta

import pytest
from privacyhub.gateway.complaints.schemas import BreachDecisionForm, ComplaintStatusChange
from privacyhub.requests.complaints.breaches import (
    is_overdue,
    notify_deadline,
    register_entry,
    was_decided_late,
)
from privacyhub.requests.complaints.workflow import may_move
from privacyhub.shared.contracts.complaints import BreachStatus, ComplaintStatus
from pydantic import ValidationError

REPORTED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)


def test_the_deadline_is_72_hours_after_the_report() -> None:
    assert notify_deadline(REPORTED) == DEADLINE


@pytest.mark.parametrize(
    ("decided_at", "now", "overdue"),
    [
        (None, DEADLINE - timedelta(minutes=1), False),
        (None, DEADLINE, False),
        (None, DEADLINE + timedelta(seconds=1), True),
        (DEADLINE - timedelta(hours=1), DEADLINE + timedelta(days=30), False),
        (DEADLINE + timedelta(hours=1), DEADLINE + timedelta(days=30), False),
    ],
)
def test_only_an_undecided_entry_past_its_deadline_is_overdue(
    decided_at: datetime | None, now: datetime, overdue: bool
) -> None:
    assert is_overdue(deadline=DEADLINE, decided_at=decided_at, now=now) is overdue


@pytest.mark.parametrize(
    ("decided_at", "late"),
    [
        (None, False),
        (DEADLINE, False),
        (DEADLINE - timedelta(hours=70), False),
        (DEADLINE + timedelta(seconds=1), True),
    ],
)
def test_a_decision_after_the_deadline_is_late(decided_at: datetime | None, late: bool) -> None:
    assert was_decided_late(deadline=DEADLINE, decided_at=decided_at) is late


def test_a_register_entry_shows_how_it_stands_at_the_moment_asked() -> None:
    undecided = {
        "_id": "BR-0A1B2C3D4E5F",
        "complaint_reference": "CP-0A1B2C3D4E5F",
        "reported_at": REPORTED,
        "decision": None,
    }
    decided = {
        **undecided,
        "decision": {
            "notify_authority": False,
            "reasons": "Versleuteld; geen risico.",
            "decided_at": DEADLINE + timedelta(hours=2),
            "decided_by": "dpo",
            "command_id": "3f1c9d4e-8a0b-4c2d-9e6f-7a8b9c0d1e2f",
        },
    }

    early = register_entry(undecided, now=REPORTED + timedelta(hours=1))
    late = register_entry(undecided, now=DEADLINE + timedelta(hours=1))
    after_decision = register_entry(decided, now=DEADLINE + timedelta(days=1))

    assert early.notify_deadline == DEADLINE and not early.overdue
    assert late.overdue and late.status is BreachStatus.AWAITING_DECISION
    assert after_decision.status is BreachStatus.DECIDED
    assert not after_decision.overdue and after_decision.decided_late


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    [
        (ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS, True),
        (ComplaintStatus.IN_PROGRESS, ComplaintStatus.RESOLVED, True),
        (ComplaintStatus.RECEIVED, ComplaintStatus.RESOLVED, False),
        (ComplaintStatus.RESOLVED, ComplaintStatus.IN_PROGRESS, False),
        (ComplaintStatus.IN_PROGRESS, ComplaintStatus.IN_PROGRESS, False),
        (ComplaintStatus.IN_PROGRESS, ComplaintStatus.RECEIVED, False),
    ],
)
def test_a_complaint_moves_only_one_step_forward(
    current: ComplaintStatus, to: ComplaintStatus, allowed: bool
) -> None:
    assert may_move(current, to) is allowed


def test_resolving_needs_a_note() -> None:
    with pytest.raises(ValidationError, match="note"):
        ComplaintStatusChange(status=ComplaintStatus.RESOLVED, note="  ")
    assert ComplaintStatusChange(status=ComplaintStatus.IN_PROGRESS).note is None


def test_notification_details_belong_to_a_decision_to_notify() -> None:
    with pytest.raises(ValidationError, match="authority_reference"):
        BreachDecisionForm(
            notify_authority=False, reasons="Geen risico.", authority_reference="AP-1"
        )
    with pytest.raises(ValidationError, match="notified_at"):
        BreachDecisionForm(
            notify_authority=True,
            reasons="Risico.",
            notified_at=datetime.now(UTC) + timedelta(days=1),
        )
