"""An owner answers for a person only once it has processed everything accepted before the command:
an export made right after a burst of page views holds every one of them."""

import uuid
from datetime import timedelta

import pytest
from privacyhub.consent.app import create_runtime as create_consent_runtime
from privacyhub.consent.settings import ConsentSettings
from privacyhub.shared.contracts.consent import (
    CONSENT_GIVEN,
    PAGE_VIEWED,
    ConsentGiven,
    ConsentSource,
    PageViewed,
    Purposes,
)
from privacyhub.shared.contracts.subject import EXPORT_SUBJECT_DATA, ExportSubjectData
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.topics import (
    CONSENT_CHOICES,
    PAGE_VIEWS,
    SUBJECT_COMMANDS,
    SUBJECT_EXPORTS,
)

from tests.support.copies import separate_copy
from tests.support.endpoints import Endpoints
from tests.support.kafka import at_the_end, collect_until, publish_all
from tests.support.naming import unique_word

pytestmark = pytest.mark.integration

BURST = 800  # the export travels in parts (shared/owners.py)


async def test_an_export_right_after_a_burst_of_page_views_holds_every_one_of_them(
    endpoints: Endpoints, consent_settings: ConsentSettings
) -> None:
    """The burst is on its topic a moment before the command is on its own, so the command's
    consumer gets to the command while the page views' consumer is still working through them."""
    tag = unique_word(10)
    settings = separate_copy(consent_settings, f"burst_{tag}")
    bootstrap = endpoints.kafka_bootstrap_servers
    topics = (CONSENT_CHOICES.name, PAGE_VIEWS.name, SUBJECT_COMMANDS.name)
    await at_the_end(bootstrap, settings.consumer_group, *topics)

    visitor, start = f"burst-{tag}", utc_now()
    choice = ConsentGiven(
        consent_id=str(uuid.uuid4()),
        visitor_id=visitor,
        purposes=Purposes(analytics=True, marketing=False),
        statement_version="2.1",
        source=ConsentSource.BANNER,
        given_at=start,
    )
    views = [
        Envelope[PageViewed](
            type=PAGE_VIEWED,
            subject_id=visitor,
            payload=PageViewed(
                visitor_id=visitor,
                url=f"https://www.jobport.nl/vacatures/{n}",
                referrer=None,
                device_type="desktop",
                os="Linux",
                browser="Firefox",
                occurred_at=start + timedelta(milliseconds=n + 1),
            ),
        )
        for n in range(BURST)
    ]

    def export_of(visitor_id: str) -> Envelope[ExportSubjectData]:
        return Envelope[ExportSubjectData](
            type=EXPORT_SUBJECT_DATA,
            subject_id=f"subject-{visitor_id}",
            payload=ExportSubjectData(request_id=str(uuid.uuid4()), visitor_ids=[visitor_id]),
        )

    async def exported(command: Envelope[ExportSubjectData]) -> set[str]:
        def answers(m: dict) -> bool:
            return (
                m["correlation_id"] == str(command.correlation_id)
                and m["payload"].get("owner") == "consent"
            )

        await publish_all(bootstrap, SUBJECT_COMMANDS.name, [command])
        seen = await collect_until(
            bootstrap,
            SUBJECT_EXPORTS.name,
            lambda m: answers(m) and m["payload"]["part"] == m["payload"]["parts"],
            within=120,
        )
        return {
            record["page_view_id"]
            for part in filter(answers, seen)
            for category in part["payload"]["categories"]
            if category["category"] == "visit_records"
            for record in category["records"]
        }

    async with create_consent_runtime(settings).running() as runtime:
        assert await exported(export_of(f"settled-{tag}")) == set()  # every consumer has joined
        await publish_all(
            bootstrap,
            CONSENT_CHOICES.name,
            [Envelope[ConsentGiven](type=CONSENT_GIVEN, subject_id=visitor, payload=choice)],
        )
        await publish_all(bootstrap, PAGE_VIEWS.name, views)
        assert await exported(export_of(visitor)) == {str(view.event_id) for view in views}
        await runtime.mongo.drop_database(settings.mongodb_database)
