"""Aggregate visit statistics for staff: exact counts from linked visits and anonymous counters.

Only `$group` with `$sum` runs in the database (FerretDB v1); the two sources are
merged, ranked and turned into fractions here. Visits whose processing is restricted
(Art. 18) are kept but left out of every figure until the restriction is lifted.
"""

from collections import Counter
from datetime import date, timedelta
from typing import Any

from privacyhub.consent.visits import COUNTERS, VISITS
from privacyhub.shared.contracts.consent import (
    AnalyticsReport,
    PageViewCount,
    PageViewShare,
    VisitorsOnDay,
)
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


class Analytics:
    def __init__(self, db: AsyncDatabase) -> None:
        self._visits = db[VISITS]
        self._counters = db[COUNTERS]

    async def _page_views_by(self, match: dict[str, Any], field: str) -> Counter[str]:
        linked = await sum_by(self._visits, {**match, **NOT_RESTRICTED}, field, 1)
        anonymous = await sum_by(self._counters, match, field, "$page_views")
        return linked + anonymous

    async def _consenting_visitors_by_day(self, match: dict[str, Any]) -> Counter[str]:
        pipeline = [
            {"$match": {**match, **NOT_RESTRICTED}},
            {"$group": {"_id": {"day": "$day", "visitor_id": "$visitor_id"}, "n": {"$sum": 1}}},
            {"$group": {"_id": "$_id.day", "visitors": {"$sum": 1}}},
        ]
        cursor = await self._visits.aggregate(pipeline)
        return Counter({group["_id"]: group["visitors"] async for group in cursor})

    async def report(self, from_day: date, to_day: date) -> AnalyticsReport:
        """Statistics for UTC days `from_day` to `to_day`, both included."""
        match = {"day": {"$gte": from_day.isoformat(), "$lte": to_day.isoformat()}}
        visitors = await self._consenting_visitors_by_day(match)
        consenting_views = await sum_by(self._visits, {**match, **NOT_RESTRICTED}, "day", 1)
        anonymous_views = await sum_by(self._counters, match, "day", "$page_views")
        total = sum(consenting_views.values()) + sum(anonymous_views.values())
        device_types = await self._page_views_by(match, "device_type")
        systems = await self._page_views_by(match, "os")
        browsers = await self._page_views_by(match, "browser")
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
            top_pages=[
                PageViewCount(value=value, page_views=n)
                for value, n in ranked(await self._page_views_by(match, "page"))[:TOP]
            ],
            top_referrers=[
                PageViewCount(value=value, page_views=n)
                for value, n in ranked(await self._page_views_by(match, "referrer_host"))[:TOP]
            ],
            device_types=shares(device_types, total),
            operating_systems=shares(systems, total),
            browsers=shares(browsers, total),
        )
