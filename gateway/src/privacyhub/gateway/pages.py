"""Staff lists a page at a time: `limit` and `cursor` in, the entries and a `Link` to the next page out.

The body stays a JSON array of entries; the next page's address travels in the `Link` header
(rel="next", RFC 8288), absent on the last page.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.datastructures import ResponseHeader
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter
from privacyhub.shared.contracts.pages import (
    MAX_CURSOR_CHARACTERS,
    MAX_LIMIT,
    Page,
    cursor_values,
)

T = TypeVar("T")

Limit = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_LIMIT, description="At most this many entries on the page."),
]
Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=MAX_CURSOR_CHARACTERS,
        description="Where the page starts: the `cursor` of the `Link` header's next page.",
    ),
]
NEXT_PAGE_HEADER = ResponseHeader(
    name="Link",
    description='`<…?cursor=…>; rel="next"` when there is a next page; absent on the last.',
    documentation_only=True,
)


async def every_page(fetch: Callable[[str | None], Awaitable[Page[T]]]) -> list[T]:
    """Every entry of a list, read a page at a time: `fetch` reads the page a cursor names."""
    entries: list[T] = []
    cursor = None
    while True:
        page = await fetch(cursor)
        entries.extend(page.items)
        if page.next is None:
            return entries
        cursor = page.next


def checked_cursor(cursor: str | None) -> str | None:
    """The cursor, or 422 naming the `cursor` parameter when it is not one a list gave out."""
    if cursor is not None:
        try:
            cursor_values(cursor)
        except ValueError as error:
            raise ValidationException(
                "invalid cursor", extra=[{"key": "cursor", "message": str(error)}]
            ) from None
    return cursor


def page_response(page: Page[T], request: Request[Any, Any, Any]) -> Response[list[T]]:
    headers = {}
    if page.next is not None:
        query = {**request.query_params.dict(), "cursor": [page.next]}
        link = f"{request.url.path}?{urlencode(query, doseq=True)}"
        headers["link"] = f'<{link}>; rel="next"'
    return Response(page.items, headers=headers)
