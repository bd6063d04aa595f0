"""A contact question as the support agent who answers it reads it (statement §4, need-to-know)."""

from pydantic import AwareDatetime, BaseModel, EmailStr

# Query name the contact service answers on CONTACT_QUERIES.
CONTACT_QUESTION_QUERY = "contact_question"


class ContactQuestion(BaseModel):
    """The question and who asked it: what an answer needs, nothing the contact service keeps besides."""

    reference: str
    email: EmailStr
    first_name: str
    last_name: str
    message: str
    company: str | None = None
    received_at: AwareDatetime
    status: str
    answered_at: AwareDatetime | None = None
