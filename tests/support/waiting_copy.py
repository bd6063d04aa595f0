"""A second requests service that also waits for a partner no service plays: how tests make a
request escalate without stopping any real owner."""

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from privacyhub.requests.rights.owner_commands import owner_command
from privacyhub.requests.rights.requests_store import COLLECTION as RIGHTS_REQUESTS
from privacyhub.requests.settings import RequestsSettings
from privacyhub.shared.topics import SUBJECT_COMMANDS
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.clock import MovableClock
from tests.support.copies import from_now_on
from tests.support.endpoints import Endpoints
from tests.support.kafka import publish_all
from tests.support.naming import unique_word
from tests.support.requests_store import readable_requests
from tests.support.waiting import eventually

# The owners' timeout of a copy waiting for a silent partner: it passes when a test moves the clock.
OWNER_TIMEOUT = timedelta(hours=1)


async def waiting_for_a_silent_partner(
    endpoints: Endpoints, requests_settings: RequestsSettings, **overrides: object
) -> RequestsSettings:
    """A second requests service's settings: it also waits for a partner no service plays, and
    its consumer group starts at the topics' ends. Its owners' timeout passes only when a test
    moves its clock (`escalated`), so an owner slow on a loaded machine is never taken as silent."""
    tag = unique_word(8)
    settings = requests_settings.model_copy(
        update={
            "mongodb_database": f"test_requests_partner_{tag}",
            "consumer_group": f"test-requests-partner-{tag}",
            "data_owners": ["contact", "consent", "partner-without-tool"],
            "owner_timeout_seconds": OWNER_TIMEOUT.total_seconds(),
            "owner_sweep_interval_seconds": 0.2,
            **overrides,
        }
    )
    await from_now_on(endpoints.kafka_bootstrap_servers, settings, "requests")
    return settings


@dataclass(frozen=True)
class WaitingCopy:
    """A second requests service that also waits for a partner no service plays."""

    db: AsyncDatabase
    clock: MovableClock
    settings: RequestsSettings


async def answered_in_the_copy(
    endpoints: Endpoints,
    copy: AsyncDatabase,
    settings: RequestsSettings,
    request_id: str,
    *,
    executing_in: Sequence[AsyncDatabase] = (),
) -> None:
    """Contact's and consent's answers, recorded in a copy of the service with a database of its
    own. Both copies send the same command (its id follows from the request) and the owners carry
    it out once, so a copy that starts executing after their answers came by would wait for them
    for ever: once it executes, and so do the copies whose databases `executing_in` names, the
    test sends the command again under a new id, as one would to an owner that missed it."""
    for db in (copy, *executing_in):
        await eventually(
            lambda db=db: db[RIGHTS_REQUESTS].find_one(
                {"_id": request_id, "execution.started_at": {"$exists": True}}
            ),
            what=f"the request executing in {db.name}",
        )
    document = await readable_requests(copy, settings).get(uuid.UUID(request_id))
    assert document is not None
    command = owner_command(
        document, subject_id_secret=settings.subject_id_secret.get_secret_value()
    ).model_copy(update={"event_id": uuid.uuid4()})
    await publish_all(endpoints.kafka_bootstrap_servers, SUBJECT_COMMANDS.name, [command])

    async def both_answered() -> bool:
        document = await copy[RIGHTS_REQUESTS].find_one({"_id": request_id})
        answered = (document or {}).get("execution", {}).get("answered", [])
        return {"contact", "consent"} <= set(answered)

    await eventually(both_answered, within=60, what="contact's and consent's answers in the copy")


@asynccontextmanager
async def past_the_owners_timeout(
    endpoints: Endpoints, copy: WaitingCopy, request_id: str
) -> AsyncIterator[None]:
    """Once contact and consent answered the copy, its clock moved past the owners' timeout: what
    happens meanwhile happens to a request only the silent partner left unanswered."""
    await answered_in_the_copy(endpoints, copy.db, copy.settings, request_id)
    with copy.clock.moved_forward(OWNER_TIMEOUT + timedelta(seconds=1)):
        yield
