"""The receipt a complainant gets (statement §8), in Dutch with English below; it never repeats their words."""

from datetime import datetime

from privacyhub.requests.mail import Notice
from privacyhub.requests.rights.notices import (
    PRIVACY_CONTACT,
    SUPERVISOR_WEBSITE,
    dutch_date,
    english_date,
)
from privacyhub.shared.contracts.complaints import ComplaintKind
from privacyhub.shared.deadlines import receipt_date

_WHAT = {
    ComplaintKind.COMPLAINT: ("je klacht", "your complaint"),
    ComplaintKind.SUSPECTED_BREACH: (
        "je melding van een mogelijk datalek",
        "your report of a possible data breach",
    ),
}
_NEXT = {
    ComplaintKind.COMPLAINT: (
        "Onze privacyfunctionaris behandelt je klacht en zoekt samen met jou naar een oplossing.",
        "Our privacy officer handles your complaint and looks for a solution together with you.",
    ),
    ComplaintKind.SUSPECTED_BREACH: (
        "We onderzoeken je melding meteen. Is er echt een datalek, dan beslissen we binnen "
        "72 uur of we het melden bij de Autoriteit Persoonsgegevens, en laten we je weten wat "
        "we doen.",
        "We look into your report straight away. If there really is a data breach, we decide "
        "within 72 hours whether to notify the Autoriteit Persoonsgegevens, and we let you know "
        "what we do.",
    ),
}


def complaint_receipt(reference: str, kind: ComplaintKind, received_at: datetime) -> Notice:
    received_on = receipt_date(received_at)
    nl_what, en_what = _WHAT[kind]
    nl_next, en_next = _NEXT[kind]
    dutch = (
        f"We hebben {nl_what} ontvangen op {dutch_date(received_on)}.\n"
        f"Kenmerk: {reference}\n\n{nl_next}\n\n"
        f"Noem het kenmerk als je ons hierover mailt via {PRIVACY_CONTACT}. Je hebt daarnaast "
        "altijd het recht om een klacht in te dienen bij de Autoriteit Persoonsgegevens "
        f"({SUPERVISOR_WEBSITE})."
    )
    english = (
        f"We received {en_what} on {english_date(received_on)}.\n"
        f"Reference: {reference}\n\n{en_next}\n\n"
        f"Please mention the reference when you write to us at {PRIVACY_CONTACT}. You also "
        "always have the right to lodge a complaint with the Dutch Data Protection Authority, "
        f"the Autoriteit Persoonsgegevens ({SUPERVISOR_WEBSITE})."
    )
    body = (
        f"Beste melder,\n\n{dutch}\n\nMet vriendelijke groet,\nJobport B.V.\n{PRIVACY_CONTACT}\n"
        "\n---------------- English ----------------\n\n"
        f"Dear reporter,\n\n{english}\n\nKind regards,\nJobport B.V.\n{PRIVACY_CONTACT}\n"
    )
    return Notice(
        subject=f"Je melding is ontvangen ({reference}) / Your report was received", body=body
    )
