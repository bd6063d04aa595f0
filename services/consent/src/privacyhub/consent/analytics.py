"""Aggregate visit statistics for staff: exact counts from linked visits and anonymous counters.

Linked visits keep their facts encrypted per visitor, so they are read and counted here, each
decrypted once; the anonymous counters are summed in the database (`$group` with `$sum` only,
FerretDB v1). The two are merged, ranked and turned into fractions here. Visits whose processing
is restricted (Art. 18), and visits shredded by an erasure, are left out of every figure.
"""

from collections import Counter
from datetime import date, timedelta
from typing import Any

from privacyhub.consent.visits import COUNTED_FIELDS, COUNTERS, PERSONAL_FIELDS, VISITS
from privacyhub.shared.contracts.consent import (
    AnalyticsReport,
    PageViewCount,
    PageViewShare,
    VisitorsOnDay,
)
from privacyhub.shared.crypto import FieldCipher, SubjectKeys
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

TOP = 10
NOT_RESTRICTED = {"restriction": {"$exists": False}}


def ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    """Most page views first; ties in alphabetical order, so the same input gives the same list."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def shares(counts: Counter[str], total: int) -> list[PageViewShare]:
    return [
        PageViewShare(value=value, page_views=n, fraction=round(n / total, 4))
        for value, n in ranked(counts)
    ]


def days_between(from_day: date, to_day: date) -> list[date]:
    return [from_day + timedelta(days=n) for n in range((to_day - from_day).days + 1)]


async def sum_by(
    collection: AsyncCollection, match: dict[str, Any], field: str, amount: Any
) -> Counter[str]:
    """Page views per value of `field`; documents without a value are left out."""
    pipeline = [
        {"$match": {"$and": [match, {field: {"$ne": None}}]}},
        {"$group": {"_id": f"${field}", "page_views": {"$sum": amount}}},
    ]
    cursor = await collection.aggregate(pipeline)
    return Counter({group["_id"]: group["page_views"] async for group in cursor})


class LinkedViews:
    """Linked page views per value of each counted fact, and the distinct visitors of each day."""

    def __init__(self) -> None:
        self.by_fact: dict[str, Counter[str]] = {field: Counter() for field in COUNTED_FIELDS}
        self._visitor_days: set[tuple[str, str]] = set()

    def add(self, visit: dict[str, Any]) -> None:
        for field in COUNTED_FIELDS:
            if visit[field] is not None:
                self.by_fact[field][visit[field]] += 1
        self._visitor_days.add((visit["day"], visit["visitor_id"]))

    def visitors_by_day(self) -> Counter[str]:
        return Counter(day for day, _ in self._visitor_days)


class Analytics:
    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._visits = db[VISITS]
        self._counters = db[COUNTERS]
        self._cipher = FieldCipher(keys, PERSONAL_FIELDS)

    async def _linked_views(self, match: dict[str, Any]) -> LinkedViews:
        linked = LinkedViews()
        wanted = {field: 1 for field in ("visitor_id", *COUNTED_FIELDS)}
        async for stored in self._visits.find({**match, **NOT_RESTRICTED}, projection=wanted):
            visit = await self._cipher.decrypt_unless_shredded(stored["visitor_id"], stored)
            if visit is not None:
                linked.add(visit)
        return linked

    async def _page_views_by(
        self, linked: LinkedViews, match: dict[str, Any], field: str
    ) -> Counter[str]:
        return linked.by_fact[field] + await sum_by(self._counters, match, field, "$page_views")

    async def report(self, from_day: date, to_day: date) -> AnalyticsReport:
        """Statistics for UTC days `from_day` to `to_day`, both included."""
        match = {"day": {"$gte": from_day.isoformat(), "$lte": to_day.isoformat()}}
        linked = await self._linked_views(match)
        visitors = linked.visitors_by_day()
        consenting_views = linked.by_fact["day"]
        anonymous_views = await sum_by(self._counters, match, "day", "$page_views")
        total = sum(consenting_views.values()) + sum(anonymous_views.values())
        device_types = await self._page_views_by(linked, match, "device_type")
        systems = await self._page_views_by(linked, match, "os")
        browsers = await self._page_views_by(linked, match, "browser")
        pages = await self._page_views_by(linked, match, "page")
        referrers = await self._page_views_by(linked, match, "referrer_host")
        return AnalyticsReport(
            from_day=from_day,
            to_day=to_day,
            total_page_views=total,
            days=[
                VisitorsOnDay(
                    day=day,
                    consenting_visitors=visitors[day.isoformat()],
                    consenting_page_views=consenting_views[day.isoformat()],
                    anonymous_page_views=anonymous_views[day.isoformat()],
                )
                for day in days_between(from_day, to_day)
            ],
            top_pages=[PageViewCount(value=v, page_views=n) for v, n in ranked(pages)[:TOP]],
            top_referrers=[
                PageViewCount(value=v, page_views=n) for v, n in ranked(referrers)[:TOP]
            ],
            device_types=shares(device_types, total),
            operating_systems=shares(systems, total),
            browsers=shares(browsers, total),
        )
