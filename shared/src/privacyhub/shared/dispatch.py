"""Only the message types the catalogue declares for a reader reach its handlers.

A subscriber's handler reads one topic's envelopes; a type the catalogue does not give the reader
there (a bug in a publisher, or a message from a newer version) is parked on the dead-letter topic
before it reaches the handler, the same for every service. Batch consumers check the same in
BatchConsumer.read.
"""

import functools
import json
from typing import Any

from faststream import BaseMiddleware
from faststream.message import StreamMessage
from privacyhub.shared.catalogue import Process, governs, types_read
from privacyhub.shared.dead_letter import UnprocessableMessage


class DeclaredTypesMiddleware(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: Any, process: Process) -> None:
        super().__init__(msg, context=context)
        self._process = process

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        if isinstance(msg.raw_message, tuple):
            return await call_next(msg)  # a batch reads each message into its contract itself
        topic = msg.raw_message.topic
        if not governs(topic):
            return await call_next(msg)
        try:
            kind = json.loads(msg.body).get("type")
        except (ValueError, AttributeError):
            raise UnprocessableMessage(f"a message on {topic} is not an envelope") from None
        if kind not in types_read(self._process, topic):
            raise UnprocessableMessage(
                f"{self._process} reads no message of type {kind!r} on {topic}"
            )
        return await call_next(msg)


def only_declared_types(process: Process) -> Any:
    return functools.partial(DeclaredTypesMiddleware, process=process)
