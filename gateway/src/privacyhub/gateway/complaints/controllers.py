"""Public intake of complaints and suspected breaches (statement §8: "Wat kun je doen als je een klacht hebt?")."""

import secrets
from datetime import datetime

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED
from privacyhub.gateway.complaints.schemas import ComplaintForm
from privacyhub.gateway.errors import error_responses
from privacyhub.gateway.publishing import Accepted, EventPublisher
from privacyhub.gateway.rate_limit import AddressLimiter
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.contracts.complaints import (
    COMPLAINT_RECEIVED,
    ComplaintChannel,
    ComplaintReceived,
)
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.identity import subject_id_for_email


def new_reference() -> str:
    return f"CP-{secrets.token_hex(6).upper()}"


async def publish_complaint(
    form: ComplaintForm,
    *,
    channel: ComplaintChannel,
    received_at: datetime,
    publisher: EventPublisher,
    settings: GatewaySettings,
) -> Accepted:
    """Publish the complaint under a new reference; returns once Kafka acknowledged it."""
    complaint = ComplaintReceived(
        reference=new_reference(),
        email=form.email,
        message=form.message,
        kind=form.kind,
        channel=channel,
        received_at=received_at,
    )
    subject_id = subject_id_for_email(
        settings.subject_id_secret.get_secret_value(), complaint.email
    )
    await publisher.send(COMPLAINT_RECEIVED, complaint, subject_id=subject_id)
    return Accepted(reference=complaint.reference)


class ComplaintController(Controller):
    path = "/v1/complaints"
    tags = ["complaints"]

    @post(
        status_code=HTTP_202_ACCEPTED,
        operation_id="submitComplaint",
        responses=error_responses(
            {429: "Too many requests and complaints for this e-mail address today."}
        ),
    )
    async def submit(
        self,
        data: JSONBody[ComplaintForm],
        publisher: NamedDependency[EventPublisher],
        settings: NamedDependency[GatewaySettings],
        addresses: NamedDependency[AddressLimiter],
    ) -> Accepted:
        """Report a complaint about how personal data is handled, or a suspected data breach. Answers 202 with a reference once Kafka holds it (a suspected breach then opens an entry in the breach register), 422 for invalid fields, 429 when the address was given too often today, 503 when Kafka cannot take it."""
        addresses.take(
            subject_id_for_email(settings.subject_id_secret.get_secret_value(), data.email)
        )
        return await publish_complaint(
            data,
            channel=ComplaintChannel.WEB,
            received_at=utc_now(),
            publisher=publisher,
            settings=settings,
        )
