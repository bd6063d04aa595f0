"""From lifecycle facts to due deletions: the contact-data rules applied to what the services announce.

The facts arrive on different topics, in any order: an answer may be announced before its
message is known here, and a customer relationship may end before a message stored earlier
is announced. Each handler leaves the schedule as if the facts had come in order.

An erasure for a rights request that the contact service carried out only in part, because a
legal hold keeps the person's messages, is such a fact too: its receipt on SUBJECT_RESULTS says
so, and every message of the person stored until then becomes due at once. The sweep passes them
over while the hold is in force and erases them, with a deletion-log entry, once it is lifted or
ends. So the service that owns the holds also finishes what they postponed, in the one place that
already erases on time and proves it; the owner keeps no to-do list and needs no timer for a
hold's end. The support partner's copy is not kept under a hold: the contact service's record is
what the legal purpose needs.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NamedTuple

from privacyhub.retention.records import EndedCustomers, RetainedRecords
from privacyhub.retention.rules import (
    Due,
    concerned_by_customer_end,
    due_after_answer,
    due_after_customer_ended,
    due_on_erasure_request,
)
from privacyhub.retention.schedule import DueDeletion, DueDeletions
from privacyhub.shared.contracts.subject import Category

CONTACT_MESSAGES: Category = "contact_messages"


class StoredMessage(NamedTuple):
    subject_id: str
    reference: str
    stored_at: datetime


class ContactRetention:
    def __init__(
        self,
        *,
        schedule: DueDeletions,
        records: RetainedRecords,
        customers: EndedCustomers,
        grace: timedelta,
    ) -> None:
        self._schedule = schedule
        self._records = records
        self._customers = customers
        self._grace = grace

    async def messages_stored(self, stored: Sequence[StoredMessage]) -> None:
        """Remember each stored message until a rule makes it due; due at once if the customer had
        already left. The reads of the batch go side by side, its records in one insert."""
        if not stored:
            return
        scheduled = await self._schedule.scheduled_among(
            CONTACT_MESSAGES, [message.reference for message in stored]
        )
        ends = await self._customers.ended_at({message.subject_id for message in stored})
        due, remembered = [], []
        for message in stored:
            if message.reference in scheduled:
                continue  # its answer was announced first
            ended_at = ends.get(message.subject_id)
            if ended_at is not None and concerned_by_customer_end(message.stored_at, ended_at):
                due.append(
                    DueDeletion(
                        CONTACT_MESSAGES,
                        message.reference,
                        message.subject_id,
                        due_after_customer_ended(ended_at, self._grace),
                        stored_at=message.stored_at,
                    )
                )
            else:
                remembered.append((message.reference, message.subject_id, message.stored_at))
        await self._schedule.schedule(due)
        await self._records.forget(CONTACT_MESSAGES, [deletion.record_id for deletion in due])
        await self._records.remember(CONTACT_MESSAGES, remembered)

    async def question_answered(
        self, subject_id: str, reference: str, answered_at: datetime
    ) -> None:
        stored_at = await self._records.stored_at(CONTACT_MESSAGES, reference)
        due = due_after_answer(answered_at, self._grace)
        await self._schedule_message(subject_id, reference, due, stored_at=stored_at)

    async def customer_ended(self, subject_id: str, ended_at: datetime) -> None:
        """Every message the person sent before the end is due a grace period later, unless due earlier."""
        await self._customers.record_end(subject_id, ended_at)
        due = due_after_customer_ended(ended_at, self._grace)
        unscheduled = await self._records.of_subject(
            subject_id, CONTACT_MESSAGES, stored_until=ended_at
        )
        scheduled = [
            deletion
            for deletion in await self._schedule.of_subject(subject_id, CONTACT_MESSAGES)
            if deletion.stored_at is None or concerned_by_customer_end(deletion.stored_at, ended_at)
        ]
        await self._schedule.schedule(
            [DueDeletion(CONTACT_MESSAGES, r, subject_id, due, stored_at=s) for r, s in unscheduled]
            + [replace(deletion, due=due) for deletion in scheduled]
        )
        await self._records.forget(CONTACT_MESSAGES, [reference for reference, _ in unscheduled])

    async def erasure_kept_under_hold(self, subject_id: str, requested_at: datetime) -> None:
        """A rights erasure kept the subject's messages under a hold: each is due now, for when the hold ends."""
        due = due_on_erasure_request(requested_at)
        unscheduled = await self._records.of_subject(
            subject_id, CONTACT_MESSAGES, stored_until=requested_at
        )
        scheduled = await self._schedule.of_subject(subject_id, CONTACT_MESSAGES)
        await self._schedule.schedule(
            [DueDeletion(CONTACT_MESSAGES, r, subject_id, due, stored_at=s) for r, s in unscheduled]
            + [replace(deletion, due=due) for deletion in scheduled]
        )
        await self._records.forget(CONTACT_MESSAGES, [reference for reference, _ in unscheduled])

    async def _schedule_message(
        self, subject_id: str, reference: str, due: Due, *, stored_at: datetime | None
    ) -> None:
        await self._schedule.schedule(
            [DueDeletion(CONTACT_MESSAGES, reference, subject_id, due, stored_at=stored_at)]
        )
        await self._records.forget(CONTACT_MESSAGES, [reference])
