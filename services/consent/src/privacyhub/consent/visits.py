"""Page views, processed by the visitor's consent at the moment of the visit (statement §2a).

With analytics consent (and no `Sec-GPC: 1`) a visit record is linked to the visitor.
Without it, a deployment relying on the Dutch analytics exemption (Telecommunicatiewet
11.7a) keeps an anonymous count of the view that holds no visitor id; any other deployment
keeps nothing. Consent is judged by time (the view's `occurred_at` against the choices'
`given_at`), not by which topic happened to be read first. A visitor whose processing is
restricted (Art. 18) is neither linked nor counted until the restriction is lifted. Which of
these happens is decided by the consumer (stream.py); this module stores the outcome, a batch
at a time and insert-only, keyed by the page view id, so a redelivered view adds nothing.

An anonymous count is one document per view (`page_views: 1` with the view's day, page,
referring site and device facts) rather than a counter incremented in place: an insert per view
costs the same however many views a day has, and the report sums them in the database.

What a linked visit says the visitor looked at and used (page, referring site, device, system,
browser) is encrypted under the visitor's data key (shared/crypto.py). The page view id, the
visitor id, the moment and its UTC day stay clear: lookups, unlinking by time, retention and the
report's day range query them. The counters hold no visitor id: anonymous, and clear.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from privacyhub.shared.bulk import insert_new
from privacyhub.shared.contracts.consent import PageViewed
from privacyhub.shared.crypto import FieldCipher, SubjectKeys
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

VISITS = "visits"
COUNTERS = "anonymous_page_view_counters"

COUNTED_FIELDS = ("day", "page", "referrer_host", "device_type", "os", "browser")
PERSONAL_FIELDS = ("page", "referrer_host", "device_type", "os", "browser")


def visit_facts(view: PageViewed) -> dict[str, Any]:
    """What analytics needs of a view: its UTC day, page path, referring site and the device's three facts."""
    page = urlsplit(view.url)
    referrer_host = urlsplit(view.referrer).hostname if view.referrer else None
    if referrer_host == page.hostname:
        referrer_host = None  # moving between our own pages is no referral
    return {
        "day": view.occurred_at.astimezone(UTC).date().isoformat(),
        "page": page.path or "/",
        "referrer_host": referrer_host,
        "device_type": view.device_type,
        "os": view.os,
        "browser": view.browser,
    }


class Visits:
    def __init__(self, db: AsyncDatabase, keys: SubjectKeys, *, analytics_exemption: bool) -> None:
        self._visits = db[VISITS]
        self._counters = db[COUNTERS]
        self._cipher = FieldCipher(keys, PERSONAL_FIELDS)
        self.analytics_exemption = analytics_exemption

    async def ensure_indexes(self) -> None:
        await self._visits.create_index([("visitor_id", ASCENDING), ("occurred_at", ASCENDING)])
        await self._visits.create_index("day")
        await self._counters.create_index("day")

    async def link_all(self, views: Sequence[tuple[UUID, PageViewed]]) -> None:
        """Link each view to its visitor, in one insert; a view linked before stays as it is."""

        async def insert(sealed: list[dict[str, Any]]) -> None:
            await insert_new(self._visits, sealed)

        await self._cipher.store_all(
            [
                (
                    view.visitor_id,
                    {
                        "_id": str(page_view_id),
                        "visitor_id": view.visitor_id,
                        "occurred_at": view.occurred_at,
                        **visit_facts(view),
                    },
                )
                for page_view_id, view in views
            ],
            write=insert,
            collection=self._visits,
        )

    async def count_all(self, views: Sequence[tuple[UUID, PageViewed]]) -> None:
        """Count each view anonymously, in one insert; a view counted before is not counted again."""
        await self._count({str(page_view_id): visit_facts(view) for page_view_id, view in views})

    async def unlink(self, visitor_id: str, *, since: datetime, until: datetime | None) -> None:
        """Undo linking for views in [since, until): a withdrawal read after views made later than it."""
        window: dict[str, Any] = {"$gte": since}
        if until is not None:
            window["$lt"] = until
        linked = [
            stored
            async for stored in self._visits.find({"visitor_id": visitor_id, "occurred_at": window})
        ]
        if self.analytics_exemption:  # counted first: a crash in between must not lose the views
            opened = [visit for stored in linked if (visit := await self.opened(stored))]
            await self._count(
                {
                    visit["_id"]: {field: visit[field] for field in COUNTED_FIELDS}
                    for visit in opened
                }
            )
        for stored in linked:
            await self._visits.delete_one({"_id": stored["_id"]})

    async def of_visitors(self, visitor_ids: list[str]) -> list[dict[str, Any]]:
        """Every linked visit of the visitors, oldest first, decrypted."""
        cursor = self._visits.find({"visitor_id": {"$in": visitor_ids}}).sort(
            "occurred_at", ASCENDING
        )
        visits = [await self.opened(document) async for document in cursor]
        return [visit for visit in visits if visit is not None]

    async def opened(self, visit: dict[str, Any]) -> dict[str, Any] | None:
        """The visit decrypted; None when the visitor's key is gone: the visit is erased."""
        return await self._cipher.decrypt_unless_shredded(visit["visitor_id"], visit)

    async def count_of(self, visitor_ids: list[str]) -> int:
        """How many linked visits of the visitors are stored."""
        return await self._visits.count_documents({"visitor_id": {"$in": visitor_ids}})

    async def flag_restricted(
        self, visitor_ids: list[str], *, since: datetime, request_id: str
    ) -> int:
        """Flag the visitors' linked visits not flagged yet as restricted (a clear field, set in
        place); how many."""
        flagged = await self._visits.update_many(
            {"visitor_id": {"$in": visitor_ids}, "restriction": {"$exists": False}},
            {"$set": {"restriction": {"since": since, "request_id": request_id}}},
        )
        return flagged.modified_count

    async def lift_restriction(self, visitor_ids: list[str], *, restricted_by: str) -> int:
        """Unflag the visitors' visits that `restricted_by` restricted; how many."""
        lifted = await self._visits.update_many(
            {"visitor_id": {"$in": visitor_ids}, "restriction.request_id": restricted_by},
            {"$unset": {"restriction": ""}},
        )
        return lifted.modified_count

    async def erase(self, visitor_ids: list[str]) -> int:
        """Delete every linked visit of the visitors; how many."""
        erased = await self._visits.delete_many({"visitor_id": {"$in": visitor_ids}})
        return erased.deleted_count

    async def erase_visited_before(
        self, cutoff: datetime, *, held: list[str]
    ) -> tuple[int, int, set[str]]:
        """Delete the linked visits made before `cutoff`, except the `held` visitors'.

        Returns how many went, how many a hold kept, and whose visits went.
        """
        expired = {"occurred_at": {"$lt": cutoff}}
        kept = await self._visits.count_documents({**expired, "visitor_id": {"$in": held}})
        due = {**expired, "visitor_id": {"$nin": held}}
        visitors = {
            document["visitor_id"]
            async for document in self._visits.find(due, projection={"visitor_id": 1})
        }
        erased = await self._visits.delete_many(due)
        return erased.deleted_count, kept, visitors

    async def erase_counts_before(self, cutoff: datetime) -> int:
        """Delete the anonymous counters of UTC days before the day of `cutoff`; how many went.

        A counter names no one, so no hold on a subject keeps one.
        """
        day = cutoff.astimezone(UTC).date().isoformat()
        erased = await self._counters.delete_many({"day": {"$lt": day}})
        return erased.deleted_count

    async def held_for(self, visitor_id: str) -> bool:
        """True while any visit is linked to the visitor."""
        kept = await self._visits.find_one({"visitor_id": visitor_id}, projection={"_id": 1})
        return kept is not None

    async def _count(self, facts_by_view: dict[str, dict[str, Any]]) -> None:
        # The page view id keys the count, so a redelivery cannot count twice; it names a Kafka
        # message, not a visitor.
        await insert_new(
            self._counters,
            [{"_id": view, **facts, "page_views": 1} for view, facts in facts_by_view.items()],
        )
