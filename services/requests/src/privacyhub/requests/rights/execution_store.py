"""What carrying out a rights request leaves outside the request: the owners' exports and the package.

The request's own progress is kept by its store (requests_store/). Exported data waits in
`owner_exports` until the package is built, and the package is kept in chunks: both through their
stores (packages.py), which this one combines with the request's.

Everything personal here is encrypted under the subject's data key (shared/crypto.py): the
request's personal fields (requests_store/), each owner's exported categories and each chunk of
the package. The documents this returns are decrypted; a package whose key is gone is no more.
When an erasure has dropped the request's fields, it deletes the subject's packages and left-over
exports, and destroys the subject's data key too unless something here still needs it: a request
of the subject that keeps its personal fields (one still open, or one that was not closed when the
erasure completed), an export waiting for its package, or a complaint of the subject (kept two
years for the Autoriteit Persoonsgegevens, whatever the person asks; see complaints/workflow.py).
Then a backup of this database taken before the erasure cannot be read any more either.
"""

from datetime import datetime
from typing import Any

from privacyhub.requests.complaints.workflow import Complaints
from privacyhub.requests.rights.officer_alerts import AlertClaims
from privacyhub.requests.rights.packages import ExportPackages, OwnerExports
from privacyhub.requests.rights.requests_store import Expired, RightsRequests
from privacyhub.shared.contracts.subject import SubjectDataExported
from privacyhub.shared.crypto import SubjectKeys
from pymongo.asynchronous.database import AsyncDatabase


class Executions:
    """A request's exports and package, and what goes with the request when it or its person is erased."""

    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._requests = RightsRequests(db, keys)
        self._complaints = Complaints(db, keys)
        self._keys = keys
        self._exports = OwnerExports(db, keys)
        self._packages = ExportPackages(db, keys)
        self._alert_claims = AlertClaims(db)

    async def ensure_indexes(self) -> None:
        await self._exports.ensure_indexes()
        await self._packages.ensure_indexes()

    async def keep_export(
        self,
        request_id: str,
        *,
        subject_id: str,
        owner: str,
        export: SubjectDataExported,
    ) -> None:
        await self._exports.keep(request_id, subject_id=subject_id, owner=owner, export=export)

    async def export_of(
        self, request_id: str, owner: str, *, parts: int
    ) -> list[dict[str, Any]] | None:
        return await self._exports.of_owner(request_id, owner, parts=parts)

    async def exports(self, request_id: str) -> dict[str, list[dict[str, Any]]]:
        return await self._exports.of_request(request_id)

    async def store_package(
        self, request_id: str, *, subject_id: str, package: bytes, at: datetime
    ) -> None:
        """Keep the package once; the exports it was built from go then."""
        if await self.has_package(request_id):
            return
        await self._packages.store(request_id, subject_id=subject_id, package=package, at=at)
        await self._exports.drop(request_id)

    async def has_package(self, request_id: str) -> bool:
        return await self._packages.has(request_id)

    async def package_chunk(self, request_id: str, number: int) -> tuple[bytes, int] | None:
        return await self._packages.chunk(request_id, number)

    async def package_downloaded(self, request_id: str, *, at: datetime) -> None:
        await self._packages.downloaded(request_id, at=at)

    async def erase_expired_packages(
        self, *, kept_before: datetime, downloaded_before: datetime
    ) -> int:
        """Delete the packages kept since before `kept_before` or downloaded before
        `downloaded_before`: a copy of data its owners erase on their own schedule must not
        outlive the download it was made for. The number deleted."""
        subjects = await self._packages.erase_expired(
            kept_before=kept_before, downloaded_before=downloaded_before
        )
        for subject_id in sorted(set(subjects)):
            await self.destroy_key_when_unused(subject_id)
        return len(subjects)

    async def package(self, request_id: str) -> bytes | None:
        return await self._packages.package(request_id)

    async def forget_person(self, subject_id: str, *, at: datetime) -> None:
        """After an erasure: drop the personal fields of the subject's closed requests, their packages and exports.

        The subject's data key goes too when no request, export or complaint of the subject still
        holds data encrypted with it.
        """
        await self._requests.drop_personal_fields(subject_id, at=at)
        await self._packages.erase_of_subject(subject_id)
        carrying_out = await self._requests.carrying_out_of(subject_id)
        await self._exports.drop_of_subject(subject_id, except_for=carrying_out)
        await self.destroy_key_when_unused(subject_id)

    async def destroy_key_when_unused(self, subject_id: str) -> None:
        """Crypto-shred the subject unless a request, export or complaint still holds data under its key."""

        async def in_use() -> bool:
            return any(
                [
                    await self._requests.holds_personal_data(subject_id),
                    await self._exports.any_of_subject(subject_id),
                    await self._complaints.any_of_subject(subject_id),
                ]
            )

        await self._keys.destroy_when_unused(subject_id, in_use)

    async def erase_completed_before(self, cutoff: datetime, *, held: list[str]) -> tuple[int, int]:
        """Delete the requests completed or refused before `cutoff` with their leftovers, except
        the `held` subjects'.

        The whole record goes, receipts too: the proof is kept as long as the register says, then
        it goes as well. Each subject's data key goes when nothing here needs it any more. Returns
        how many requests went and how many a hold kept.
        """
        return await self._erase(await self._requests.completed_before(cutoff, held=held))

    async def erase_unverified_before(
        self, cutoff: datetime, *, held: list[str]
    ) -> tuple[int, int]:
        """Delete the web requests received before `cutoff` that nobody verified (awaiting their
        code, or locked after too many wrong ones), except the `held` subjects'; how many went and
        were kept."""
        return await self._erase(await self._requests.unverified_before(cutoff, held=held))

    async def _erase(self, expired: Expired) -> tuple[int, int]:
        """Delete the `expired` requests whole, with their packages, exports and alerts; then each
        subject's data key unless something still needs it. How many went and a hold kept."""
        erased, subjects = 0, set()
        for request_id, subject_id in expired.requests:
            await self._packages.erase(request_id)
            await self._exports.drop(request_id)
            await self._alert_claims.forget(request_id)
            erased += await self._requests.delete_expired(expired, request_id)
            subjects.add(subject_id)
        for subject_id in sorted(subjects):
            await self.destroy_key_when_unused(subject_id)
        return erased, expired.kept
