"""How a stored request is shown: to its requester and in the privacy officer's queue."""

from datetime import date, datetime

from privacyhub.requests.rights.requests_store import RightsRequestDocument
from privacyhub.shared.contracts.rights import (
    Escalation,
    QueueEntry,
    RightsRequestView,
    Status,
    VerificationMethod,
)
from privacyhub.shared.deadlines import days_left, deadline_met, is_due_soon, is_overdue


def view(document: RightsRequestDocument) -> RightsRequestView:
    return RightsRequestView(
        request_id=document["_id"],
        type=document["type"],
        channel=document["channel"],
        status=document["status"],
        received_at=document["received_at"],
        due_date=date.fromisoformat(document["due_date"]),
        verified_at=document.get("verified_at"),
        extension=document.get("extension"),
        decision=document.get("decision"),
        completed_at=document.get("completed_at"),
        escalation=escalation_of(document),
        closure=document.get("closure"),
        restriction_lifted_at=document.get("restriction_lift", {}).get("lifted_at"),
        receipts=document.get("receipts", []) if document.get("completed_at") else [],
    )


def requester_view(document: RightsRequestDocument) -> RightsRequestView:
    """What the holder of the access token sees: the officer's written reasons only once the
    holder has shown, with the e-mailed code, that the address is theirs (the reasons also reach
    that address by e-mail)."""
    shown = view(document)
    verification = document.get("verification") or {}
    if verification.get("method") == VerificationMethod.EMAIL_CODE:
        return shown
    return shown.model_copy(
        update={
            "decision": shown.decision and shown.decision.model_copy(update={"reasons": None}),
            "extension": shown.extension and shown.extension.model_copy(update={"reasons": None}),
            "closure": shown.closure and shown.closure.model_copy(update={"reasons": None}),
        }
    )


def queue_entry(document: RightsRequestDocument, now: datetime) -> QueueEntry:
    due = date.fromisoformat(document["due_date"])
    decision = document.get("decision") or {}
    answered_at = document.get("completed_at") or (
        decision.get("decided_at") if document["status"] == Status.DECIDED else None
    )
    return QueueEntry(
        request_id=document["_id"],
        type=document["type"],
        channel=document["channel"],
        status=document["status"],
        received_at=document["received_at"],
        due_date=due,
        days_left=days_left(due, now),
        due_soon=is_due_soon(due, now),
        overdue=is_overdue(due, now),
        extended="extension" in document,
        missing_owners=document.get("execution", {}).get("missing", []),
        problem=document.get("execution", {}).get("problem"),
        outcome=decision.get("outcome"),
        decided_at=decision.get("decided_at"),
        answered_at=answered_at,
        deadline_met=deadline_met(due, answered_at, now),
    )


def escalation_of(document: RightsRequestDocument) -> Escalation | None:
    if document["status"] != Status.ESCALATED:
        return None
    execution = document.get("execution", {})
    return Escalation(missing_owners=execution.get("missing", []), problem=execution.get("problem"))
