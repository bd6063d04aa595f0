"""What the consent service does with each consent choice and page view it consumes."""

from privacyhub.consent.consents import Consents
from privacyhub.consent.statements import Statements
from privacyhub.consent.visits import Visits
from privacyhub.shared.contracts.consent import (
    CONSENT_GIVEN,
    PAGE_VIEWED,
    ConsentGiven,
    PageViewed,
)
from privacyhub.shared.dead_letter import UnprocessableMessage
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import CONSENT_CHOICES, PAGE_VIEWS


def expect_type(envelope: Envelope, expected: str) -> None:
    if envelope.type != expected:
        raise UnprocessableMessage(f"unexpected message type {envelope.type!r}")


def register_handlers(
    runtime: ServiceRuntime, *, consents: Consents, visits: Visits, statements: Statements
) -> None:
    @runtime.subscriber(CONSENT_CHOICES)
    async def record_consent_choice(envelope: Envelope[ConsentGiven]) -> None:
        """Keep a choice with its proof; a choice without analytics undoes linking from its moment on."""
        expect_type(envelope, CONSENT_GIVEN)
        choice = envelope.payload
        statement = await statements.get(choice.statement_version)
        if statement is None:
            raise UnprocessableMessage("consent refers to an unknown statement version")

        async def effect() -> None:
            await consents.record(choice, statement)
            # Recorded first: a view linked concurrently either sees this choice or is unlinked here.
            if not choice.purposes.analytics:
                next_choice = await consents.next_choice_after(choice.visitor_id, choice.given_at)
                await visits.unlink(choice.visitor_id, since=choice.given_at, until=next_choice)

        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)

    @runtime.subscriber(PAGE_VIEWS)
    async def process_page_view(envelope: Envelope[PageViewed]) -> None:
        """Link the view to the visitor, count it anonymously, or drop it, as consent and settings say."""
        expect_type(envelope, PAGE_VIEWED)

        async def effect() -> None:
            await visits.record(envelope.event_id, envelope.payload)

        await runtime.processed_events.apply_once(envelope.event_id, envelope.type, effect)
