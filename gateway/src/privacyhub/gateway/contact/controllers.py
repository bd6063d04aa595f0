import secrets
from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED
from privacyhub.gateway.contact.schemas import ADDRESS_FIELD, SCREENED_FOR, ContactForm
from privacyhub.gateway.contact.screening import LABELS, Finding, find_sensitive_data, redact
from privacyhub.gateway.contact.screening.addresses import local_part_as_text
from privacyhub.gateway.devices import describe_device
from privacyhub.gateway.errors import FieldProblem, SensitiveDataRefused
from privacyhub.gateway.lean_intake import RequestHeaders
from privacyhub.gateway.publishing import Accepted, EventPublisher
from privacyhub.gateway.settings import GatewaySettings
from privacyhub.shared.contracts.contact import (
    CONTACT_MESSAGE_RECEIVED,
    ContactMessageReceived,
)
from privacyhub.shared.identity import subject_id_for_email


def new_reference() -> str:
    return f"CT-{secrets.token_hex(6).upper()}"


def field_problem(finding: Finding) -> FieldProblem:
    label = LABELS[finding.kind]
    return FieldProblem(
        field=finding.field,
        problem=f"Bevat {label.nl}; laat dit weg. / Contains {label.en}; please leave it out.",
    )


def screened(form: ContactForm, settings: GatewaySettings) -> ContactForm:
    """The form as it may be published: refused (default) or redacted when a field holds sensitive
    data; refused under either policy when the e-mail address's local part does."""
    texts = {name: getattr(form, name) for name in SCREENED_FOR}
    texts[ADDRESS_FIELD] = local_part_as_text(form.email)
    findings = [
        finding
        for name, kinds in SCREENED_FOR.items()
        for finding in find_sensitive_data({name: texts[name]}, kinds)
    ]
    if not findings:
        return form
    refused = settings.sensitive_data_policy == "refuse"
    if refused or any(finding.field == ADDRESS_FIELD for finding in findings):
        raise SensitiveDataRefused([field_problem(finding) for finding in findings])
    redacted: dict[str, str | None] = {}
    for name, kinds in SCREENED_FOR.items():
        if name != ADDRESS_FIELD:
            redacted |= redact({name: texts[name]}, kinds)
    return form.model_copy(update=redacted)


class ContactIntake:
    """Screens each contact message and publishes it; says its reference once Kafka holds it.

    The entrance hands POST /v1/contact to a lean intake (lean_intake.py) that calls `record`,
    as it does for page views; the controller below declares and documents the same route."""

    def __init__(self, publisher: EventPublisher, settings: GatewaySettings) -> None:
        self._publisher = publisher
        self._settings = settings
        self._subject_id_secret = settings.subject_id_secret.get_secret_value()

    async def record(self, form: ContactForm, headers: RequestHeaders) -> Accepted:
        form = screened(form, self._settings)
        message = ContactMessageReceived(
            reference=new_reference(),
            **form.model_dump(exclude={"device"}),
            device=form.device or describe_device(headers.user_agent),
        )
        subject_id = subject_id_for_email(self._subject_id_secret, message.email)
        await self._publisher.send(CONTACT_MESSAGE_RECEIVED, message, subject_id=subject_id)
        return Accepted(reference=message.reference)


class ContactController(Controller):
    path = "/v1/contact"
    tags = ["contact"]

    @post(status_code=HTTP_202_ACCEPTED, operation_id="submitContactMessage")
    async def submit(
        self, data: JSONBody[ContactForm], request: Request[Any, Any, State]
    ) -> Accepted:
        """Accept a contact-form message. Answers 202 with a reference once Kafka holds it, 422 for sensitive data, 503 when Kafka cannot take it."""
        intake: ContactIntake = request.app.state.contact_intake
        return await intake.record(data, RequestHeaders(request.scope))
