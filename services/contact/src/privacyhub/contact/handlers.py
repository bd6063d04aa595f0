"""What the contact service consumes: contact messages in batches (intake.py), and one table for
the rest: answers given, the subject commands it answers as a data owner (subject_commands.py),
the recipients' answers to the subject commands passed on to them (partner_answers.py), the
queries it answers (queries.py), the expiry commands it answers (expiry.py) and the legal holds
announced (shared/legal_holds.py)."""

from collections.abc import Iterable

from privacyhub.contact.intake import ContactIntake, answered_event
from privacyhub.contact.partner_answers import PassedOnCommands
from privacyhub.contact.repository import ContactMessages
from privacyhub.contact.restrictions import Restrictions
from privacyhub.contact.sharing import Sharing
from privacyhub.shared.catalogue import contracts
from privacyhub.shared.contracts.contact import (
    MARK_CONTACT_ANSWERED,
    MarkContactAnswered,
)
from privacyhub.shared.contracts.subject import SubjectMessage, read_payload
from privacyhub.shared.dead_letter import UnprocessableMessage
from privacyhub.shared.envelope import Envelope
from privacyhub.shared.legal_holds import HeldData, legal_hold_handlers
from privacyhub.shared.owners import AnswerPublishers
from privacyhub.shared.service import Handler, ServiceRuntime
from privacyhub.shared.topics import CONTACT_LIFECYCLE, CONTACT_MESSAGES, PARTNER_RESULTS


def register_handlers(
    runtime: ServiceRuntime,
    messages: ContactMessages,
    restrictions: Restrictions,
    sharing: Sharing,
    passed_on: PassedOnCommands,
    recipients: Iterable[str],
    *,
    subject_commands: dict[str, Handler],
    queries: dict[str, Handler],
    expiry: dict[str, Handler],
    held: HeldData,
) -> None:
    """Subscribe every handler of the service: `subject_commands`, `queries` and `expiry` are the
    tables subject_commands.py, `query_handlers` and expiry.py built for it."""
    lifecycle = runtime.publisher(CONTACT_LIFECYCLE)
    intake = ContactIntake(
        messages=messages,
        restrictions=restrictions,
        sharing=sharing,
        lifecycle=lifecycle,
        processed_events=runtime.processed_events,
    )
    # Store each received message once, announce it (and an answer given before it arrived) for
    # retention, and disclose it to the recipients the processing register declares, unless restricted.
    runtime.consume_batches(
        CONTACT_MESSAGES,
        handler=intake.apply,
    )

    async def mark_contact_answered(command: Envelope[MarkContactAnswered]) -> None:
        """Record that a question was answered, and announce it for retention once its message is stored too."""

        # The command (keyed by reference) and the message (keyed by subject) travel on different
        # topics, so the answer may come first, say while this service catches up after an outage.
        # Dead-lettering it would lose the answer and keep the data for ever; retrying it would block
        # its partition. So the answer is recorded under its reference, and storing the message announces it.
        async def effect() -> None:
            document = await messages.record_answer(command)
            if document is None or document.get("answer_command_id") != str(command.event_id):
                return  # answered before by another command, which announced it
            answered = answered_event(document)
            if answered is not None:
                await lifecycle.publish(answered, key=answered.partition_key)

        await runtime.processed_events.apply_once(command.event_id, command.type, effect)

    answers = AnswerPublishers(runtime)
    answering = set(recipients)

    async def pass_recipient_answer_on(envelope: Envelope[SubjectMessage]) -> None:
        """Hand a recipient's answer to the rights workflow, if it answers a command it was given."""
        answer = read_payload(envelope.type, envelope.payload, contracts(PARTNER_RESULTS))
        owner = getattr(answer, "owner", None)
        if owner not in answering:
            raise UnprocessableMessage(f"answer of type {envelope.type!r} from an undeclared owner")
        if not await passed_on.answers_one(owner, envelope):
            raise UnprocessableMessage(
                f"answer of type {envelope.type!r} from {owner} to no command passed on to it"
            )
        await answers.of(envelope).publish(envelope, key=envelope.partition_key)

    runtime.handle(
        {
            MARK_CONTACT_ANSWERED: mark_contact_answered,
            **subject_commands,
            **dict.fromkeys(contracts(PARTNER_RESULTS), pass_recipient_answer_on),
            **queries,
            **expiry,
            **legal_hold_handlers(held),
        }
    )
