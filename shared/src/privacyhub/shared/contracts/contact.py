"""Contact-form messages and their lifecycle."""

from pydantic import BaseModel, EmailStr, Field

CONTACT_MESSAGE_RECEIVED = "ContactMessageReceived"
CONTACT_MESSAGE_STORED = "ContactMessageStored"


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
