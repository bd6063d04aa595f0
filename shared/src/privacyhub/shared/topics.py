"""The topics the platform uses, each with its partitions; its retention and whether it carries
personal data come from the processing register, the one place that declares them.

Which topics exist is not listed here: the message catalogue derives it (`catalogue.ALL_TOPICS`,
the topics its messages travel on and the dead letters), so a topic declared here that carries
no message is neither created nor granted (tests/unit/test_catalogue.py fails on it).
Topics are created explicitly (`ensure_topics`); brokers run with auto-create off,
so a topic missing there is an error, not a silent new topic.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from privacyhub.shared.register import load_register


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


def declared_topic(*, name: str, partitions: int, description: str) -> TopicSpec:
    """A topic with the retention and personal-data flag the processing register declares for it."""
    declared = load_register().topic(name)
    return TopicSpec(
        name=name,
        partitions=partitions,
        retention=declared.retention,
        carries_personal_data=declared.carries_personal_data,
        description=description,
    )


CONTACT_MESSAGES = declared_topic(
    name="privacyhub.contact.messages.v1",
    partitions=6,
    description="Contact-form messages accepted by the gateway, for the contact service to store.",
)
CONTACT_LIFECYCLE = declared_topic(
    name="privacyhub.contact.lifecycle.v1",
    partitions=6,
    description="Contact message lifecycle events (stored, answered) by reference and pseudonymous subject.",
)
DEAD_LETTER = declared_topic(
    name="privacyhub.dead-letter.v1",
    partitions=1,
    description="Messages a consumer could not process, with the source topic and the reason.",
)

CONTACT_COMMANDS = declared_topic(
    name="privacyhub.contact.commands.v1",
    partitions=6,
    description="Commands to the contact service (mark a question answered), by reference.",
)
PAGE_VIEWS = declared_topic(
    name="privacyhub.visitors.pageviews.v1",
    partitions=6,
    description="Page views from the website: visitor id, page, referrer, parsed device; never the IP address.",
)
CONSENT_CHOICES = declared_topic(
    name="privacyhub.consent.choices.v1",
    partitions=6,
    description="Consent choices per purpose with their proof (statement version and hash, time, source).",
)
STATEMENT_VERSIONS = declared_topic(
    name="privacyhub.statement.versions.v1",
    partitions=1,
    description="Privacy statement versions as they are published; no personal data.",
)
CONSENT_QUERIES = declared_topic(
    name="privacyhub.consent.queries.v1",
    partitions=6,
    description="Read requests to the consent service (consents of a visitor, analytics, statements).",
)
GATEWAY_REPLIES = declared_topic(
    name="privacyhub.gateway.replies.v1",
    partitions=6,
    description="Answers to the gateway's read requests, matched by correlation id.",
)

RIGHTS_REQUESTS = declared_topic(
    name="privacyhub.requests.intake.v1",
    partitions=6,
    description="Data-subject rights requests received on the web or registered by staff.",
)
REQUESTS_QUERIES = declared_topic(
    name="privacyhub.requests.queries.v1",
    partitions=6,
    description="Reads from the requests service, which change nothing, answered on the replies topic.",
)
REQUESTS_COMMANDS = declared_topic(
    name="privacyhub.requests.commands.v1",
    partitions=6,
    description="Steps on rights requests, complaints and breaches (a staff decision, a requester's "
    "code), each taken once per idempotency key and answered on the replies topic.",
)
REQUESTS_LIFECYCLE = declared_topic(
    name="privacyhub.requests.lifecycle.v1",
    partitions=6,
    description="Rights request lifecycle events (verified) by request id and pseudonymous subject.",
)
COMPLAINTS = declared_topic(
    name="privacyhub.requests.complaints.v1",
    partitions=6,
    description="Complaints and suspected data breaches reported through the website.",
)
SUBJECT_COMMANDS = declared_topic(
    name="privacyhub.subject.commands.v1",
    partitions=6,
    description="Commands to every data owner about one subject: export, erase, rectify, restrict.",
)
SUBJECT_RESULTS = declared_topic(
    name="privacyhub.subject.results.v1",
    partitions=6,
    description="Each data owner's receipt for a subject command (erased, rectified, restricted...).",
)
SUBJECT_EXPORTS = declared_topic(
    name="privacyhub.subject.exports.v1",
    partitions=6,
    description="Each data owner's export of one subject's data, in parts; only the rights workflow "
    "reads it, so only it can open an export.",
)
CONTACT_QUERIES = declared_topic(
    name="privacyhub.contact.queries.v1",
    partitions=6,
    description="Read requests to the contact service (a support agent reads a question), answered on the replies topic.",
)
STAFF_ACCESS_LOG = declared_topic(
    name="privacyhub.staff.access-log.v1",
    partitions=6,
    description="Every staff read of personal data: who, which route and category, whose (pseudonymous), when and why; never the data.",
)
PARTNER_SUPPORT = declared_topic(
    name="privacyhub.partner.support.v1",
    partitions=6,
    description="What the registered support partner may receive: only the fields its agreement names, "
    "and the erasures and corrections of them it must apply (Art. 19).",
)
PARTNER_RESULTS = declared_topic(
    name="privacyhub.partner.results.v1",
    partitions=6,
    description="The support partner's answers to the subject commands passed on to it: receipts and exports.",
)

RETENTION_COMMANDS = declared_topic(
    name="privacyhub.retention.commands.v1",
    partitions=6,
    description="A privacy officer's commands to the retention service: place or lift a legal hold, "
    "a person is no longer a customer.",
)
RETENTION_QUERIES = declared_topic(
    name="privacyhub.retention.queries.v1",
    partitions=6,
    description="Read requests to the retention service (the deletion log, legal holds), answered on the replies topic.",
)
RETENTION_EXPIRY = declared_topic(
    name="privacyhub.retention.expiry.v1",
    partitions=6,
    description="The retention service's commands to the owners: erase a category's records whose "
    "retention period started before a cutoff, except those of subjects under a legal hold.",
)
RETENTION_EXPIRY_RECEIPTS = declared_topic(
    name="privacyhub.retention.expiry-receipts.v1",
    partitions=6,
    description="Each owner's receipt for an expiry command: how many records it erased and kept "
    "under a hold; counts only.",
)
RETENTION_HOLDS = declared_topic(
    name="privacyhub.retention.holds.v1",
    partitions=6,
    description="Legal holds placed and lifted, by hold id, for the data owners to keep what a hold "
    "covers when they erase for a rights request: scope, reason and end, no staff ids.",
)


async def ensure_topics(
    bootstrap_servers: str,
    *,
    replication_factor: int = 1,
    topics: tuple[TopicSpec, ...] | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> None:
    """Create each of `topics` (by default every topic of the catalogue, `catalogue.ALL_TOPICS`)
    that does not exist yet; existing topics are left as they are.

    `client_options` are aiokafka's login arguments (`kafka_client_options`); on a
    broker with ACLs only an administrator may create topics.
    """
    if topics is None:
        # Here, not at the top: the catalogue imports this module for its topics.
        from privacyhub.shared.catalogue import ALL_TOPICS

        topics = ALL_TOPICS
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **(client_options or {}))
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
    """`privacyhub-topics`: create every topic of the catalogue on KAFKA_BOOTSTRAP_SERVERS (existing ones are left alone)."""
    import asyncio

    from privacyhub.shared.catalogue import ALL_TOPICS
    from privacyhub.shared.kafka_login import kafka_client_options
    from privacyhub.shared.settings import CommonSettings

    settings = CommonSettings()
    asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap_servers,
            replication_factor=settings.kafka_replication_factor,
            client_options=kafka_client_options(settings),
        )
    )
    for topic in ALL_TOPICS:
        print(f"{topic.name}: {topic.partitions} partitions, retention {topic.retention}")


if __name__ == "__main__":
    create_topics_cli()
