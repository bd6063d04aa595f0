"""The access or portability package: machine-readable JSON of everything held, and a readable HTML summary."""

import io
import json
import zipfile
from datetime import datetime
from html import escape
from typing import Any

from privacyhub.requests.rights.requests_store import RightsRequestDocument
from privacyhub.shared.contracts.subject import PORTABLE_BASES
from pydantic import TypeAdapter

DATA_FILE = "data.json"
SUMMARY_FILE = "summary.html"

# What the requester sees of their own requests: never codes, attempt ids or token hashes.
REQUEST_FIELDS = (
    "type",
    "channel",
    "status",
    "email",
    "details",
    "corrections",
    "visitor_ids",
    "received_at",
    "due_date",
    "verified_at",
    "extension",
    "decision",
    "completed_at",
    "receipts",
)

_JSON = TypeAdapter(Any)


def request_history(documents: list[RightsRequestDocument]) -> list[dict[str, Any]]:
    return [
        _JSON.dump_python(
            {"request_id": d["_id"], **{f: d[f] for f in REQUEST_FIELDS if f in d}}, mode="json"
        )
        for d in documents
    ]


def package_contents(
    *,
    request_id: str,
    portability: bool,
    exports: dict[str, list[dict[str, Any]]],
    history: list[RightsRequestDocument],
    access_log: list[dict[str, Any]],
    generated_at: datetime,
) -> dict[str, Any]:
    """Everything per owner and category; portability keeps only data processed under contract or consent."""
    owners = {
        owner: {
            part["category"]: {"legal_basis": part["basis"], "records": part["records"]}
            for part in categories
            if not portability or part["basis"] in PORTABLE_BASES
        }
        for owner, categories in sorted(exports.items())
    }
    contents: dict[str, Any] = {
        "request_id": request_id,
        "kind": "portability" if portability else "access",
        "generated_at": generated_at.isoformat(),
        "controller": "Jobport B.V., privacy@jobport.nl",
        "owners": owners,
    }
    if not portability:
        # Rights requests are kept under a legal obligation, which portability does not cover.
        contents["rights_requests"] = request_history(history)
        # Who of the staff read the person's data, when and why (statement §5).
        contents["access_log"] = access_log
    return contents


def summary_html(contents: dict[str, Any]) -> str:
    sections = []
    for owner, categories in contents["owners"].items():
        for category, part in categories.items():
            rows = "".join(_record_rows(record) for record in part["records"])
            sections.append(
                f"<h2>{escape(owner)}: {escape(category)}</h2>"
                f"<p>Grondslag / legal basis: {escape(part['legal_basis'])}; "
                f"{len(part['records'])} gegevens / records</p>{rows}"
            )
    if "rights_requests" in contents:
        rows = "".join(_record_rows(record) for record in contents["rights_requests"])
        sections.append(f"<h2>Je privacyverzoeken / your rights requests</h2>{rows}")
    if "access_log" in contents:
        rows = "".join(_record_rows(entry) for entry in contents["access_log"])
        sections.append(
            "<h2>Wie van ons je gegevens inzag / who of our staff read your data</h2>"
            f"<p>{len(contents['access_log'])} keer / times</p>{rows}"
        )
    title = "Jouw gegevens bij Jobport / Your data at Jobport"
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f"<p>Kenmerk / reference {escape(contents['request_id'])}, "
        f"{escape(contents['generated_at'])}. De volledige gegevens staan in {DATA_FILE} "
        f"(JSON) / the complete data is in {DATA_FILE} (JSON).</p>"
        + "".join(sections)
        + "</body></html>"
    )


def _record_rows(record: dict[str, Any]) -> str:
    cells = "".join(
        f"<tr><th>{escape(str(key))}</th><td>{escape(_text(value))}</td></tr>"
        for key, value in record.items()
    )
    return f"<table>{cells}</table>"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def build_package(contents: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DATA_FILE, json.dumps(contents, ensure_ascii=False, indent=2))
        archive.writestr(SUMMARY_FILE, summary_html(contents))
    return buffer.getvalue()
