"""GET /v1/staff/processing-register: the Art. 30 record, as JSON or CSV, for any staff role."""

import csv
import io
from typing import Literal

from litestar import Controller, Response, get
from litestar.params import FromQuery
from privacyhub.gateway.guards import any_staff
from privacyhub.shared.register import load_register
from privacyhub.shared.register.model import ProcessingRegister

CSV_COLUMNS = (
    "category",
    "name",
    "personal_data",
    "data_subjects",
    "purposes",
    "legal_bases",
    "fields",
    "stored_in",
    "retention_period",
    "retention_starts",
    "retention_reason",
    "recipients",
    "recipient_locations",
    "transfer_safeguards",
)


def as_csv(register: ProcessingRegister) -> str:
    """One row per data category, the columns an Art. 30(1) record asks for."""
    purposes = {p.id: p for p in register.purposes}
    recipients = {r.id: r for r in register.recipients}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for category in register.categories:
        shared_with = [recipients[r] for r in category.recipients]
        writer.writerow(
            (
                category.id,
                category.name,
                category.personal_data,
                category.data_subjects,
                "; ".join(purposes[p].name for p in category.purposes),
                "; ".join(sorted({purposes[p].legal_basis for p in category.purposes})),
                "; ".join(sorted({f for store in category.stored_in for f in store.fields})),
                "; ".join(f"{s.service}/{s.collection}" for s in category.stored_in),
                f"{category.retention.period.days} days",
                category.retention.starts,
                category.retention.reason,
                "; ".join(r.name for r in shared_with),
                "; ".join(r.location for r in shared_with),
                "; ".join(r.transfer_safeguard or "inside the EU" for r in shared_with),
            )
        )
    return out.getvalue()


class ProcessingRegisterController(Controller):
    path = "/v1/staff/processing-register"
    tags = ["staff"]
    guards = [any_staff()]

    @get(operation_id="processingRegister")
    async def register(self, format: FromQuery[Literal["json", "csv"]] = "json") -> Response:
        """The register of processing activities (GDPR Art. 30); `?format=csv` for a spreadsheet."""
        register = load_register()
        if format == "csv":
            return Response(
                as_csv(register),
                media_type="text/csv; charset=utf-8",
                headers={"content-disposition": 'attachment; filename="processing-register.csv"'},
            )
        return Response(register.model_dump(mode="json"))
