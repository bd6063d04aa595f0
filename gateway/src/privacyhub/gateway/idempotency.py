"""The `Idempotency-Key` request header of the staff command endpoints (IETF httpapi
idempotency-key draft): the same key from the same staff member for the same action is
carried out once.

The gateway stores nothing, so the key is not remembered here: it becomes the command's id, a
uuid5 of the staff id, the method and path (the action and what it is on) and the key. The
command travels under that id as its event id, the owner's idempotency key, and as the step's
own id (`action_id`, `command_id`), so the owner takes it once (shared/queries.py). A repeat
is refused by the owner as `already_carried_out` and answered 409 with that code
(refusals.py): the first request's outcome is not kept, as it may hold personal data; read
the record to see it. Without the header every request is a new command, as before.
"""

from typing import Annotated
from uuid import UUID, uuid4, uuid5

from litestar import Request
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter
from privacyhub.gateway.errors import error_responses
from privacyhub.gateway.guards import authenticate

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
COMMAND_IDS = UUID("6f1f3c2e-8d0a-5b7e-9c41-2a7d0e5b9f13")
"""The uuid5 namespace of command ids made from idempotency keys; changing it forgets every key."""

IDEMPOTENCY_KEY_DESCRIPTION = (
    "Optional: a unique value you choose per action, such as a UUID, to send the same action "
    "again safely (after a timeout or a lost answer). The same key from the same staff member "
    "for the same method and path is carried out once; a repeat is answered 409 with code "
    "`already_carried_out`, whatever the first answer was: read the record to see its outcome. "
    "Use a new key for a new action."
)
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name=IDEMPOTENCY_KEY_HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        description=IDEMPOTENCY_KEY_DESCRIPTION,
    ),
]
ALREADY_CARRIED_OUT_DESCRIPTION = (
    f"With code `already_carried_out`: a command with this `{IDEMPOTENCY_KEY_HEADER}` was "
    "carried out before."
)


def command_error_responses(descriptions: dict[int, str]) -> dict[int, ResponseSpec]:
    """The error answers of a staff command endpoint: `descriptions`, its 409 also naming a
    repeated `Idempotency-Key`."""
    conflict = " ".join(filter(None, (descriptions.get(409), ALREADY_CARRIED_OUT_DESCRIPTION)))
    return error_responses({**descriptions, 409: conflict})


def command_id(staff_id: str, action: str, idempotency_key: str | None) -> UUID:
    """The id a staff command travels under: made from the key where one is given (the same
    staff member, action and key give the same id), otherwise a new one."""
    if idempotency_key is None:
        return uuid4()
    # The draft sends the key as a structured-header string, in quotes; bare keys are taken as they are.
    key = idempotency_key.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    return uuid5(COMMAND_IDS, "\n".join((staff_id, action, key)))


async def provide_command_id(request: Request, idempotency_key: IdempotencyKey = None) -> UUID:
    """Dependency for staff command endpoints: the id of the command this request sends."""
    staff = authenticate(request)
    return command_id(staff.staff_id, f"{request.method} {request.url.path}", idempotency_key)
