"""The reads the contact service answers for the gateway on CONTACT_QUERIES.

Documents come through the repository, so their personal fields arrive decrypted. A question
whose processing is restricted or objected to is refused (`processing_restricted` or
`processing_objected`), so no support agent reads it.
"""

from privacyhub.contact.repository import (
    PROCESSING_OBJECTED,
    PROCESSING_RESTRICTED,
    ContactMessages,
    processing_stopped,
)
from privacyhub.shared.contracts.contact import REFERENCE_PATTERN
from privacyhub.shared.contracts.contact_questions import CONTACT_QUESTION_QUERY, ContactQuestion
from privacyhub.shared.queries import QueryHandler, Refusal, answering
from pydantic import BaseModel, Field

REASONS = {
    PROCESSING_RESTRICTED: (
        "Processing of this message is restricted at the data subject's request (GDPR Art. 18)."
    ),
    PROCESSING_OBJECTED: (
        "The data subject objected to the processing of this message (GDPR Art. 21)."
    ),
}


class QuestionLookup(BaseModel):
    reference: str = Field(pattern=REFERENCE_PATTERN)


def contact_queries(messages: ContactMessages) -> dict[str, QueryHandler]:
    async def question(lookup: QuestionLookup) -> ContactQuestion | None:
        document = await messages.get(lookup.reference)
        # An answer may be recorded before its message arrives: then there is no question yet.
        if document is None or "message" not in document:
            return None
        if refusal := processing_stopped(document):
            raise Refusal(refusal, REASONS[refusal])
        return ContactQuestion.model_validate({"reference": document["_id"], **document})

    return {
        CONTACT_QUESTION_QUERY: answering(
            QuestionLookup, question, not_found="no such contact question"
        )
    }
