"""An access package copies data its owners erase on their own schedule, so it does not outlive
its download: it goes 30 days after the request was carried out, or a grace period after its
first full download, whichever comes first, and the completion e-mail says so."""

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from privacyhub.requests.rights.packages import PACKAGE_CHUNKS, PACKAGES
from privacyhub.requests.settings import RequestsSettings
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.clock import MovableClock
from tests.support.mailbox import Mailbox
from tests.support.people import Person
from tests.support.rights import (
    approve,
    completed,
    completion_mail,
    download,
    file_verified_request,
)
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("requests_service", "contact_service", "consent_service"),
]


async def carried_out_access(
    gateway: AsyncClient, mailbox: Mailbox
) -> tuple[Person, dict[str, Any]]:
    person = Person()
    accepted = await file_verified_request(gateway, mailbox, person, "access")
    await approve(gateway, accepted["request_id"])
    await completed(gateway, accepted)
    return person, accepted


async def deleted(requests_db: AsyncDatabase, request_id: str) -> bool:
    return (
        await requests_db[PACKAGES].find_one({"_id": request_id}) is None
        and await requests_db[PACKAGE_CHUNKS].count_documents({"request_id": request_id}) == 0
    )


async def assert_gone(
    gateway: AsyncClient, mailbox: Mailbox, person: Person, accepted: dict[str, Any]
) -> None:
    response = await download(gateway, mailbox, person, accepted)
    assert response.status_code == 410, response.text
    assert response.json()["code"] == "package_gone"


async def test_a_package_goes_a_grace_period_after_its_first_full_download(
    gateway: AsyncClient,
    mailbox: Mailbox,
    requests_db: AsyncDatabase,
    requests_clock: MovableClock,
    requests_settings: RequestsSettings,
) -> None:
    person, accepted = await carried_out_access(gateway, mailbox)
    mail = await completion_mail(mailbox, person)
    days, grace = (
        requests_settings.package_download_days,
        requests_settings.package_download_grace_minutes,
    )
    assert f"Download het binnen {days} dagen" in mail and f"{grace} minuten" in mail
    assert f"Download it within {days} days" in mail and f"{grace} minutes after" in mail

    first = await download(gateway, mailbox, person, accepted)
    assert first.status_code == 200, first.text
    with requests_clock.moved_forward(timedelta(minutes=grace - 1)):
        again = await download(
            gateway, mailbox, person, accepted
        )  # an interrupted download is tried again
        assert again.status_code == 200 and again.content == first.content
    with requests_clock.moved_forward(timedelta(minutes=grace + 1)):
        await eventually(
            lambda: deleted(requests_db, accepted["request_id"]), what="the package deleted"
        )
    await assert_gone(gateway, mailbox, person, accepted)


async def test_a_package_never_downloaded_goes_after_its_window(
    gateway: AsyncClient,
    mailbox: Mailbox,
    requests_db: AsyncDatabase,
    requests_clock: MovableClock,
    requests_settings: RequestsSettings,
) -> None:
    person, accepted = await carried_out_access(gateway, mailbox)
    window = timedelta(days=requests_settings.package_download_days)
    with requests_clock.moved_forward(window + timedelta(minutes=1)):
        await eventually(
            lambda: deleted(requests_db, accepted["request_id"]), what="the package deleted"
        )
    await assert_gone(gateway, mailbox, person, accepted)
