"""E-mailing the privacy officer about requests that need them, once per request and alert.

Two alerts: an escalated request (owners that did not answer in time, or an approval that names
nothing to carry out), and a request without a decision whose due date is within 7 days (or has
passed). Requests are read here without their personal fields, so an alert cannot carry them.

Every copy of the service sweeps (sweep.py). A copy claims an alert before it sends it and
records when it was sent, so one copy sends it and a restart sends nothing again. A claim is a
document of its own, inserted under the request and alert: a unique id is what FerretDB v1
enforces atomically (its updates read and rewrite a document, so two copies could both win a
conditional update, and a write to the request itself could undo a concurrent status change).
A claim without a send after `CLAIM_LEASE` (a copy that stopped mid-send, a mail server that
failed) is taken over by a later sweep.
"""

from datetime import date, datetime, timedelta
from functools import partial
from uuid import UUID

from privacyhub.requests.mail import Mailer, Notice
from privacyhub.requests.rights.officer_notices import due_soon_notice, escalation_notice
from privacyhub.requests.rights.requests_store import RightsRequestDocument, RightsRequests
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.rights import Status
from privacyhub.shared.deadlines import DUE_SOON_DAYS, today
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

ALERTS = "officer_alerts"
ESCALATED, DUE_SOON = "escalated", "due_soon"
# Far longer than one SMTP exchange may take.
CLAIM_LEASE = timedelta(minutes=5)


class AlertClaims:
    """Which alert of which request a copy claimed, and when it was sent (`officer_alerts`)."""

    def __init__(self, db: AsyncDatabase) -> None:
        self._collection = db[ALERTS]

    async def claim(self, alert_id: str, now: datetime) -> bool:
        """Claim an unsent alert, unless another copy holds it or it was sent."""
        try:
            await self._collection.insert_one({"_id": alert_id, "claimed_at": now})
        except DuplicateKeyError:
            taken_over = await self._collection.update_one(
                {
                    "_id": alert_id,
                    "sent_at": {"$exists": False},
                    "claimed_at": {"$lte": now - CLAIM_LEASE},
                },
                {"$set": {"claimed_at": now}},
            )
            return taken_over.modified_count == 1
        return True

    async def mark_sent(self, alert_id: str, *, at: datetime) -> None:
        await self._collection.update_one({"_id": alert_id}, {"$set": {"sent_at": at}})

    async def forget(self, request_id: str) -> None:
        """Delete every claim of the request's alerts, once the request itself goes."""
        await self._collection.delete_many({"_id": {"$in": officer_alert_ids(request_id)}})


class OfficerAlerts:
    def __init__(
        self,
        requests: RightsRequests,
        claims: AlertClaims,
        *,
        mailer: Mailer,
        settings: RequestsSettings,
        clock: Clock,
    ) -> None:
        self._requests = requests
        self._claims = claims
        self._mailer = mailer
        self._officer = str(settings.privacy_officer_email)
        self._clock = clock

    async def send_due(self) -> int:
        """Send every alert that is due and was not sent before; how many were sent."""
        now = self._clock()
        last_due_date = today(now) + timedelta(days=DUE_SOON_DAYS)
        due = {
            ESCALATED: self._requests.escalated,
            DUE_SOON: partial(self._requests.undecided_due_by, last_due_date),
        }
        sent = 0
        for alert, read in due.items():
            for document in await read():
                alert_id = officer_alert_id(document["_id"], alert)
                if await self._claims.claim(alert_id, now):
                    await self._mailer.send(self._officer, _notice(alert, document, now))
                    await self._claims.mark_sent(alert_id, at=self._clock())
                    sent += 1
        return sent


def officer_alert_id(request_id: str, alert: str) -> str:
    return f"{request_id}:{alert}"


def officer_alert_ids(request_id: str) -> list[str]:
    """Every alert a request can have been the subject of."""
    return [officer_alert_id(request_id, alert) for alert in (ESCALATED, DUE_SOON)]


def _notice(alert: str, document: RightsRequestDocument, now: datetime) -> Notice:
    request_id = UUID(document["_id"])
    due = date.fromisoformat(document["due_date"])
    if alert == ESCALATED:
        execution = document.get("execution", {})
        return escalation_notice(
            request_id,
            missing_owners=execution.get("missing", []),
            problem=execution.get("problem"),
            due=due,
            now=now,
        )
    return due_soon_notice(request_id, status=Status(document["status"]), due=due, now=now)
