"""The gateway's OpenAPI document is exact: every operation, fuzzed from the document itself with
valid and invalid requests, answers no server error and no status the document does not name, and
refuses (422) no request the document says is valid."""

from typing import Any

import hypothesis
import pytest
import schemathesis
from httpx import AsyncClient
from hypothesis import HealthCheck, Phase
from privacyhub.shared.auth import Role
from schemathesis import GenerationMode
from schemathesis.schemas import APIOperation

from tests.support.in_loop_gateway import BASE_URL
from tests.support.staff import staff_headers

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures(
        "requests_service", "contact_service", "consent_service", "retention_service"
    ),
]

CASES = 6  # per operation and generation mode
STAFF = staff_headers(*Role, staff_id="fuzzing-staff")
# An accepted request to these changes what every other test sees (a new statement version in
# force, a hold on a whole category, the end of a customer relationship): only invalid ones.
# Rules the validators apply that a JSON Schema cannot state: they depend on another field, on
# the clock, on what exists (statement versions, list cursors), on configuration (the site's
# hosts) or on e-mail domain rules. A request the document calls valid may be refused (422) only
# by these, each named in the problem it answers.
RULES_BEYOND_THE_SCHEMA = (
    "Value error, ",  # a field or model validator relating fields, or the clock
    "give either subject or email",
    "the range spans at most 366 days",
    "not a cursor of this list",
    "no privacy statement has version",
    "is not a page of this website",
    "is a special-use or reserved name",
)
ONLY_INVALID = {
    ("POST", "/v1/staff/privacy-statement/versions"),
    ("POST", "/v1/staff/legal-holds"),
    ("POST", "/v1/staff/customers/{subject}/ended"),
}


def drawn(operation: APIOperation, mode: GenerationMode) -> list[Any]:
    """The same cases on every run: Hypothesis draws them derandomized, without shrinking; none
    when the mode cannot apply (nothing to make invalid)."""
    cases: list[Any] = []

    @hypothesis.settings(
        max_examples=CASES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(operation.as_strategy(generation_mode=mode))
    def collect(case: Any) -> None:
        cases.append(case)

    try:
        collect()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing to make invalid: an operation without parameters or body
    return cases


async def test_every_operation_answers_only_what_its_document_says(gateway: AsyncClient) -> None:
    document = (await gateway.get("/schema/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    surprises: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        method = operation.method.upper()
        documented = set(document["paths"][operation.path][operation.method]["responses"])
        modes = [GenerationMode.NEGATIVE]
        if (method, operation.path) not in ONLY_INVALID:
            modes.append(GenerationMode.POSITIVE)
        for mode in modes:
            for case in drawn(operation, mode):
                request = case.as_transport_kwargs(base_url=BASE_URL, headers=STAFF)
                response = await gateway.request(
                    request["method"],
                    request["url"],
                    params=request.get("params"),
                    headers=request.get("headers"),
                    json=request.get("json"),
                    content=request.get("data"),
                )
                sent += 1
                status = response.status_code
                refused_though_valid = (
                    mode is GenerationMode.POSITIVE
                    and status == 422
                    and not all(
                        any(rule in error["problem"] for rule in RULES_BEYOND_THE_SCHEMA)
                        for error in response.json()["errors"]
                    )
                )
                if status >= 500 or str(status) not in documented or refused_though_valid:
                    surprises.append(
                        f"{method} {operation.path} ({mode.value}) answered {status}: "
                        f"{response.text[:300]} for {case.as_curl_command()}"
                    )
    assert sent > 2 * len(document["paths"])
    assert not surprises, "\n".join(surprises)
