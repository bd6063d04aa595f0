"""The cookie statement (statement §2a: "In onze cookieverklaring lees je welke cookies dit zijn"), served as data.

The cookies are declared in cookies.json next to this module; the file is read and
validated when the gateway starts, so a broken declaration stops it from starting.
"""

from importlib.resources import files
from typing import Literal

from litestar import Controller, get
from litestar.datastructures import CacheControlHeader
from pydantic import BaseModel, ConfigDict, Field

COOKIE_FILE = files("privacyhub.gateway").joinpath("cookies.json")


class Explanation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Cookie(BaseModel):
    """One cookie the website places."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    provider: str = Field(min_length=1, description="The domain that places the cookie.")
    party: Literal["first", "third"] = Field(
        description="first: placed by the website itself; third: by another party."
    )
    consent_purpose: Literal["necessary", "analytics", "marketing"] = Field(
        description="The consent purpose the cookie needs; necessary cookies need no consent."
    )
    purpose: Explanation = Field(description="What the cookie is for, in Dutch and English.")
    lifetime_days: int | None = Field(
        ge=1, description="How long the cookie stays; null when it goes once the browser closes."
    )


class CookieStatement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cookies: list[Cookie]


COOKIE_STATEMENT = CookieStatement.model_validate_json(COOKIE_FILE.read_text(encoding="utf-8"))


class CookieController(Controller):
    path = "/v1/cookies"
    tags = ["privacy statement"]

    @get(operation_id="getCookieStatement", cache_control=CacheControlHeader(max_age=3600))
    async def cookie_statement(self) -> CookieStatement:
        """The cookies the website places: name, provider, first or third party, the consent purpose each needs, what it is for and how long it stays."""
        return COOKIE_STATEMENT
