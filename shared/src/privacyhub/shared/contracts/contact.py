"""Contact-form messages and their lifecycle."""

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, EmailStr, Field

CONTACT_MESSAGE_RECEIVED = "ContactMessageReceived"
CONTACT_MESSAGE_STORED = "ContactMessageStored"
MARK_CONTACT_ANSWERED = "MarkContactAnswered"
CONTACT_MESSAGE_ANSWERED = "ContactMessageAnswered"

REFERENCE_PATTERN = r"^CT-[0-9A-F]{12}$"

# What the contact form takes for a name and a company; a rectification is held to the same.
PersonName = Annotated[str, Field(min_length=1, max_length=100)]
CompanyName = Annotated[str, Field(max_length=200)]


class ContactMessageReceived(BaseModel):
    """A visitor's question, accepted by the gateway (statement §2b: exactly these fields)."""

    reference: str = Field(description="Reference given to the visitor; unique per message.")
    email: EmailStr
    first_name: str
    last_name: str
    message: str
    company: str | None = None
    found_us_via: str | None = None
    device: str | None = Field(
        default=None, description="Browser or device, from the form or the User-Agent."
    )


class ContactMessageStored(BaseModel):
    """The contact service holds the message; carries no personal data."""

    reference: str


class MarkContactAnswered(BaseModel):
    """A support agent answered the question with this reference (statement §4: starts the retention clock)."""

    reference: str = Field(pattern=REFERENCE_PATTERN)
    answered_by: str = Field(min_length=1, description="Staff id of the support agent.")
    answered_at: AwareDatetime


class ContactMessageAnswered(BaseModel):
    """The question is answered, so retention may start counting; carries no personal data."""

    reference: str
    answered_at: AwareDatetime


# Everything the contact service announces on its lifecycle topic.
ContactLifecycleEvent = ContactMessageStored | ContactMessageAnswered
