"""The one command an approved rights request sends to the data owners, by the request's type,
and the command that later lifts the restriction a restriction request placed."""

from uuid import UUID

from privacyhub.requests.rights.requests_store import RightsRequestDocument
from privacyhub.shared.contracts.rights import RightType
from privacyhub.shared.contracts.subject import (
    ERASE_SUBJECT_DATA,
    EXPORT_SUBJECT_DATA,
    LIFT_RESTRICTION,
    OBJECT_TO_PROCESSING,
    RECTIFY_SUBJECT_DATA,
    RESTRICT_PROCESSING,
    WITHDRAW_CONSENTS,
    EraseSubjectData,
    ExportSubjectData,
    LiftRestriction,
    ObjectToProcessing,
    RectifySubjectData,
    RestrictProcessing,
    SubjectCommand,
    SubjectMessage,
    WithdrawConsents,
)
from privacyhub.shared.envelope import Envelope, derived_event_id
from privacyhub.shared.identity import subject_id_for_email
from privacyhub.shared.owners import DATA_OWNERS

COMMAND_TYPES: dict[RightType, str] = {
    RightType.ACCESS: EXPORT_SUBJECT_DATA,
    RightType.PORTABILITY: EXPORT_SUBJECT_DATA,
    RightType.ERASURE: ERASE_SUBJECT_DATA,
    RightType.RECTIFICATION: RECTIFY_SUBJECT_DATA,
    RightType.RESTRICTION: RESTRICT_PROCESSING,
    RightType.OBJECTION: OBJECT_TO_PROCESSING,
    RightType.WITHDRAW_CONSENT: WITHDRAW_CONSENTS,
}


class NothingToCarryOut(Exception):
    """The request names nothing an owner could act on (a rectification without corrections)."""


def owner_command(
    document: RightsRequestDocument,
    *,
    subject_id_secret: str,
    owners: list[str] | None = None,
    attempt: int = 0,
) -> Envelope:
    """The command for the request, to `owners` or to every owner; its event id follows from the
    request and the `attempt` (an officer's retry or amendment), so a resend is a duplicate."""
    request_id = document["_id"]
    right = RightType(document["type"])
    visitor_ids = document.get("visitor_ids", [])
    payload: SubjectCommand
    if right in (RightType.ACCESS, RightType.PORTABILITY):
        payload = ExportSubjectData(request_id=request_id, visitor_ids=visitor_ids)
    elif right is RightType.ERASURE:
        categories = sorted({category for held in DATA_OWNERS.values() for category in held})
        payload = EraseSubjectData(
            reason="rights_request",
            rule=request_id,
            categories=categories,  # type: ignore[arg-type]
            visitor_ids=visitor_ids,
        )
    elif right is RightType.RECTIFICATION:
        corrections = document.get("corrections") or {}
        if not corrections:
            raise NothingToCarryOut("the rectification names no field to correct")
        new_email = corrections.get("email")
        payload = RectifySubjectData(
            request_id=request_id,
            corrections=corrections,
            new_subject_id=subject_id_for_email(subject_id_secret, new_email)
            if new_email
            else None,
            visitor_ids=visitor_ids,
        )
    elif right is RightType.RESTRICTION:
        payload = RestrictProcessing(request_id=request_id, visitor_ids=visitor_ids)
    elif right is RightType.OBJECTION:
        payload = ObjectToProcessing(request_id=request_id, visitor_ids=visitor_ids)
    else:
        payload = WithdrawConsents(request_id=request_id, visitor_ids=visitor_ids)
    command_type = COMMAND_TYPES[right]
    payload.owners = owners
    return Envelope[SubjectMessage](
        event_id=derived_event_id(
            UUID(request_id), f"{command_type}#{attempt}" if attempt else command_type
        ),
        type=command_type,
        subject_id=document["subject_id"],
        correlation_id=UUID(request_id),
        payload=SubjectMessage.model_validate(payload.model_dump(mode="json")),
    )


def lift_command(document: RightsRequestDocument) -> Envelope:
    """LiftRestriction for a restriction request; its event id follows from the request, so a resend is a duplicate."""
    request_id = document["_id"]
    refused = (document.get("decision") or {}).get("refused_owners")
    payload = LiftRestriction(
        request_id=request_id,
        restricted_by=request_id,
        visitor_ids=document.get("visitor_ids", []),
        owners=document["execution"]["owners"] if refused else None,
    )
    return Envelope[SubjectMessage](
        event_id=derived_event_id(UUID(request_id), LIFT_RESTRICTION),
        type=LIFT_RESTRICTION,
        subject_id=document["subject_id"],
        correlation_id=UUID(request_id),
        payload=SubjectMessage.model_validate(payload.model_dump(mode="json")),
    )
