"""Staff side of contact messages: a support agent reads a question and marks it answered (statement §4)."""

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import PathParameter
from litestar.status_codes import HTTP_202_ACCEPTED
from privacyhub.gateway.access_log import StaffReads, provide_staff_reads
from privacyhub.gateway.errors import error_responses
from privacyhub.gateway.guards import provide_staff_member, requires_role
from privacyhub.gateway.publishing import Accepted, EventPublisher
from privacyhub.gateway.queries import QueryClient, ask_owner
from privacyhub.shared.auth import Role, StaffMember
from privacyhub.shared.contracts.contact import (
    MARK_CONTACT_ANSWERED,
    REFERENCE_PATTERN,
    MarkContactAnswered,
)
from privacyhub.shared.contracts.contact_questions import CONTACT_QUESTION_QUERY, ContactQuestion
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.topics import CONTACT_QUERIES

ContactReference = Annotated[str, PathParameter(pattern=REFERENCE_PATTERN)]


class ContactAnsweredController(Controller):
    path = "/v1/staff/contact"
    tags = ["staff", "contact"]
    guards = [requires_role(Role.SUPPORT_AGENT)]
    dependencies = {
        "staff_member": Provide(provide_staff_member),
        "staff_reads": Provide(provide_staff_reads),
    }

    @get(
        "/{reference:str}",
        operation_id="getContactQuestion",
        responses=error_responses(
            {
                409: "Processing is restricted (`processing_restricted`) or objected to "
                "(`processing_objected`)."
            }
        ),
    )
    async def question(
        self,
        reference: ContactReference,
        queries: NamedDependency[QueryClient],
        staff_reads: NamedDependency[StaffReads],
    ) -> ContactQuestion:
        """The question with this reference and who asked it, so the support agent can answer it: only what an answer needs. Requires the `X-Access-Reason` header; the read is written to the access log before the question is shown. 404 when there is no such question; 409 with code `processing_restricted` or `processing_objected` while the person has restricted or objected to its processing."""
        question = await ask_owner(
            queries,
            CONTACT_QUERIES,
            CONTACT_QUESTION_QUERY,
            {"reference": reference},
            ContactQuestion,
            key=reference,
        )
        await staff_reads.record(
            category="contact_messages", record=reference, email=str(question.email)
        )
        return question

    @post(
        "/{reference:str}/answered",
        status_code=HTTP_202_ACCEPTED,
        operation_id="markContactAnswered",
    )
    async def mark_answered(
        self,
        reference: ContactReference,
        staff_member: NamedDependency[StaffMember],
        publisher: NamedDependency[EventPublisher],
    ) -> Accepted:
        """Record that the question with this reference was answered now, which starts its retention clock. Answers 202 once Kafka holds the command; the contact service applies it, also when the message reaches it later."""
        command = MarkContactAnswered(
            reference=reference, answered_by=staff_member.staff_id, answered_at=utc_now()
        )
        # The gateway cannot know whose message it is; the reference is no personal data, so it
        # keys the command, and the contact service announces the answer under the stored subject.
        await publisher.send(MARK_CONTACT_ANSWERED, command, subject_id=reference)
        return Accepted(reference=reference)
