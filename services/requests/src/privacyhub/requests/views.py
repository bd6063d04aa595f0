"""How a stored request is shown: to its requester and in the privacy officer's queue."""

from datetime import date, datetime

from privacyhub.requests.repository import RightsRequestDocument
from privacyhub.shared.contracts.rights import QueueEntry, RightsRequestView
from privacyhub.shared.deadlines import days_left, is_due_soon, is_overdue


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
        restriction_lifted_at=document.get("restriction_lift", {}).get("lifted_at"),
        receipts=document.get("receipts", []) if document.get("completed_at") else [],
    )


def queue_entry(document: RightsRequestDocument, now: datetime) -> QueueEntry:
    due = date.fromisoformat(document["due_date"])
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
    )
