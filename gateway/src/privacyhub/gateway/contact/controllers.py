import secrets

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED
from privacyhub.gateway.contact.schemas import ContactForm
from privacyhub.gateway.devices import describe_device
from privacyhub.gateway.publishing import Accepted, EventPublisher
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.contracts.contact import (
    CONTACT_MESSAGE_RECEIVED,
    ContactMessageReceived,
)
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.identity import subject_id_for_email
from privacyhub.shared.topics import CONTACT_MESSAGES


def new_reference() -> str:
    return f"CT-{secrets.token_hex(6).upper()}"


class ContactController(Controller):
    path = "/v1/contact"
    tags = ["contact"]

    @post(status_code=HTTP_202_ACCEPTED, operation_id="submitContactMessage")
    async def submit(
        self,
        data: JSONBody[ContactForm],
        request: Request,
        publisher: NamedDependency[EventPublisher],
        settings: NamedDependency[GatewaySettings],
    ) -> Accepted:
        """Accept a contact-form message. Answers 202 with a reference once Kafka holds it, 503 when it cannot."""
        message = ContactMessageReceived(
            reference=new_reference(),
            **data.model_dump(exclude={"device"}),
            device=data.device or describe_device(request.headers.get("user-agent")),
        )
        envelope = Envelope[ContactMessageReceived](
            type=CONTACT_MESSAGE_RECEIVED,
            subject_id=subject_id_for_email(
                settings.subject_id_secret.get_secret_value(), message.email
            ),
            payload=message,
        )
        await publisher.publish(envelope, CONTACT_MESSAGES)
        return Accepted(reference=message.reference)
