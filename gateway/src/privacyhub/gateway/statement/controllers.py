from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED
from privacyhub.gateway.guards import requires_role
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.queries import QueryClient, found
from privacyhub.gateway.statement.schemas import StatementAccepted, StatementDraft
from privacyhub.shared.auth import Role
from privacyhub.shared.contracts.statement import (
    CURRENT_STATEMENT_QUERY,
    STATEMENT_PUBLISHED,
    STATEMENT_VERSION_QUERY,
    STATEMENT_VERSIONS_QUERY,
    VERSION_PATTERN,
    StatementMetadata,
    StatementVersion,
    text_sha256,
)
from privacyhub.shared.queries import Query, Reply
from privacyhub.shared.topics import CONSENT_QUERIES
from pydantic import JsonValue, TypeAdapter

# The statement concerns no person: one fixed, non-personal key keeps its versions in order.
STATEMENT_SUBJECT = "statement"

_METADATA_LIST = TypeAdapter(list[StatementMetadata])


async def ask(queries: QueryClient, name: str, **arguments: JsonValue) -> Reply:
    return await queries.ask(
        CONSENT_QUERIES, STATEMENT_SUBJECT, Query(name=name, arguments=arguments)
    )


async def version_exists(queries: QueryClient, version: str) -> bool:
    reply = await ask(queries, STATEMENT_VERSION_QUERY, version=version)
    if reply.status == "not_found":
        return False
    found(reply)  # raises when the consent service could not answer
    return True


class PrivacyStatementController(Controller):
    path = "/v1/privacy-statement"
    tags = ["privacy statement"]

    @get(operation_id="getPrivacyStatement")
    async def statement(
        self,
        queries: NamedDependency[QueryClient],
        version: Annotated[
            str | None,
            QueryParameter(
                description="An earlier (or the current) version; without it, the current one.",
                pattern=VERSION_PATTERN,
            ),
        ] = None,
    ) -> StatementVersion:
        """The privacy statement in force: version, publication date, language, full text and its SHA-256. With `?version=` the version asked for, 404 when there is none."""
        if version is None:
            reply = await ask(queries, CURRENT_STATEMENT_QUERY)
        else:
            reply = await ask(queries, STATEMENT_VERSION_QUERY, version=version)
        return StatementVersion.model_validate(found(reply))

    @get("/versions", operation_id="listPrivacyStatementVersions")
    async def versions(self, queries: NamedDependency[QueryClient]) -> list[StatementMetadata]:
        """Every published version of the privacy statement, oldest first, without the texts."""
        reply = await ask(queries, STATEMENT_VERSIONS_QUERY)
        return _METADATA_LIST.validate_python(found(reply))


class StatementPublishingController(Controller):
    path = "/v1/staff/privacy-statement"
    tags = ["staff", "privacy statement"]
    guards = [requires_role(Role.ADMIN)]

    @post("/versions", status_code=HTTP_202_ACCEPTED, operation_id="publishPrivacyStatementVersion")
    async def publish(
        self,
        data: JSONBody[StatementDraft],
        queries: NamedDependency[QueryClient],
        publisher: NamedDependency[EventPublisher],
    ) -> StatementAccepted:
        """Publish a new version of the privacy statement (admin). Answers 202 once Kafka holds the StatementPublished event; a material version sends consents given under earlier versions to renewal. 422 when the version number exists."""
        if await version_exists(queries, data.version):
            raise ValidationException(
                "statement version exists",
                extra=[
                    {
                        "key": "version",
                        "message": f"version {data.version} is already published; versions are never rewritten",
                    }
                ],
            )
        statement = StatementVersion(**data.model_dump(), sha256=text_sha256(data.text))
        await publisher.send(STATEMENT_PUBLISHED, statement, subject_id=STATEMENT_SUBJECT)
        return StatementAccepted(version=statement.version, sha256=statement.sha256)
