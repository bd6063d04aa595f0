"""Every topic the platform uses, declared once with its partitions and retention.

Topics are created explicitly (`ensure_topics`); brokers run with auto-create off,
so a topic missing here is an error, not a silent new topic.
"""

from dataclasses import dataclass
from datetime import timedelta

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention: timedelta
    carries_personal_data: bool
    description: str

    @property
    def config(self) -> dict[str, str]:
        return {"retention.ms": str(int(self.retention.total_seconds() * 1000))}


CONTACT_MESSAGES = TopicSpec(
    name="privacyhub.contact.messages.v1",
    partitions=6,
    retention=timedelta(days=7),
    carries_personal_data=True,
    description="Contact-form messages accepted by the gateway, for the contact service to store.",
)
CONTACT_LIFECYCLE = TopicSpec(
    name="privacyhub.contact.lifecycle.v1",
    partitions=6,
    retention=timedelta(days=30),
    carries_personal_data=False,
    description="Contact message lifecycle events (stored, answered) by reference and pseudonymous subject.",
)
DEAD_LETTER = TopicSpec(
    name="privacyhub.dead-letter.v1",
    partitions=1,
    retention=timedelta(days=14),
    carries_personal_data=True,
    description="Messages a consumer could not process, with the source topic and the reason.",
)

CONTACT_COMMANDS = TopicSpec(
    name="privacyhub.contact.commands.v1",
    partitions=6,
    retention=timedelta(days=7),
    carries_personal_data=False,
    description="Commands to the contact service (mark a question answered), by reference.",
)
PAGE_VIEWS = TopicSpec(
    name="privacyhub.visitors.pageviews.v1",
    partitions=6,
    retention=timedelta(days=7),
    carries_personal_data=True,
    description="Page views from the website: visitor id, page, referrer, parsed device; never the IP address.",
)
CONSENT_CHOICES = TopicSpec(
    name="privacyhub.consent.choices.v1",
    partitions=6,
    retention=timedelta(days=30),
    carries_personal_data=True,
    description="Consent choices per purpose with their proof (statement version and hash, time, source).",
)
STATEMENT_VERSIONS = TopicSpec(
    name="privacyhub.statement.versions.v1",
    partitions=1,
    retention=timedelta(days=3650),
    carries_personal_data=False,
    description="Privacy statement versions as they are published; no personal data.",
)
CONSENT_QUERIES = TopicSpec(
    name="privacyhub.consent.queries.v1",
    partitions=6,
    retention=timedelta(hours=1),
    carries_personal_data=False,
    description="Read requests to the consent service (consents of a visitor, analytics, statements).",
)
GATEWAY_REPLIES = TopicSpec(
    name="privacyhub.gateway.replies.v1",
    partitions=6,
    retention=timedelta(hours=1),
    carries_personal_data=True,
    description="Answers to the gateway's read requests, matched by correlation id.",
)

RIGHTS_REQUESTS = TopicSpec(
    name="privacyhub.requests.intake.v1",
    partitions=6,
    retention=timedelta(days=7),
    carries_personal_data=True,
    description="Data-subject rights requests received on the web or registered by staff.",
)
REQUESTS_QUERIES = TopicSpec(
    name="privacyhub.requests.queries.v1",
    partitions=6,
    retention=timedelta(hours=1),
    carries_personal_data=True,
    description="Reads and verification attempts for the requests service, answered on the replies topic.",
)
COMPLAINTS = TopicSpec(
    name="privacyhub.requests.complaints.v1",
    partitions=6,
    retention=timedelta(days=7),
    carries_personal_data=True,
    description="Complaints and suspected data breaches reported through the website.",
)
SUBJECT_COMMANDS = TopicSpec(
    name="privacyhub.subject.commands.v1",
    partitions=6,
    retention=timedelta(days=7),
    carries_personal_data=True,
    description="Commands to every data owner about one subject: export, erase, rectify, restrict.",
)
SUBJECT_RESULTS = TopicSpec(
    name="privacyhub.subject.results.v1",
    partitions=6,
    retention=timedelta(days=7),
    carries_personal_data=True,
    description="Each data owner's answer to a subject command: an export or a receipt.",
)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    CONTACT_MESSAGES,
    CONTACT_LIFECYCLE,
    CONTACT_COMMANDS,
    PAGE_VIEWS,
    CONSENT_CHOICES,
    STATEMENT_VERSIONS,
    CONSENT_QUERIES,
    GATEWAY_REPLIES,
    RIGHTS_REQUESTS,
    REQUESTS_QUERIES,
    COMPLAINTS,
    SUBJECT_COMMANDS,
    SUBJECT_RESULTS,
    DEAD_LETTER,
)


async def ensure_topics(
    bootstrap_servers: str,
    *,
    replication_factor: int = 1,
    topics: tuple[TopicSpec, ...] = ALL_TOPICS,
) -> None:
    """Create each declared topic that does not exist yet; existing topics are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        for topic in missing:
            try:
                await admin.create_topics(
                    [
                        NewTopic(
                            topic.name,
                            topic.partitions,
                            replication_factor=replication_factor,
                            topic_configs=topic.config,
                        )
                    ]
                )
            except TopicAlreadyExistsError:
                pass  # another process created it between our listing and now
    finally:
        await admin.close()


def create_topics_cli() -> None:
    """`privacyhub-topics`: create every declared topic on KAFKA_BOOTSTRAP_SERVERS (existing ones are left alone)."""
    import asyncio

    from privacyhub.shared.settings import CommonSettings

    settings = CommonSettings()
    asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap_servers,
            replication_factor=settings.kafka_replication_factor,
        )
    )
    for topic in ALL_TOPICS:
        print(f"{topic.name}: {topic.partitions} partitions, retention {topic.retention}")


if __name__ == "__main__":
    create_topics_cli()
