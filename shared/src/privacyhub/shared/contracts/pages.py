"""A page of a staff list, as the gateway asks for it and the owning service answers (shared/pages.py reads it).

The cursor is opaque to clients: base64 of MongoDB extended JSON of the last entry's sort values,
which keeps a date a date.
"""

import base64
import binascii
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from bson import json_util
from bson.errors import InvalidBSON
from pydantic import BaseModel, Field, field_validator

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_CURSOR_CHARACTERS = 1000
T = TypeVar("T")


class PageRequest(BaseModel):
    """Which page of a list: at most `limit` entries after the one the `after` cursor names."""

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    after: str | None = Field(default=None, max_length=MAX_CURSOR_CHARACTERS)

    @field_validator("after")
    @classmethod
    def _a_cursor_of_a_list(cls, after: str | None) -> str | None:
        if after is not None:
            cursor_values(after)
        return after


class Page(BaseModel, Generic[T]):
    """Entries of a list, and the cursor of the next page (None on the last)."""

    items: list[T]
    next: str | None = None


def cursor_of(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json_util.dumps(list(values)).encode()).decode()


def cursor_values(cursor: str) -> list[Any]:
    """The sort values a cursor holds; ValueError for anything that is not a cursor."""
    try:
        values = json_util.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, InvalidBSON, UnicodeDecodeError):
        raise ValueError("not a cursor of this list") from None
    if not isinstance(values, list):
        raise ValueError("not a cursor of this list")
    return values
