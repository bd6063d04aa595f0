"""What an access or portability request gathers at rest: each owner's export until the package is
built (`owner_exports`), then the package in chunks (`export_packages`, `export_package_chunks`:
GridFS is not available on FerretDB v1, and a document holds at most 16 MB).

Exports and chunks are encrypted under the subject's data key (shared/crypto.py); what these
stores return is decrypted, and a package or export whose key is gone is no more.
"""

from datetime import datetime
from typing import Any

from privacyhub.shared.contracts.subject import SubjectDataExported
from privacyhub.shared.crypto import FieldCipher, SubjectKeys
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

OWNER_EXPORTS = "owner_exports"
PACKAGES = "export_packages"
PACKAGE_CHUNKS = "export_package_chunks"
# One chunk is one reply to the gateway: base64 in the reply, sealed, it stays well under 1 MiB.
CHUNK_BYTES = 256 * 1024
EXPORT_FIELDS = ("categories",)
CHUNK_FIELDS = ("data",)


class OwnerExports:
    """Each owner's export of a request, in parts, until the package is built."""

    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._collection = db[OWNER_EXPORTS]
        self._cipher = FieldCipher(keys, EXPORT_FIELDS)

    async def ensure_indexes(self) -> None:
        await self._collection.create_index("request_id")
        await self._collection.create_index("subject_id")

    async def keep(
        self,
        request_id: str,
        *,
        subject_id: str,
        owner: str,
        export: SubjectDataExported,
    ) -> None:
        """Keep one part of `owner`'s export, encrypted, until the package is built; the first copy stays."""
        export_id = f"{request_id}:{owner}:{export.part}"

        async def insert_once(sealed: dict[str, Any]) -> None:
            await self._collection.update_one(
                {"_id": export_id},
                {
                    "$setOnInsert": {
                        "request_id": request_id,
                        "subject_id": subject_id,
                        "owner": owner,
                        "part": export.part,
                        "parts": export.parts,
                        **sealed,
                    }
                },
                upsert=True,
            )

        await self._cipher.store(
            subject_id,
            {"categories": [part.model_dump(mode="json") for part in export.categories]},
            write=insert_once,
            collection=self._collection,
            selection={"_id": export_id},
        )

    async def of_owner(
        self, request_id: str, owner: str, *, parts: int
    ) -> list[dict[str, Any]] | None:
        """`owner`'s exported categories once all `parts` of its export are kept, else None."""
        selection = {"request_id": request_id, "owner": owner}
        if await self._collection.count_documents(selection) < parts:
            return None
        return (await self.of_request(request_id)).get(owner, [])

    async def of_request(self, request_id: str) -> dict[str, list[dict[str, Any]]]:
        """Each owner's exported categories, decrypted, its parts joined in order; an export
        whose key is gone was erased."""
        exported: dict[str, list[dict[str, Any]]] = {}
        cursor = self._collection.find({"request_id": request_id}).sort("part", ASCENDING)
        async for document in cursor:
            opened = await self._cipher.decrypt_unless_shredded(document["subject_id"], document)
            if opened is not None:
                joined(exported.setdefault(document["owner"], []), opened["categories"])
        return exported

    async def drop(self, request_id: str) -> None:
        await self._collection.delete_many({"request_id": request_id})

    async def drop_of_subject(self, subject_id: str, *, except_for: list[str]) -> None:
        """Delete the subject's exports, but those of the requests `except_for`."""
        await self._collection.delete_many(
            {"subject_id": subject_id, "request_id": {"$nin": except_for}}
        )

    async def any_of_subject(self, subject_id: str) -> bool:
        return await self._collection.find_one({"subject_id": subject_id}, {"_id": 1}) is not None


class ExportPackages:
    """The package of a request, by request id, kept in chunks."""

    def __init__(self, db: AsyncDatabase, keys: SubjectKeys) -> None:
        self._packages = db[PACKAGES]
        self._chunks = db[PACKAGE_CHUNKS]
        self._cipher = FieldCipher(keys, CHUNK_FIELDS)

    async def ensure_indexes(self) -> None:
        await self._chunks.create_index("request_id")
        await self._packages.create_index("subject_id")

    async def store(
        self, request_id: str, *, subject_id: str, package: bytes, at: datetime
    ) -> None:
        """Keep the package, each chunk encrypted; chunks are written before the document that makes it visible."""
        chunks = [package[i : i + CHUNK_BYTES] for i in range(0, len(package), CHUNK_BYTES)]
        for number, chunk in enumerate(chunks):
            chunk_id = f"{request_id}:{number}"

            async def replace(sealed: dict[str, Any], chunk_id: str = chunk_id) -> None:
                await self._chunks.replace_one({"_id": chunk_id}, sealed, upsert=True)

            await self._cipher.store(
                subject_id,
                {"request_id": request_id, "number": number, "data": chunk},
                write=replace,
                collection=self._chunks,
                selection={"_id": chunk_id},
            )
        await self._packages.replace_one(
            {"_id": request_id},
            {"subject_id": subject_id, "chunks": len(chunks), "size": len(package), "kept_at": at},
            upsert=True,
        )

    async def has(self, request_id: str) -> bool:
        return await self._packages.find_one({"_id": request_id}, projection={"_id": 1}) is not None

    async def chunk(self, request_id: str, number: int) -> tuple[bytes, int] | None:
        """Chunk `number` of the package, decrypted, and how many chunks it has; None when there
        is no such chunk, or the package was erased (its key is gone)."""
        stored = await self._packages.find_one({"_id": request_id})
        if stored is None or number >= stored["chunks"]:
            return None
        chunk = await self._chunks.find_one({"_id": f"{request_id}:{number}"})
        if chunk is None:
            return None
        opened = await self._cipher.decrypt_unless_shredded(stored["subject_id"], chunk)
        return None if opened is None else (opened["data"], stored["chunks"])

    async def downloaded(self, request_id: str, *, at: datetime) -> None:
        """Note the first time the whole package went out; it goes a grace period later."""
        await self._packages.update_one(
            {"_id": request_id, "downloaded_at": {"$exists": False}},
            {"$set": {"downloaded_at": at}},
        )

    async def erase_expired(
        self, *, kept_before: datetime, downloaded_before: datetime
    ) -> list[str]:
        """Delete the packages kept since before `kept_before` or downloaded before
        `downloaded_before`; the subjects whose packages went, one per package."""
        expired = {
            "$or": [
                {"kept_at": {"$lt": kept_before}},
                {"downloaded_at": {"$lt": downloaded_before}},
            ]
        }
        packages = await self._packages.find(expired, projection={"subject_id": 1}).to_list()
        for package in packages:
            await self.erase(package["_id"])
        return [package["subject_id"] for package in packages]

    async def erase_of_subject(self, subject_id: str) -> None:
        # Read first, then delete: no cursor stays open over the documents being deleted.
        packages = await self._packages.find(
            {"subject_id": subject_id}, projection={"_id": 1}
        ).to_list()
        for package in packages:
            await self.erase(package["_id"])

    async def erase(self, request_id: str) -> None:
        await self._chunks.delete_many({"request_id": request_id})
        await self._packages.delete_one({"_id": request_id})

    async def package(self, request_id: str) -> bytes | None:
        """The package, decrypted; None when there is none, or it was erased (its key is gone)."""
        stored = await self._packages.find_one({"_id": request_id})
        if stored is None:
            return None
        cursor = self._chunks.find({"request_id": request_id}).sort("number", ASCENDING)
        parts = []
        async for chunk in cursor:
            opened = await self._cipher.decrypt_unless_shredded(stored["subject_id"], chunk)
            if opened is None:
                return None
            parts.append(opened["data"])
        return b"".join(parts) if len(parts) == stored["chunks"] else None


def joined(categories: list[dict[str, Any]], part: list[dict[str, Any]]) -> None:
    """Add a part of an export to the categories before it: a category continued from the last
    part gets its further records."""
    for category in part:
        if categories and categories[-1]["category"] == category["category"]:
            categories[-1]["records"].extend(category["records"])
        else:
            categories.append(category)
