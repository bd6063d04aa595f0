from privacyhub.shared.contracts.contact import CompanyName, PersonName
from pydantic import BaseModel, ConfigDict, EmailStr, Field

# Screened for sensitive data; the address and the device description are not free text.
FREE_TEXT_FIELDS = ("first_name", "last_name", "message", "company", "found_us_via")


class ContactForm(BaseModel):
    """Exactly the fields the privacy statement names, plus the question itself."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    first_name: PersonName
    last_name: PersonName
    message: str = Field(min_length=1, max_length=5000)
    company: CompanyName | None = None
    found_us_via: str | None = Field(
        default=None, max_length=200, description="How the visitor knows or found us."
    )
    device: str | None = Field(
        default=None,
        max_length=300,
        description="Taken from the User-Agent when not given.",
    )
