"""Website visitors (statement §2a): page views, consent choices with their proof, and the reads of both.

A visitor is known only by a pseudonymous cookie id, which is also the envelope's
subject id. Nothing here carries an IP address or a raw User-Agent string.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

PAGE_VIEWED = "PageViewed"
CONSENT_GIVEN = "ConsentGiven"
VISITOR_STATE_CHANGED = "VisitorStateChanged"

# Query names the consent service answers on CONSENT_QUERIES.
CONSENTS_OF_VISITOR_QUERY = "consents_of_visitor"
ANALYTICS_QUERY = "analytics"

VISITOR_ID_PATTERN = r"^[A-Za-z0-9_-]+$"
VisitorId = Annotated[
    str,
    StringConstraints(min_length=8, max_length=128, pattern=VISITOR_ID_PATTERN),
    Field(description="Pseudonymous visitor id: the value of the site's visitor cookie."),
]


class ConsentSource(StrEnum):
    """Where a choice came from: the cookie banner, an API call, or the browser's Global Privacy Control."""

    BANNER = "banner"
    API = "api"
    GPC = "gpc"


class Purposes(BaseModel):
    """A choice per purpose; strictly necessary cookies need no consent and are always on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    necessary: Literal[True] = Field(
        default=True, description="Always true: the site cannot work without these cookies."
    )
    analytics: bool = Field(description="Visit statistics linked to the visitor id.")
    marketing: bool = Field(description="Marketing cookies.")

    @classmethod
    def only_necessary(cls) -> "Purposes":
        """Every non-necessary purpose off: a refusal, a withdrawal, or a Global Privacy Control signal."""
        return cls(analytics=False, marketing=False)


class PageViewed(BaseModel):
    """One page view as the website reported it, the user agent already reduced to three coarse facts."""

    visitor_id: VisitorId
    url: str = Field(description="The page, without query string or fragment.")
    referrer: str | None = Field(
        description="The referring page, without query string or fragment; None when direct."
    )
    device_type: str = Field(description="desktop, mobile, tablet, bot or other.")
    os: str = Field(description="Operating system family, e.g. Windows, iOS.")
    browser: str = Field(description="Browser family, e.g. Firefox, Mobile Safari.")
    occurred_at: AwareDatetime = Field(description="When the visitor saw the page.")
    global_privacy_control: bool = Field(
        default=False,
        description="The request carried `Sec-GPC: 1`: an opt-out of linking this view to the visitor.",
    )


class VisitorStateChanged(BaseModel):
    """The consent service changed what it keeps of a visitor (a rights request restricted, lifted,
    erased or withdrew): the copy that consumes the visitor's partition reads the visitor again.

    Published by the consent service on CONSENT_CHOICES, keyed by the visitor id, so it reaches
    the copy that holds the visitor's consent in memory, in order with the visitor's choices.
    """

    visitor_id: VisitorId
    change: Literal["restricted", "restriction_lifted", "erased", "consents_withdrawn"]


class ConsentGiven(BaseModel):
    """A visitor's choice per purpose; a withdrawal is a choice with every non-necessary purpose off."""

    consent_id: str = Field(description="Unique per choice; the proof's reference.")
    visitor_id: VisitorId
    purposes: Purposes
    statement_version: str = Field(description="The privacy statement version the visitor saw.")
    source: ConsentSource
    given_at: AwareDatetime = Field(description="When the choice was made.")


class ConsentRecord(BaseModel):
    """A recorded choice with its proof: the statement version and the SHA-256 of its text."""

    consent_id: str
    purposes: Purposes
    statement_version: str
    statement_sha256: str = Field(description="SHA-256 of the statement text the visitor saw.")
    source: ConsentSource
    given_at: AwareDatetime


class CurrentConsent(ConsentRecord):
    """The choice in force: the latest one."""

    needs_renewal: bool = Field(
        description="A materially changed statement was published after this choice was made."
    )
    renewal_version: str | None = Field(
        default=None, description="The statement version the visitor should be asked about."
    )


class VisitorConsents(BaseModel):
    """The choice in force and every choice made, oldest first."""

    visitor_id: str
    current: CurrentConsent
    history: list[ConsentRecord]


class VisitorsOnDay(BaseModel):
    """One UTC day of visits."""

    day: date
    consenting_visitors: int = Field(
        description="Distinct visitors whose visits are linked to them (analytics consent)."
    )
    consenting_page_views: int = Field(description="Page views linked to a consenting visitor.")
    anonymous_page_views: int = Field(
        description="Page views counted without any visitor id (no analytics consent, Tw 11.7a exemption)."
    )


class PageViewCount(BaseModel):
    value: str
    page_views: int


class PageViewShare(PageViewCount):
    fraction: float = Field(description="page_views / total_page_views, rounded to 4 decimals.")


class AnalyticsReport(BaseModel):
    """Aggregate visit statistics for a date range (UTC days, both inclusive); no visitor ids."""

    from_day: date
    to_day: date
    total_page_views: int = Field(description="Consenting and anonymous page views together.")
    days: list[VisitorsOnDay] = Field(description="Every day of the range, empty days included.")
    top_pages: list[PageViewCount] = Field(description="Page paths by page views.")
    top_referrers: list[PageViewCount] = Field(
        description="Referring hosts of other sites by page views; direct and internal views are not listed."
    )
    device_types: list[PageViewShare]
    operating_systems: list[PageViewShare]
    browsers: list[PageViewShare]
