"""What the gateway answers when an owning service refuses a step (a `refused` Reply), by its code.

The owner's reason is the English message; the Dutch is kept here, since visitors read some
of these. A refusal is a conflict with the state of the data (409), except a code a requester
typed wrong or too late (400), a wrong download code (403), a package deleted after its download
window (410), a partial refusal that names no owner or every owner (422), and the limits on
wrong codes and on asking for new ones (429).
A request locked after too many wrong codes stays locked: asking it for a new code answers the
same 429 as entering one.
"""

from typing import NamedTuple

from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_409_CONFLICT,
    HTTP_410_GONE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
)


class HttpRefusal(NamedTuple):
    status: int
    nl: str


# For a code an owner adds before the gateway knows it.
UNKNOWN = HttpRefusal(HTTP_409_CONFLICT, "Deze stap is in de huidige toestand niet mogelijk.")

REFUSALS: dict[str, HttpRefusal] = {
    # Any command sent again under the same idempotency key (an `Idempotency-Key` header).
    "already_carried_out": HttpRefusal(
        HTTP_409_CONFLICT,
        "Deze opdracht is al eerder uitgevoerd met dezelfde Idempotency-Key; bekijk het "
        "gegeven om de uitkomst te zien.",
    ),
    # Rights requests (requests service).
    "wrong_code": HttpRefusal(
        HTTP_400_BAD_REQUEST,
        "De code klopt niet. Controleer de e-mail en probeer het opnieuw.",
    ),
    "code_expired": HttpRefusal(
        HTTP_400_BAD_REQUEST,
        "De code is verlopen. Vraag bij je verzoek een nieuwe code aan.",
    ),
    "no_code_for_letters": HttpRefusal(
        HTTP_400_BAD_REQUEST,
        "Voor een verzoek per brief controleert onze privacyfunctionaris je identiteit.",
    ),
    "already_verified": HttpRefusal(
        HTTP_409_CONFLICT,
        "Je identiteit is al bevestigd; je hebt geen code meer nodig.",
    ),
    "resend_too_soon": HttpRefusal(
        HTTP_429_TOO_MANY_REQUESTS,
        "We hebben zojuist een code gestuurd. Kijk in je e-mail, ook bij de ongewenste e-mail, "
        "en vraag het over een tijdje opnieuw als hij niet aankomt.",
    ),
    "too_many_resends": HttpRefusal(
        HTTP_429_TOO_MANY_REQUESTS,
        "Voor dit verzoek kunnen we geen nieuwe codes meer sturen. Mail privacy@jobport.nl of "
        "dien een nieuw verzoek in.",
    ),
    "too_many_attempts": HttpRefusal(
        HTTP_429_TOO_MANY_REQUESTS,
        "Te veel verkeerde codes: dit verzoek is geblokkeerd. Mail privacy@jobport.nl of dien "
        "een nieuw verzoek in.",
    ),
    "not_verified": HttpRefusal(
        HTTP_409_CONFLICT, "De identiteit van de aanvrager is nog niet gecontroleerd."
    ),
    "already_extended": HttpRefusal(
        HTTP_409_CONFLICT, "De termijn van dit verzoek is al verlengd."
    ),
    "extension_too_late": HttpRefusal(
        HTTP_409_CONFLICT, "Verlengen kan alleen binnen de eerste maand na ontvangst."
    ),
    "not_ready": HttpRefusal(
        HTTP_409_CONFLICT,
        "Je gegevens staan nog niet klaar. Je krijgt een e-mail zodra ze klaar zijn.",
    ),
    "wrong_download_code": HttpRefusal(
        HTTP_403_FORBIDDEN,
        "Dat is niet de downloadcode van dit verzoek: die staat in de e-mail dat het verzoek is "
        "uitgevoerd.",
    ),
    "package_gone": HttpRefusal(
        HTTP_410_GONE,
        "De download van je gegevens is verwijderd: we bewaren hem 30 dagen, en kort na de "
        "eerste download. Dien een nieuw verzoek in om je gegevens opnieuw te krijgen.",
    ),
    "not_a_completed_restriction": HttpRefusal(
        HTTP_409_CONFLICT,
        "Alleen de beperking van een uitgevoerd verzoek om beperking kan worden opgeheven.",
    ),
    "not_escalated": HttpRefusal(
        HTTP_409_CONFLICT,
        "Alleen een geëscaleerd verzoek dat niet is afgesloten kan opnieuw worden verstuurd, "
        "aangepast of afgesloten.",
    ),
    "needs_amendment": HttpRefusal(
        HTTP_409_CONFLICT,
        "Er is niets naar de gegevenseigenaren verstuurd, dus niets om opnieuw te versturen: "
        "pas het verzoek aan of sluit het af.",
    ),
    "not_a_rectification": HttpRefusal(
        HTTP_409_CONFLICT,
        "Alleen de correcties van een verzoek om correctie kunnen worden aangepast.",
    ),
    "not_a_partial_refusal": HttpRefusal(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "refused_owners: een gedeeltelijke afwijzing noemt enkele, niet alle, "
        "gegevenseigenaren; een ander besluit noemt er geen.",
    ),
    # A rights request or a breach register entry.
    "already_decided": HttpRefusal(HTTP_409_CONFLICT, "Hierover is al een besluit vastgelegd."),
    # Complaints (requests service).
    "invalid_transition": HttpRefusal(
        HTTP_409_CONFLICT, "Deze stap is vanuit de huidige status van de klacht niet mogelijk."
    ),
    # Contact questions (contact service).
    "processing_restricted": HttpRefusal(
        HTTP_409_CONFLICT,
        "De verwerking van dit bericht is beperkt op verzoek van de betrokkene (AVG art. 18).",
    ),
    "processing_objected": HttpRefusal(
        HTTP_409_CONFLICT,
        "De betrokkene heeft bezwaar gemaakt tegen de verwerking van dit bericht (AVG art. 21).",
    ),
}


def refusal(code: str) -> HttpRefusal:
    return REFUSALS.get(code, UNKNOWN)
