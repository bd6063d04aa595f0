"""The e-mails the privacy officer gets about a rights request, in Dutch with English below.

They are written from the request's id, status, owners and dates alone: the officer looks up the
requester and the details in the queue by the id, so no e-mail carries them.
"""

from datetime import date, datetime
from uuid import UUID

from privacyhub.requests.mail import Notice
from privacyhub.requests.rights.notices import dutch_date, english_date
from privacyhub.shared.contracts.rights import Status
from privacyhub.shared.deadlines import days_left

_STATUSES: dict[Status, tuple[str, str]] = {
    Status.AWAITING_VERIFICATION: ("wacht op controle van de identiteit", "awaiting verification"),
    Status.VERIFICATION_LOCKED: (
        "geblokkeerd na te veel verkeerde codes",
        "locked after too many wrong codes",
    ),
    Status.VERIFIED: ("identiteit gecontroleerd", "identity verified"),
}


def _due_line(due: date, now: datetime) -> tuple[str, str]:
    left = days_left(due, now)
    if left > 0:
        return (
            f"{dutch_date(due)} (nog {left} dagen)",
            f"{english_date(due)} ({left} days left)",
        )
    if left == 0:
        return f"{dutch_date(due)} (vandaag)", f"{english_date(due)} (today)"
    return (
        f"{dutch_date(due)} ({-left} dagen geleden verstreken)",
        f"{english_date(due)} (passed {-left} days ago)",
    )


def _to_officer(subject_nl: str, subject_en: str, dutch: str, english: str) -> Notice:
    body = (
        f"{dutch}\n\nZoek het verzoek met dit kenmerk op in de wachtrij voor privacyverzoeken.\n"
        "\n---------------- English ----------------\n\n"
        f"{english}\n\nLook the request up by this id in the rights-request queue.\n"
    )
    return Notice(subject=f"{subject_nl} / {subject_en}", body=body)


def escalation_notice(
    request_id: UUID, *, missing_owners: list[str], problem: str | None, due: date, now: datetime
) -> Notice:
    """An approved request is stuck: owners did not answer in time, or it names nothing to carry out."""
    nl_due, en_due = _due_line(due, now)
    nl_lines = [f"Privacyverzoek {request_id} is geëscaleerd.", ""]
    en_lines = [f"Rights request {request_id} was escalated.", ""]
    if missing_owners:
        nl_lines.append(f"Geen antwoord van: {', '.join(missing_owners)}")
        en_lines.append(f"No answer from: {', '.join(missing_owners)}")
    if problem:
        nl_lines.append(f"Kan niet worden uitgevoerd: {problem}")
        en_lines.append(f"Cannot be carried out: {problem}")
    nl_lines.append(f"Uiterste antwoorddatum: {nl_due}")
    en_lines.append(f"Due date: {en_due}")
    return _to_officer(
        f"Privacyverzoek {request_id} geëscaleerd",
        f"Rights request {request_id} escalated",
        "\n".join(nl_lines),
        "\n".join(en_lines),
    )


def due_soon_notice(request_id: UUID, *, status: Status, due: date, now: datetime) -> Notice:
    """A request without a decision whose due date is within 7 days, or already passed."""
    nl_due, en_due = _due_line(due, now)
    nl_status, en_status = _STATUSES[status]
    dutch = (
        f"Over privacyverzoek {request_id} is nog geen besluit genomen.\n\n"
        f"Status: {nl_status}\nUiterste antwoorddatum: {nl_due}\n\n"
        "Neem op tijd een besluit, of verleng de termijn met redenen zolang de eerste maand "
        "nog loopt."
    )
    english = (
        f"Rights request {request_id} has no decision yet.\n\n"
        f"Status: {en_status}\nDue date: {en_due}\n\n"
        "Decide in time, or extend the deadline with reasons while the first month still runs."
    )
    return _to_officer(
        f"Termijn van privacyverzoek {request_id}",
        f"Deadline of rights request {request_id}",
        dutch,
        english,
    )
