from collections.abc import Mapping

from privacyhub.gateway.contact.screening import EVERY_KIND, SensitiveKind
from privacyhub.shared.contracts.contact import CompanyName, PersonName
from pydantic import BaseModel, ConfigDict, EmailStr, Field

ADDRESS_FIELD = "email"
_NOT_MEDICAL = EVERY_KIND - {SensitiveKind.MEDICAL}
# What each field is screened for (statement §2b), in form order. Names, in the name fields and the
# address, are not screened for medical terms: people are called Parkinson or Alzheimer. The address
# is screened on its local part and only refused, never redacted: a redacted address reaches nobody.
SCREENED_FOR: Mapping[str, frozenset[SensitiveKind]] = {
    ADDRESS_FIELD: _NOT_MEDICAL,
    "first_name": _NOT_MEDICAL,
    "last_name": _NOT_MEDICAL,
    "message": EVERY_KIND,
    "company": EVERY_KIND,
    "found_us_via": EVERY_KIND,
    "device": EVERY_KIND,
}


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
