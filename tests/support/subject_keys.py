"""Key stores that let a test step into an erasure at the moment a race would."""

from collections.abc import Awaitable, Callable

from privacyhub.shared.crypto import Keyring, SubjectKeys
from pymongo.asynchronous.database import AsyncDatabase


class LettingAWriteIn(SubjectKeys):
    """An erasing copy's key store: right after the erasure first looked for the subject's data
    and found none, a write lands (`land`), made by another copy with the key it holds."""

    def __init__(
        self, db: AsyncDatabase, keyring: Keyring, land: Callable[[], Awaitable[object]]
    ) -> None:
        super().__init__(db, keyring)
        self._land = land
        self.looks = 0

    async def destroy_when_unused(
        self, subject_id: str, in_use: Callable[[], Awaitable[bool]]
    ) -> bool:
        async def look_then_let_a_write_in() -> bool:
            found = await in_use()
            self.looks += 1
            if self.looks == 1:
                await self._land()
            return found

        return await super().destroy_when_unused(subject_id, look_then_let_a_write_in)
