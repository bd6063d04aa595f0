"""The rights-request reads the requests service answers for the gateway on REQUESTS_QUERIES
(replies.py says how each is answered)."""

import base64

from privacyhub.requests.rights.execution import RightsExecution
from privacyhub.requests.rights.replies import reply_for, rights_answering
from privacyhub.requests.rights.workflow import RightsWorkflow
from privacyhub.shared.contracts.rights import (
    EXPORT_QUERY,
    QUEUE_QUERY,
    STATUS_QUERY,
    PackageChunk,
    PackageLookup,
    QueueFilter,
    Rejection,
    RightType,
    Status,
    StatusLookup,
)
from privacyhub.shared.queries import QueryHandler, Reply


def _exporting(workflow: RightsWorkflow, execution: RightsExecution) -> QueryHandler:
    """One chunk of the access or portability package, base64 in the reply, with the number of
    chunks, for the holder of the access token."""

    async def export(lookup: PackageLookup) -> Reply:
        request = await workflow.status(lookup)
        if request is None or request.type not in (RightType.ACCESS, RightType.PORTABILITY):
            return reply_for(None)
        if request.status != Status.COMPLETED:
            return reply_for(Rejection.NOT_READY)
        if not await workflow.may_download(lookup):
            return reply_for(Rejection.WRONG_DOWNLOAD_CODE)
        chunk = await execution.package_chunk(lookup.request_id, lookup.chunk)
        if chunk is None:
            return reply_for(Rejection.PACKAGE_GONE)
        data, chunks = chunk
        return Reply(
            status="found",
            result=PackageChunk(
                filename=f"jobport-{request.type.value}-{lookup.request_id}.zip",
                zip_base64=base64.b64encode(data).decode(),
                chunks=chunks,
            ).model_dump(),
        )

    return rights_answering(PackageLookup, export)


def rights_queries(workflow: RightsWorkflow, execution: RightsExecution) -> dict[str, QueryHandler]:
    return {
        EXPORT_QUERY: _exporting(workflow, execution),
        STATUS_QUERY: rights_answering(StatusLookup, workflow.status),
        QUEUE_QUERY: rights_answering(QueueFilter, workflow.queue),
    }
