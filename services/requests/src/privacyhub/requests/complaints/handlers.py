"""What the complaints domain consumes: complaints and suspected breaches from COMPLAINTS, for the
service's table (handlers.py)."""

from privacyhub.requests.complaints.breaches import BreachRegister
from privacyhub.requests.complaints.receipts import complaint_receipt
from privacyhub.requests.complaints.workflow import Complaints
from privacyhub.requests.mail import Mailer
from privacyhub.shared.clock import Clock
from privacyhub.shared.contracts.complaints import (
    COMPLAINT_RECEIVED,
    ComplaintKind,
    ComplaintReceived,
    breach_id_for,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import Handler, ServiceRuntime


def complaint_handlers(
    runtime: ServiceRuntime,
    complaints: Complaints,
    breaches: BreachRegister,
    mailer: Mailer,
    clock: Clock,
) -> dict[str, Handler]:
    async def take_in_complaint(envelope: Envelope[ComplaintReceived]) -> None:
        """Store a complaint once, e-mail its receipt once; a suspected breach also opens its breach register entry."""
        received = envelope.payload

        async def effect() -> None:
            await complaints.store(envelope)
            if received.kind is ComplaintKind.SUSPECTED_BREACH:
                await breaches.open(
                    breach_id=breach_id_for(received.reference),
                    complaint_reference=received.reference,
                    reported_at=received.received_at,
                )
            # An unreachable mail server fails the effect, so the message is redelivered until
            # the receipt is out; the mark keeps a redelivery after that from sending it again.
            if not await complaints.receipt_sent(received.reference):
                receipt = complaint_receipt(received.reference, received.kind, received.received_at)
                await mailer.send(received.email, receipt)
                await complaints.mark_receipt_sent(received.reference, at=clock())

        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

    return {COMPLAINT_RECEIVED: take_in_complaint}
