"""Dead letters: a message a consumer cannot process is parked with its reason, and the consumer moves on.

Failures of the infrastructure (database or broker unreachable) are not the message's
fault: those are retried after a pause instead, so nothing is parked that would have
succeeded a moment later. Every parked message is counted (`privacyhub_dead_letters_total`,
by kind) for ops to alert on; a message the process made that Kafka cannot take (too large) is
a fault of the code, never of the message, and is logged as critical as well.
"""

import asyncio
import functools
import logging
import weakref
from datetime import datetime
from typing import Any

import pydantic
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    NodeNotReadyError,
)
from fast_depends.exceptions import ValidationError as ArgumentValidationError
from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.topics import DEAD_LETTER
from prometheus_client import CollectorRegistry, Counter
from pydantic import BaseModel, Field
from pymongo.errors import AutoReconnect, ConnectionFailure, ServerSelectionTimeoutError

logger = logging.getLogger(__name__)

TOO_LARGE = "a message made while processing is larger than Kafka takes"
# Each broker's count of what it parked, exposed on its process's registry.
_PARKED: "weakref.WeakKeyDictionary[KafkaBroker, Counter]" = weakref.WeakKeyDictionary()


class TransientFailure(Exception):
    """Raised by a handler when a dependency of its own (a mail server, say) is away for now."""


TRANSIENT_ERRORS = (
    TransientFailure,
    AutoReconnect,
    ConnectionFailure,
    ServerSelectionTimeoutError,
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
)


class UnprocessableMessage(Exception):
    """Raised by a handler for a message that can never succeed; the text must not hold personal data."""


class DeadLetter(BaseModel):
    """A parked message: where it came from, why it failed, and the original bytes."""

    source_topic: str
    parked_by: str | None = Field(
        default=None, description="The Kafka principal (the process) that could not process it."
    )
    partition: int
    offset: int
    key: str | None
    reason: str
    failed_at: datetime
    original: str


def describe_failure(error: BaseException) -> str:
    """A reason without personal data: validation errors name fields, never their values."""
    if isinstance(error, pydantic.ValidationError):
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_input=False)
        )
        return f"invalid message: {problems}"
    if isinstance(error, ArgumentValidationError):
        return "invalid message: does not match the handler's contract"
    if isinstance(error, UnprocessableMessage):
        return str(error)
    if isinstance(error, MessageSizeTooLargeError):
        return TOO_LARGE
    return f"{type(error).__name__} while processing"


def kind_of(reason: str) -> str:
    """The few kinds of reasons a metric label may take (a reason itself is unbounded)."""
    if reason == TOO_LARGE:
        return "too_large"
    if reason.startswith("invalid message"):
        return "invalid"
    if reason.endswith(" while processing"):
        return "error"
    return "unprocessable"


class DeadLetterMiddleware(BaseMiddleware):
    """Parks messages whose processing fails for a reason of their own; delays and re-raises transient failures."""

    def __init__(
        self,
        msg: Any,
        /,
        *,
        context: Any,
        broker: KafkaBroker,
        retry_backoff_seconds: float,
    ) -> None:
        super().__init__(msg, context=context)
        self._broker = broker
        self._retry_backoff_seconds = retry_backoff_seconds

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        try:
            return await call_next(msg)
        except TRANSIENT_ERRORS:
            logger.warning("transient failure, message will be redelivered", exc_info=True)
            await asyncio.sleep(self._retry_backoff_seconds)
            raise
        except Exception as error:
            if isinstance(msg.raw_message, tuple):
                # A batch parks its poison messages one by one (shared/batches.py); a failure of
                # the batch as a whole is a bug to retry, never a reason to park its good messages.
                logger.error("a batch failed; it will be redelivered", exc_info=True)
                await asyncio.sleep(self._retry_backoff_seconds)
                raise
            await park(self._broker, msg.raw_message, describe_failure(error))
            return None


async def park(broker: KafkaBroker, record: Any, reason: str) -> None:
    """Publish the consumed `record` (an aiokafka ConsumerRecord) as it came, with `reason`."""
    letter = DeadLetter(
        source_topic=record.topic,
        parked_by=broker.config.client_id,
        partition=record.partition,
        offset=record.offset,
        key=record.key.decode() if record.key else None,
        reason=reason,
        failed_at=utc_now(),
        original=(record.value or b"").decode(errors="replace"),
    )
    await broker.publish(letter, DEAD_LETTER.name, key=record.key)
    if (parked := _PARKED.get(broker)) is not None:
        parked.labels(kind=kind_of(reason)).inc()
    logger.log(
        logging.CRITICAL if reason == TOO_LARGE else logging.ERROR,
        "message dead-lettered",
        extra={
            "source_topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "reason": reason,
        },
    )


def dead_letter_middleware(
    broker: KafkaBroker, *, registry: CollectorRegistry, retry_backoff_seconds: float
) -> Any:
    _PARKED[broker] = Counter(
        "privacyhub_dead_letters",
        "Messages parked on the dead-letter topic, by kind of reason; too_large is a bug.",
        ["kind"],
        registry=registry,
    )
    return functools.partial(
        DeadLetterMiddleware, broker=broker, retry_backoff_seconds=retry_backoff_seconds
    )
