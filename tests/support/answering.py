"""A service's answering of queries and commands on a topic of the test's own.

`ServiceRuntime.handle` subscribes a table to the topics the catalogue names; a test of the
query path uses topics of its own, so that no real service's copy answers them (nor it theirs).
"""

from typing import Any

from privacyhub.shared.envelope import Envelope
from privacyhub.shared.queries import Query
from privacyhub.shared.service import Handler, ServiceRuntime
from privacyhub.shared.topics import TopicSpec


def answer_on(runtime: ServiceRuntime, topic: TopicSpec, handlers: dict[str, Handler]) -> Any:
    """Subscribe `handlers` (from `query_handlers` or `command_handlers`) to `topic`, by envelope type."""

    @runtime.subscriber(topic)
    async def answer(envelope: Envelope[Query]) -> None:
        await handlers[envelope.type](envelope)

    return answer
