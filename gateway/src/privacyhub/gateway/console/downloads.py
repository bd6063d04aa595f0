"""Every list as CSV and as JSON, for an auditor or the Autoriteit Persoonsgegevens: rights requests
with their dates, outcome and whether the deadline was met; complaints; the breach register; the
deletion log; and (after the access reason, see registers.py) one person's access log. Each holds
what its list holds and no more: no requester's or reporter's address or words."""

import csv
import io
import json
import types
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter
from privacyhub.gateway.complaints.staff import breach_register, complaint_queue
from privacyhub.gateway.console.rights import LOOKED_IN
from privacyhub.gateway.console.session import OFFICER_ONLY
from privacyhub.gateway.pages import every_page
from privacyhub.gateway.queries import QueryClient
from privacyhub.gateway.retention.controllers import deletion_log
from privacyhub.gateway.rights.staff import rights_queue
from privacyhub.shared.contracts.complaints import BreachEntry, ComplaintFilter, ComplaintSummary
from privacyhub.shared.contracts.pages import MAX_LIMIT, PageRequest
from privacyhub.shared.contracts.retention import DeletionLogEntry, DeletionLogLookup
from privacyhub.shared.contracts.rights import QueueEntry, QueueFilter
from privacyhub.shared.envelope import utc_now
from pydantic import BaseModel

Format = Literal["csv", "json"]


async def rights_requests(queries: QueryClient) -> list[QueueEntry]:
    """Every request, open and closed, by due date within each."""
    entries: list[QueueEntry] = []
    for status in LOOKED_IN:
        entries += await every_page(
            lambda cursor, status=status: rights_queue(
                queries, QueueFilter(status=status, limit=MAX_LIMIT, after=cursor)
            )
        )
    return entries


async def complaints(queries: QueryClient) -> list[ComplaintSummary]:
    return await every_page(
        lambda cursor: complaint_queue(queries, ComplaintFilter(limit=MAX_LIMIT, after=cursor))
    )


async def breaches(queries: QueryClient) -> list[BreachEntry]:
    return await every_page(
        lambda cursor: breach_register(queries, PageRequest(limit=MAX_LIMIT, after=cursor))
    )


async def deletions(queries: QueryClient) -> list[DeletionLogEntry]:
    return await every_page(
        lambda cursor: deletion_log(queries, DeletionLogLookup(limit=MAX_LIMIT, after=cursor))
    )


# Each download: its Dutch and English name, its entries' model and how they are read.
DOWNLOADS: dict[
    str, tuple[str, str, type[BaseModel], Callable[[QueryClient], Awaitable[Sequence[BaseModel]]]]
] = {
    "verzoeken": (
        "Verzoeken met data, uitkomst en termijn gehaald of gemist",
        "Rights requests with dates, outcome and deadline met or missed",
        QueueEntry,
        rights_requests,
    ),
    "klachten": ("Klachten", "Complaints", ComplaintSummary, complaints),
    "datalekken": ("Datalekregister", "Breach register", BreachEntry, breaches),
    "verwijderlog": ("Verwijderlog", "Deletion log", DeletionLogEntry, deletions),
}


def columns(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The CSV columns of `model`: its fields, a nested model's fields as `parent.child`."""
    names: list[str] = []
    for name, field in model.model_fields.items():
        nested = _model_in(field.annotation)
        if nested is None:
            names.append(prefix + name)
        else:
            names += columns(nested, f"{prefix}{name}.")
    return names


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if get_origin(annotation) in (Union, types.UnionType):
        found = [m for a in get_args(annotation) if (m := _model_in(a)) is not None]
        return found[0] if found else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _flat(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            flat |= _flat(value, f"{prefix}{name}.")
        elif isinstance(value, list):
            flat[prefix + name] = "; ".join(str(item) for item in value)
        else:
            flat[prefix + name] = "" if value is None else value
    return flat


def as_csv(model: type[BaseModel], entries: Sequence[BaseModel]) -> str:
    out = io.StringIO()
    # A nested model that is absent (an undecided breach's decision) leaves its columns empty.
    writer = csv.DictWriter(out, fieldnames=columns(model), restval="", extrasaction="ignore")
    writer.writeheader()
    for entry in entries:
        writer.writerow(_flat(entry.model_dump(mode="json")))
    return out.getvalue()


def download(
    name: str, model: type[BaseModel], entries: Sequence[BaseModel], format: Format
) -> Response[str]:
    """The entries as a file to save, named after the list and the day."""
    filename = f"{name}-{utc_now().date().isoformat()}.{format}"
    headers = {
        "content-disposition": f'attachment; filename="{filename}"',
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
    }
    if format == "csv":
        return Response(
            as_csv(model, entries), media_type="text/csv; charset=utf-8", headers=headers
        )
    body = json.dumps(
        [entry.model_dump(mode="json") for entry in entries], ensure_ascii=False, indent=1
    )
    return Response(body, media_type="application/json", headers=headers)


class DownloadsController(Controller):
    path = "/staff/downloads"
    include_in_schema = False
    guards = OFFICER_ONLY

    @get("/{file:str}")
    async def file(
        self,
        file: Annotated[str, PathParameter(description="e.g. verzoeken.csv")],
        queries: NamedDependency[QueryClient],
    ) -> Response[str]:
        """A list as `<name>.csv` or `<name>.json`."""
        name, _, format = file.rpartition(".")
        if name not in DOWNLOADS or format not in get_args(Format):
            raise NotFoundException()
        _, _, model, read = DOWNLOADS[name]
        return download(name, model, await read(queries), format)  # type: ignore[arg-type]
