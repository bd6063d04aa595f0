from datetime import datetime, timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from privacyhub.shared.contracts.consent import ConsentSource, Purposes, VisitorId
from privacyhub.shared.contracts.statement import VERSION_PATTERN
from privacyhub.shared.envelope import utc_now
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    field_validator,
)

# A visit's time comes from the visitor's clock; more than this ahead of ours is a mistake.
CLOCK_SKEW = timedelta(minutes=5)


def _empty_is_none(value: object) -> object:
    return None if value == "" else value


def page_address(url: HttpUrl) -> str:
    """Scheme, host and path only: query strings and fragments can carry e-mail addresses or tokens."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", "", ""))


class PageViewForm(BaseModel):
    """One page view as the website's script reports it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    visitor_id: VisitorId
    url: HttpUrl = Field(description="The page viewed.")
    referrer: Annotated[HttpUrl | None, BeforeValidator(_empty_is_none)] = Field(
        default=None, description="document.referrer; empty or absent for a direct visit."
    )
    user_agent: str | None = Field(
        default=None,
        max_length=1000,
        description="Taken from the User-Agent header when not given; only device type, OS and browser are kept.",
    )
    occurred_at: AwareDatetime | None = Field(
        default=None, description="When the page was seen; the time of the request when absent."
    )

    @field_validator("occurred_at")
    @classmethod
    def _not_in_the_future(cls, occurred_at: datetime | None) -> datetime | None:
        if occurred_at is not None and occurred_at > utc_now() + CLOCK_SKEW:
            raise ValueError("lies in the future")
        return occurred_at


class PageViewAccepted(BaseModel):
    page_view_id: str = Field(description="The page view's event id.")


class ConsentForm(BaseModel):
    """A visitor's choice in the cookie banner (or through the API)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    visitor_id: VisitorId
    purposes: Purposes
    statement_version: str = Field(
        pattern=VERSION_PATTERN, description="The privacy statement version shown, e.g. 2.1."
    )
    source: Literal["banner", "api"] = Field(
        default="banner",
        description="banner (default) or api; a `Sec-GPC: 1` header records gpc instead.",
    )


class ConsentAccepted(BaseModel):
    """The choice as it will be recorded: with `Sec-GPC: 1`, every non-necessary purpose off."""

    consent_id: str
    purposes: Purposes
    statement_version: str
    source: ConsentSource
