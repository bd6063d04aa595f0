"""The e-mails a requester gets at each step, in Dutch with English below (statement §7)."""

from datetime import date
from typing import Any
from uuid import UUID

from privacyhub.requests.mail import Notice
from privacyhub.shared.contracts.rights import Channel, DecisionOutcome, RightType

PRIVACY_CONTACT = "privacy@jobport.nl"
SUPERVISOR_WEBSITE = "autoriteitpersoonsgegevens.nl"

RIGHT_NAMES: dict[RightType, tuple[str, str]] = {
    RightType.ACCESS: ("inzage in je gegevens", "access to your data"),
    RightType.RECTIFICATION: ("correctie van je gegevens", "rectification of your data"),
    RightType.ERASURE: ("verwijdering van je gegevens", "erasure of your data"),
    RightType.RESTRICTION: (
        "beperking van het gebruik van je gegevens",
        "restriction of the processing of your data",
    ),
    RightType.PORTABILITY: ("overdracht van je gegevens", "portability of your data"),
    RightType.OBJECTION: ("bezwaar tegen het gebruik van je gegevens", "objection to processing"),
    RightType.WITHDRAW_CONSENT: ("intrekking van je toestemming", "withdrawal of your consent"),
}

_DUTCH_MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()
_ENGLISH_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def dutch_date(day: date) -> str:
    return f"{day.day} {_DUTCH_MONTHS[day.month - 1]} {day.year}"


def english_date(day: date) -> str:
    return f"{day.day} {_ENGLISH_MONTHS[day.month - 1]} {day.year}"


def _bilingual(subject_nl: str, subject_en: str, dutch: str, english: str) -> Notice:
    body = (
        f"Beste aanvrager,\n\n{dutch}\n\nMet vriendelijke groet,\nJobport B.V.\n{PRIVACY_CONTACT}\n"
        "\n---------------- English ----------------\n\n"
        f"Dear requester,\n\n{english}\n\nKind regards,\nJobport B.V.\n{PRIVACY_CONTACT}\n"
    )
    return Notice(subject=f"{subject_nl} / {subject_en}", body=body)


def received_notice(
    request_id: UUID, right: RightType, channel: Channel, received_on: date, due: date
) -> Notice:
    nl_right, en_right = RIGHT_NAMES[right]
    if channel is Channel.LETTER:
        nl_check = (
            "Voordat we je verzoek behandelen, controleert onze privacyfunctionaris of het echt "
            "van jou komt. Mogelijk nemen we daarvoor contact met je op."
        )
        en_check = (
            "Before we handle your request, our privacy officer checks that it really comes "
            "from you. We may contact you for that."
        )
    else:
        nl_check = (
            "Voordat we je verzoek behandelen, controleren we of het echt van jou komt. "
            "Je krijgt daarvoor een aparte e-mail met een code."
        )
        en_check = (
            "Before we handle your request, we check that it really comes from you. "
            "You will get a separate e-mail with a code for that."
        )
    dutch = (
        f"We hebben je verzoek om {nl_right} ontvangen op {dutch_date(received_on)}.\n"
        f"Kenmerk: {request_id}\n\n{nl_check}\n\n"
        f"Je krijgt uiterlijk op {dutch_date(due)} een reactie van ons.\n\n"
        "Heb je dit verzoek niet gedaan? Dan hoef je niets te doen: zonder controle behandelen "
        f"we het niet. Vragen kun je mailen naar {PRIVACY_CONTACT}."
    )
    english = (
        f"We received your request for {en_right} on {english_date(received_on)}.\n"
        f"Reference: {request_id}\n\n{en_check}\n\n"
        f"You will hear from us by {english_date(due)} at the latest.\n\n"
        "Did you not make this request? Then you need not do anything: we do not handle it "
        f"without the check. Questions can be sent to {PRIVACY_CONTACT}."
    )
    return _bilingual(
        "Je privacyverzoek is ontvangen", "Your privacy request was received", dutch, english
    )


def code_notice(
    request_id: UUID,
    code: str,
    *,
    lifetime_minutes: int,
    max_attempts: int,
    replaces_earlier: bool = False,
    new_email: bool = False,
) -> Notice:
    """The code e-mail; a code the requester asked for again says the earlier ones stopped working.
    To the `new_email` address of a rectification it asks to confirm that address, and says no more."""
    nl_replaces = (
        "Dit is een nieuwe code: eerder gestuurde codes werken niet meer, en verkeerde pogingen "
        "met die codes tellen mee.\n\n"
        if replaces_earlier
        else ""
    )
    en_replaces = (
        "This is a new code: codes sent earlier no longer work, and wrong tries with them "
        "count.\n\n"
        if replaces_earlier
        else ""
    )
    if new_email:
        return _new_email_code_notice(
            request_id,
            code,
            lifetime_minutes=lifetime_minutes,
            max_attempts=max_attempts,
            nl_replaces=nl_replaces,
            en_replaces=en_replaces,
        )
    dutch = (
        f"Met deze code bevestig je dat privacyverzoek {request_id} van jou komt:\n\n"
        f"    {code}\n\n{nl_replaces}"
        f"De code is {lifetime_minutes} minuten geldig. Vul hem in bij je verzoek op de website "
        f"van Jobport. Na {max_attempts} verkeerde pogingen blokkeren we het verzoek. "
        "Deel de code met niemand; wij vragen er nooit om."
    )
    english = (
        f"With this code you confirm that privacy request {request_id} comes from you:\n\n"
        f"    {code}\n\n{en_replaces}"
        f"The code is valid for {lifetime_minutes} minutes. Enter it with your request on "
        f"Jobport's website. After {max_attempts} wrong tries we lock the request. "
        "Share the code with no one; we never ask for it."
    )
    if replaces_earlier:
        return _bilingual("Je nieuwe verificatiecode", "Your new verification code", dutch, english)
    return _bilingual("Je verificatiecode", "Your verification code", dutch, english)


def _new_email_code_notice(
    request_id: UUID,
    code: str,
    *,
    lifetime_minutes: int,
    max_attempts: int,
    nl_replaces: str,
    en_replaces: str,
) -> Notice:
    """Only the code: until it is entered the address is nobody's, so it gets nothing else."""
    dutch = (
        f"Met deze code bevestig je dat dit e-mailadres van jou is, zodat we het volgens "
        f"privacyverzoek {request_id} als je nieuwe e-mailadres vastleggen:\n\n"
        f"    {code}\n\n{nl_replaces}"
        f"De code is {lifetime_minutes} minuten geldig. Vul hem in bij je verzoek op de website "
        f"van Jobport. Na {max_attempts} verkeerde pogingen nemen we geen code meer aan. Heb je "
        "hier niet om gevraagd? Negeer deze e-mail dan: zonder de code gebruiken we dit adres niet."
    )
    english = (
        f"With this code you confirm that this e-mail address is yours, so that we record it as "
        f"your new e-mail address as privacy request {request_id} asks:\n\n"
        f"    {code}\n\n{en_replaces}"
        f"The code is valid for {lifetime_minutes} minutes. Enter it with your request on "
        f"Jobport's website. After {max_attempts} wrong tries we take no more codes. Did you not "
        "ask for this? Then ignore this e-mail: without the code we do not use this address."
    )
    return _bilingual(
        "Bevestig je nieuwe e-mailadres", "Confirm your new e-mail address", dutch, english
    )


def verified_notice(request_id: UUID, right: RightType, due: date) -> Notice:
    nl_right, en_right = RIGHT_NAMES[right]
    dutch = (
        f"Je identiteit is bevestigd. We behandelen nu je verzoek om {nl_right} "
        f"(kenmerk {request_id}) en reageren uiterlijk op {dutch_date(due)}."
    )
    english = (
        f"Your identity is confirmed. We are now handling your request for {en_right} "
        f"(reference {request_id}) and will answer by {english_date(due)} at the latest."
    )
    return _bilingual("Je verzoek is bevestigd", "Your request is confirmed", dutch, english)


def extended_notice(
    request_id: UUID, right: RightType, *, months: int, reasons: str, due: date
) -> Notice:
    nl_right, en_right = RIGHT_NAMES[right]
    nl_months = "1 maand" if months == 1 else f"{months} maanden"
    en_months = "1 month" if months == 1 else f"{months} months"
    dutch = (
        f"We hebben meer tijd nodig voor je verzoek om {nl_right} (kenmerk {request_id}). "
        f"De wet staat toe dat we de termijn verlengen; we doen dat met {nl_months}. "
        f"Je krijgt uiterlijk op {dutch_date(due)} een reactie.\n\nWaarom:\n{reasons}"
    )
    english = (
        f"We need more time for your request for {en_right} (reference {request_id}). "
        f"The law allows us to extend the period; we extend it by {en_months}. "
        f"You will hear from us by {english_date(due)} at the latest.\n\nWhy:\n{reasons}"
    )
    return _bilingual(
        "We hebben meer tijd nodig", "We need more time for your request", dutch, english
    )


_COMPLAINT_NL = (
    "Ben je het hier niet mee eens? Dan kun je een klacht indienen bij de Autoriteit "
    f"Persoonsgegevens ({SUPERVISOR_WEBSITE}) en naar de rechter stappen. Je mag ons ook "
    f"eerst mailen via {PRIVACY_CONTACT}."
)
_COMPLAINT_EN = (
    "Do you disagree? You have the right to lodge a complaint with the Dutch Data Protection "
    f"Authority, the Autoriteit Persoonsgegevens ({SUPERVISOR_WEBSITE}), and to go to court. "
    f"You may also write to us first at {PRIVACY_CONTACT}."
)

_OUTCOMES: dict[DecisionOutcome, tuple[str, str, str, str]] = {
    DecisionOutcome.APPROVE: (
        "toegewezen",
        "We voeren het nu uit en laten je weten wanneer het klaar is.",
        "granted",
        "We are carrying it out now and will let you know when it is done.",
    ),
    DecisionOutcome.REFUSE: (
        "afgewezen",
        _COMPLAINT_NL,
        "refused",
        _COMPLAINT_EN,
    ),
    DecisionOutcome.PARTIALLY_REFUSE: (
        "gedeeltelijk afgewezen",
        "Het deel dat we toewijzen voeren we uit; we laten je weten wanneer het klaar is.\n\n"
        + _COMPLAINT_NL,
        "partly refused",
        "We are carrying out the part we grant and will let you know when it is done.\n\n"
        + _COMPLAINT_EN,
    ),
}


# What each registered data owner holds, as the requester reads it.
OWNER_NAMES: dict[str, tuple[str, str]] = {
    "contact": ("je contactberichten bij Jobport", "your contact messages at Jobport"),
    "consent": (
        "je cookiekeuzes en websitebezoeken bij Jobport",
        "your cookie choices and website visits at Jobport",
    ),
    "support_partner": (
        "je contactberichten bij onze supportpartner",
        "your contact messages at our support partner",
    ),
}


def owner_names(owner: str) -> tuple[str, str]:
    return OWNER_NAMES.get(owner, (owner, owner))


def _refused_parts(refused_owners: list[str]) -> tuple[str, str]:
    """The lines naming what a partial refusal leaves out, Dutch and English."""
    names = [owner_names(owner) for owner in refused_owners]
    return (
        "Niet toegewezen:\n" + "\n".join(f"- {nl}" for nl, _ in names),
        "Not granted:\n" + "\n".join(f"- {en}" for _, en in names),
    )


def _closed_parts(closure: dict[str, Any]) -> tuple[str, str]:
    """What a request closed by the privacy officer left undone, and why, Dutch and English."""
    names = [owner_names(owner) for owner in closure["missing_owners"]]
    nl_missing = "".join(f"\n- {nl}" for nl, _ in names)
    en_missing = "".join(f"\n- {en}" for _, en in names)
    return (
        f"Niet uitgevoerd:{nl_missing or ' -'}\n\nOnze uitleg:\n{closure['reasons']}\n\n"
        + _COMPLAINT_NL,
        f"Not carried out:{en_missing or ' -'}\n\nOur explanation:\n{closure['reasons']}\n\n"
        + _COMPLAINT_EN,
    )


def decided_notice(
    request_id: UUID,
    right: RightType,
    outcome: DecisionOutcome,
    reasons: str,
    *,
    refused_owners: list[str],
) -> Notice:
    nl_right, en_right = RIGHT_NAMES[right]
    nl_outcome, nl_next, en_outcome, en_next = _OUTCOMES[outcome]
    if refused_owners:
        nl_refused, en_refused = _refused_parts(refused_owners)
        nl_next = f"{nl_refused}\n\n{nl_next}"
        en_next = f"{en_refused}\n\n{en_next}"
    dutch = (
        f"We hebben je verzoek om {nl_right} (kenmerk {request_id}) {nl_outcome}.\n\n"
        f"Onze uitleg:\n{reasons}\n\n{nl_next}"
    )
    english = (
        f"We have {en_outcome} your request for {en_right} (reference {request_id}).\n\n"
        f"Our explanation:\n{reasons}\n\n{en_next}"
    )
    return _bilingual(
        "Besluit over je privacyverzoek", "Decision on your privacy request", dutch, english
    )


_ACTIONS: dict[str, tuple[str, str]] = {
    "erased": ("verwijderd", "erased"),
    "exported": ("in je pakket opgenomen", "included in your package"),
    "rectified": ("gecorrigeerd", "corrected"),
    "restricted": ("afgeschermd", "restricted"),
    "restriction_lifted": ("afscherming opgeheven", "restriction lifted"),
    "objected": (
        "niet meer gebruikt op grond van gerechtvaardigd belang",
        "no longer processed on legitimate interest",
    ),
    "consents_withdrawn": ("toestemming ingetrokken", "consent withdrawn"),
}

_DONE: dict[RightType, tuple[str, str]] = {
    RightType.ACCESS: (
        "Je gegevens staan klaar als ZIP-bestand: gebruik bij je verzoek op de website de "
        "downloadlink met je toegangscode. Het bevat alle gegevens als JSON en een leesbaar "
        "overzicht (HTML).",
        "Your data is ready as a ZIP file: download it with your request on the website, using "
        "your access token. It holds all data as JSON and a readable summary (HTML).",
    ),
    RightType.PORTABILITY: (
        "Je gegevens staan klaar als ZIP-bestand (JSON) om mee te nemen: gebruik bij je verzoek op "
        "de website de downloadlink met je toegangscode. Het bevat de gegevens die we op grond van "
        "je toestemming of een overeenkomst verwerken.",
        "Your data is ready to take along as a ZIP file (JSON): download it with your request on "
        "the website, using your access token. It holds the data we process under your consent "
        "or a contract.",
    ),
    RightType.ERASURE: (
        "We hebben je gegevens verwijderd bij elk onderdeel dat ze bewaarde. Van dit verzoek "
        "bewaren we als bewijs alleen een versleutelde verwijzing, het soort verzoek, de data, het "
        "besluit en de ontvangstbewijzen hieronder; je e-mailadres en naam verwijderen we direct "
        "na deze e-mail.",
        "We have erased your data from every part that held it. Of this request we keep as proof "
        "only a pseudonymous reference, the kind of request, the dates, the decision and the "
        "receipts below; your e-mail address and name are removed right after this e-mail.",
    ),
    RightType.RECTIFICATION: (
        "We hebben de gegevens die je noemde overal gecorrigeerd.",
        "We have corrected the data you named everywhere.",
    ),
    RightType.RESTRICTION: (
        "We bewaren je gegevens, maar gebruiken ze niet meer totdat de beperking wordt opgeheven. "
        "Ze zijn zichtbaar gemarkeerd.",
        "We keep your data but no longer use it until the restriction is lifted. It is visibly "
        "flagged.",
    ),
    RightType.OBJECTION: (
        "We gebruiken je gegevens niet meer op grond van ons gerechtvaardigd belang.",
        "We no longer process your data on the ground of our legitimate interest.",
    ),
    RightType.WITHDRAW_CONSENT: (
        "We hebben al je toestemmingen ingetrokken en je bezoekgegevens verwijderd, behalve wat "
        "we nodig hebben voor een doel waarvoor geen toestemming nodig is (anonieme tellingen).",
        "We have withdrawn all your consents and erased your visit data, except what a purpose "
        "that needs no consent requires (anonymous counts).",
    ),
}


# Art. 17(3)(b) and (e): what a legal retention duty or a legal claim needs stays, for that purpose only.
_KEPT_UNDER_HOLD = (
    "Een deel van je gegevens moeten we nog bewaren omdat de wet dat verplicht of voor een "
    "rechtszaak (hieronder staat waarom). We gebruiken het alleen daarvoor en verwijderen het "
    "zodra die bewaarplicht afloopt.",
    "Part of your data we must still keep because the law requires it or for a legal claim (the "
    "reason is below). We use it for that purpose only and erase it as soon as that duty ends.",
)


def completed_notice(
    request_id: UUID,
    right: RightType,
    receipts: list[dict],
    *,
    refused_owners: list[str],
    closure: dict[str, Any] | None,
    download_code: str | None,
    download_days: int,
    grace_minutes: int,
) -> Notice:
    """The answer once every data owner has acted, with a line per owner and category and any
    legal holds, and what a partial refusal left out; for a package, how long it can be
    downloaded."""
    nl_right, en_right = RIGHT_NAMES[right]
    nl_done, en_done = _DONE[right]
    if download_code is not None:
        nl_done += (
            f"\n\nJe downloadcode (alleen in deze e-mail): {download_code}\nJe hebt hem naast je "
            "toegangscode nodig om het bestand te downloaden."
        )
        en_done += (
            f"\n\nYour download code (only in this e-mail): {download_code}\nYou need it as well "
            "as your access token to download the file."
        )
    if right in (RightType.ACCESS, RightType.PORTABILITY):
        nl_done += (
            f" Download het binnen {download_days} dagen: daarna verwijderen we het, en ook "
            f"{grace_minutes} minuten nadat je het voor het eerst helemaal hebt gedownload."
        )
        en_done += (
            f" Download it within {download_days} days: then we delete it, and also "
            f"{grace_minutes} minutes after you first downloaded it in full."
        )
    nl_lines, en_lines = [], []
    for receipt in receipts:
        nl_action, en_action = _ACTIONS[receipt["action"]]
        where = f"{receipt['owner']} / {receipt['category']}"
        nl_lines.append(f"- {where}: {receipt['count']} {nl_action}")
        en_lines.append(f"- {where}: {receipt['count']} {en_action}")
        if receipt.get("kept_under_hold"):
            reasons = "; ".join(receipt.get("hold_reasons", []))
            nl_lines.append(
                f"  {receipt['kept_under_hold']} bewaard vanwege een wettelijke bewaarplicht: {reasons}"
            )
            en_lines.append(
                f"  {receipt['kept_under_hold']} kept under a legal retention duty: {reasons}"
            )
    if any(receipt.get("kept_under_hold") for receipt in receipts):
        nl_done += f"\n\n{_KEPT_UNDER_HOLD[0]}"
        en_done += f"\n\n{_KEPT_UNDER_HOLD[1]}"
    if refused_owners:
        nl_refused, en_refused = _refused_parts(refused_owners)
        nl_done += f"\n\n{nl_refused}\n(zie ons besluit)"
        en_done += f"\n\n{en_refused}\n(see our decision)"
    if closure is not None:
        nl_closed, en_closed = _closed_parts(closure)
        nl_done += f"\n\n{nl_closed}"
        en_done += f"\n\n{en_closed}"
    dutch = (
        f"Je verzoek om {nl_right} (kenmerk {request_id}) is uitgevoerd.\n\n{nl_done}\n\n"
        "Wat elk onderdeel deed:\n" + "\n".join(nl_lines)
    )
    english = (
        f"Your request for {en_right} (reference {request_id}) has been carried out.\n\n"
        f"{en_done}\n\nWhat each part did:\n" + "\n".join(en_lines)
    )
    return _bilingual(
        "Je verzoek is uitgevoerd", "Your request has been carried out", dutch, english
    )


def restriction_lifted_notice(request_id: UUID) -> Notice:
    """Told before the restriction is lifted (Art. 18(3))."""
    dutch = (
        f"De beperking van de verwerking van je gegevens, die je vroeg met kenmerk {request_id}, "
        "wordt nu opgeheven. Vanaf nu verwerken we je gegevens weer zoals in onze privacyverklaring "
        f"staat. Heb je daar vragen over of bezwaar tegen, mail dan {PRIVACY_CONTACT}."
    )
    english = (
        f"The restriction of processing of your data, which you asked for under reference {request_id}, "
        "is now being lifted. From now on we process your data again as our privacy statement "
        f"describes. If you have questions or object to this, write to {PRIVACY_CONTACT}."
    )
    return _bilingual(
        "De beperking wordt opgeheven", "The restriction is being lifted", dutch, english
    )
