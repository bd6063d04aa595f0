"""Page views, processed by the visitor's consent at the moment of the visit (statement §2a).

With analytics consent (and no `Sec-GPC: 1`) a visit record is linked to the visitor.
Without it, a deployment relying on the Dutch analytics exemption (Telecommunicatiewet
11.7a) increments anonymous daily counters that hold no visitor id; any other deployment
keeps nothing. Consent is judged by time (the view's `occurred_at` against the choices'
`given_at`), not by which topic happened to be read first. A visitor whose processing is
restricted (Art. 18) is neither linked nor counted until the restriction is lifted.

What a linked visit says the visitor looked at and used (page, referring site, device, system,
browser) is encrypted under the visitor's data key (shared/crypto.py). The page view id, the
visitor id, the moment and its UTC day stay clear: lookups, unlinking by time, retention and the
report's day range query them. The counters hold no visitor id: anonymous, and clear.
"""

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from privacyhub.consent.consents import Consents
from privacyhub.shared.contracts.consent import PageViewed
from privacyhub.shared.crypto import FieldCipher, SubjectKeys
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

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


def counter_id(facts: dict[str, Any]) -> str:
    return json.dumps([facts[field] for field in COUNTED_FIELDS])


class Visits:
    def __init__(
        self,
        db: AsyncDatabase,
        keys: SubjectKeys,
        consents: Consents,
        *,
        analytics_exemption: bool,
    ) -> None:
        self._visits = db[VISITS]
        self._counters = db[COUNTERS]
        self._cipher = FieldCipher(keys, PERSONAL_FIELDS)
        self._consents = consents
        self._analytics_exemption = analytics_exemption

    async def ensure_indexes(self) -> None:
        await self._visits.create_index([("visitor_id", ASCENDING), ("occurred_at", ASCENDING)])
        await self._visits.create_index("day")
        await self._counters.create_index("day")

    async def record(self, page_view_id: UUID, view: PageViewed) -> None:
        """Link, count anonymously, or drop the view; the same page view id never has a second effect."""
        if await self._consents.restricted(view.visitor_id):
            return
        facts = visit_facts(view)
        if await self._linkable(view):

            async def link(sealed: dict[str, Any]) -> None:
                await self._visits.update_one(
                    {"_id": str(page_view_id)}, {"$setOnInsert": sealed}, upsert=True
                )

            await self._cipher.store(
                view.visitor_id,
                {"visitor_id": view.visitor_id, "occurred_at": view.occurred_at, **facts},
                write=link,
                collection=self._visits,
                selection={"_id": str(page_view_id)},
            )
            # A withdrawal recorded while we inserted may have unlinked before the insert landed.
            if await self._linkable(view):
                return
            await self._visits.delete_one({"_id": str(page_view_id)})
        if self._analytics_exemption and not await self._consents.restricted(view.visitor_id):
            await self._count_anonymously(str(page_view_id), facts)

    async def _linkable(self, view: PageViewed) -> bool:
        if view.global_privacy_control or await self._consents.restricted(view.visitor_id):
            return False
        return (await self._consents.purposes_at(view.visitor_id, view.occurred_at)).analytics

    async def unlink(self, visitor_id: str, *, since: datetime, until: datetime | None) -> None:
        """Undo linking for views in [since, until): a withdrawal read after views made later than it."""
        window: dict[str, Any] = {"$gte": since}
        if until is not None:
            window["$lt"] = until
        async for stored in self._visits.find({"visitor_id": visitor_id, "occurred_at": window}):
            visit = await self.opened(stored)
            if self._analytics_exemption and visit is not None:
                await self._count_anonymously(
                    visit["_id"], {field: visit[field] for field in COUNTED_FIELDS}
                )
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

    async def _count_anonymously(self, page_view_id: str, facts: dict[str, Any]) -> None:
        # The page view id rides along in the same atomic update, so a redelivery cannot count twice;
        # it names a Kafka message, not a visitor.
        fresh = {"_id": counter_id(facts), "counted": {"$ne": page_view_id}}
        update = {
            "$inc": {"page_views": 1},
            "$push": {"counted": page_view_id},
            "$setOnInsert": facts,
        }
        try:
            await self._counters.update_one(fresh, update, upsert=True)
        except DuplicateKeyError:
            # Either the counter holds this view already, or a concurrent copy created it a moment ago.
            update.pop("$setOnInsert")
            await self._counters.update_one(fresh, update)
