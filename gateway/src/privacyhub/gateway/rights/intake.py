"""Accepting a rights request: the gateway names it, gives the requester an access token and publishes it."""

import secrets
from datetime import datetime
from uuid import uuid4

from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.rights.schemas import RightsRequestAccepted
from privacyhub.shared.contracts.rights import (
    RIGHTS_REQUEST_RECEIVED,
    Channel,
    Corrections,
    RightsRequestReceived,
    RightType,
)
from privacyhub.shared.deadlines import due_date_for
from privacyhub.shared.identity import secret_digest, subject_id_for_email


async def accept_rights_request(
    publisher: EventPublisher,
    *,
    subject_id_secret: str,
    type: RightType,
    channel: Channel,
    email: str,
    details: str | None,
    corrections: Corrections | None,
    visitor_ids: list[str],
    received_at: datetime,
    registered_by: str | None = None,
) -> RightsRequestAccepted:
    """Publish the request (only the token's hash travels); 503 when Kafka cannot take it."""
    access_token = secrets.token_urlsafe(32)
    received = RightsRequestReceived(
        request_id=uuid4(),
        type=type,
        channel=channel,
        email=email,
        details=details,
        corrections=corrections,
        visitor_ids=visitor_ids,
        received_at=received_at,
        access_token_sha256=secret_digest(access_token),
        registered_by=registered_by,
    )
    await publisher.send(
        RIGHTS_REQUEST_RECEIVED,
        received,
        subject_id=subject_id_for_email(subject_id_secret, email),
        correlation_id=received.request_id,
    )
    return RightsRequestAccepted(
        request_id=received.request_id,
        due_date=due_date_for(received_at),
        access_token=access_token,
    )
