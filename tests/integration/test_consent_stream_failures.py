"""A batch of the consent stream that fails part-way is applied again as Kafka redelivers it
(shared/batches.py). What the failed attempt learnt in memory is ahead of the database then, so
the stream forgets it and reads those visitors again (stream.py): the choice reaches the database
all the same."""

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from privacyhub.consent.consents import Consents
from privacyhub.consent.restrictions import Restrictions
from privacyhub.consent.settings import ConsentSettings
from privacyhub.consent.statements import Statements
from privacyhub.consent.stream import VisitorStream
from privacyhub.consent.visitor_state import VisitorStates
from privacyhub.consent.visits import VISITS, Visits
from privacyhub.shared.crypto import Keyring, SubjectKeys
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.service import ServiceRuntime
from privacyhub.shared.topics import PAGE_VIEWS
from pymongo.errors import AutoReconnect

from tests.support.endpoints import Endpoints
from tests.support.services import RUN, service_settings, unstarted_runtime
from tests.support.visitors import choice_made, in_force, new_visitor, published_view

pytestmark = pytest.mark.integration


class FailingWhenArmed(Consents):
    """Consents whose next batch write, once armed, fails as a database going away would."""

    armed = False

    async def keep_all(self, *args: Any, **kwargs: Any) -> None:
        if self.armed:
            self.armed = False
            raise AutoReconnect("the database went away")
        await super().keep_all(*args, **kwargs)


@pytest.fixture
async def runtime(endpoints: Endpoints) -> AsyncIterator[ServiceRuntime]:
    settings = service_settings(
        ConsentSettings, endpoints, "consent", mongodb_database=f"test_stream_failures_{RUN}"
    )
    async for runtime in unstarted_runtime(settings, name="consent"):
        yield runtime


async def test_a_withdrawal_whose_batch_failed_is_in_force_once_applied_again(
    runtime: ServiceRuntime,
) -> None:
    settings = runtime.settings
    assert isinstance(settings, ConsentSettings)
    keys = SubjectKeys(
        runtime.mongo[settings.subject_keys_database_name], Keyring.from_settings(settings)
    )
    statements = Statements(runtime.db)
    await statements.ensure_seeded()
    consents = FailingWhenArmed(runtime.db, keys)
    stream = VisitorStream(
        consents=consents,
        visits=Visits(runtime.db, keys, analytics_exemption=False),
        restrictions=Restrictions(runtime.db),
        statements=statements,
        keys=keys,
        states=VisitorStates(capacity=1000),
    )
    await stream.load(set(range(PAGE_VIEWS.partitions)))
    visitor, start = new_visitor(), utc_now() - timedelta(minutes=10)
    grant = choice_made(visitor, start)
    await stream.apply([grant])
    assert await in_force(runtime.db, visitor, grant.payload.consent_id)

    withdrawal = choice_made(visitor, start + timedelta(minutes=1), analytics=False)
    consents.armed = True
    with pytest.raises(AutoReconnect):
        await stream.apply([withdrawal])
    await stream.apply([withdrawal])  # Kafka delivers the batch again

    assert await in_force(runtime.db, visitor, withdrawal.payload.consent_id), (
        "the withdrawal applied again is not the choice in force"
    )
    later = published_view(visitor, start + timedelta(minutes=2))
    await stream.apply([later])
    assert await runtime.db[VISITS].find_one({"_id": str(later.event_id)}) is None
