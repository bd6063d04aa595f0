"""Recording page views: a form reduced to a PageViewed event on Kafka."""

from collections.abc import Iterable

from litestar.exceptions import ValidationException
from privacyhub.gateway.lean_intake import RequestHeaders
from privacyhub.gateway.publishing import EventPublisher
from privacyhub.gateway.visitors.schemas import PageViewAccepted, PageViewForm, page_address
from privacyhub.gateway.visitors.user_agents import device_facts
from privacyhub.shared.contracts.consent import PAGE_VIEWED, PageViewed
from privacyhub.shared.envelope import Envelope, utc_now
from privacyhub.shared.topics import PAGE_VIEWS

PageViewEnvelope = Envelope[PageViewed]


def opted_out(sec_gpc: str | None) -> bool:
    """A `Sec-GPC: 1` header: the browser's Global Privacy Control is on."""
    return (sec_gpc or "").strip() == "1"


class PageViews:
    """Publishes each page view and says its event id once Kafka holds it."""

    def __init__(self, publisher: EventPublisher, *, site_hosts: Iterable[str]) -> None:
        self._publisher = publisher
        self._site_hosts = frozenset(host.lower() for host in site_hosts)

    async def record(self, form: PageViewForm, headers: RequestHeaders) -> PageViewAccepted:
        """The user agent (the form's, else the request's) is reduced to device type, OS and
        browser, query strings are cut from the addresses, and the IP address is never read.
        Only pages of the website's own hosts are counted: any caller could otherwise make a
        counter for every host it likes."""
        if (form.url.host or "").lower() not in self._site_hosts:
            raise ValidationException(
                "not a page of this website",
                extra=[{"key": "url", "message": "is not a page of this website"}],
            )
        device = device_facts(form.user_agent or headers.user_agent)
        view = PageViewed(
            visitor_id=form.visitor_id,
            url=page_address(form.url),
            referrer=page_address(form.referrer) if form.referrer else None,
            device_type=device.device_type,
            os=device.os,
            browser=device.browser,
            occurred_at=form.occurred_at or utc_now(),
            global_privacy_control=opted_out(headers.global_privacy_control),
        )
        envelope = PageViewEnvelope(type=PAGE_VIEWED, subject_id=view.visitor_id, payload=view)
        await self._publisher.publish(envelope, PAGE_VIEWS)
        return PageViewAccepted(page_view_id=str(envelope.event_id))
