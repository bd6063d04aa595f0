"""Sensitive-data screening of the contact form's free text (statement §2b), both ways for every kind."""

import pytest
from privacyhub.gateway.contact.schemas import SCREENED_FOR, ContactForm
from privacyhub.gateway.contact.screening import (
    LABELS,
    Finding,
    SensitiveKind,
    find_sensitive_data,
    redact,
)


def kinds_in(text: str) -> set[SensitiveKind]:
    return {finding.kind for finding in find_sensitive_data({"message": text})}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Mijn BSN is 111222333.", SensitiveKind.BSN),
        ("bsn 111 222 333", SensitiveKind.BSN),
        ("burgerservicenummer: 1112.22.333", SensitiveKind.BSN),
        ("Bel me op 0612345678, mijn BSN is 111222333", SensitiveKind.BSN),
        ("Stort het op NL91ABNA0417164300 graag", SensitiveKind.IBAN),
        ("Rekening NL91 ABNA 0417 1643 00 is van mij", SensitiveKind.IBAN),
        ("mijn iban is nl91abna0417164300", SensitiveKind.IBAN),
        ("Kaart 4111 1111 1111 1111 werd geweigerd", SensitiveKind.PAYMENT_CARD),
        ("card 4111-1111-1111-1111", SensitiveKind.PAYMENT_CARD),
        ("Amex 378282246310005", SensitiveKind.PAYMENT_CARD),
        ("Bel +31 6 12345678 of betaal met 4111 1111 1111 1111", SensitiveKind.PAYMENT_CARD),
        ("mijn wachtwoord is geheim123", SensitiveKind.PASSWORD),
        ("Password: hunter2", SensitiveKind.PASSWORD),
        ("my password for the site is 'tulips'", SensitiveKind.PASSWORD),
        ("pincode = 4321", SensitiveKind.PASSWORD),
        ("Mijn paspoortnummer is XR1001R58", SensitiveKind.IDENTITY_DOCUMENT),
        ("ID-kaart SPECI2014", SensitiveKind.IDENTITY_DOCUMENT),
        ("Ik heb diabetes", SensitiveKind.MEDICAL),
        ("Ik ben zwanger en begin later", SensitiveKind.MEDICAL),
        ("Sorry, I was treated for DEPRESSION", SensitiveKind.MEDICAL),
        ("last van hoge\nbloeddruk", SensitiveKind.MEDICAL),
        ("na een hiv-test", SensitiveKind.MEDICAL),
    ],
)
def test_sensitive_data_is_found(text: str, kind: SensitiveKind) -> None:
    assert kind in kinds_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mijn nummer is 123456789",  # nine digits failing the elfproef
        "Bel +31 6 12345678 of 020-1234567",
        "Bel 0612345678 of 06 12345678",
        "(+31) (0)20 1234567 en 0031 6 12345678",
        "Postcode 1234 AB, huisnummer 12",
        "Ordernummer #100234, factuur 2024-000123, bestelling ORD-2024-001234",
        "Ik begin op 12-05-2024 om 09.30",
        "Het salaris is € 3.250,00 of 1.250.000 per jaar",
        "Rekening NL92 ABNA 0417 1643 00",  # mod-97 fails
        "Kaart 4111 1111 1111 1112",  # Luhn fails
        "Mijn wachtwoord is vergeten.",
        "My password is not working",
        "Paspoort XR1O01R58",  # the letter O never occurs in a document number
        "Ik werk aan zwangerschapsverlof-regelingen",
        "Please archive my old application",
        "Wanneer begint de nieuwe vacature voor data-analist?",
    ],
)
def test_ordinary_text_passes(text: str) -> None:
    assert kinds_in(text) == set()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Mijn BSN is 111\u00a0222\u00a0333", SensitiveKind.BSN),
        ("Mijn BSN is 111\n222\n333", SensitiveKind.BSN),
        ("burgerservicenummer 111\u202f222\u2009333", SensitiveKind.BSN),
        ("bsn 1112\u200b22333", SensitiveKind.BSN),
        ("Bel +31 4111 1111 1111 1111", SensitiveKind.PAYMENT_CARD),
        ("Tel: +31 5555 5555 5555 4444", SensitiveKind.PAYMENT_CARD),
        ("IBAN NL91-ABNA-0417-1643-00", SensitiveKind.IBAN),
        ("IBAN NL91\u2013ABNA\u20130417\u20131643\u201300", SensitiveKind.IBAN),
        ("Rekening NL91\u00a0ABNA\u00a00417\u00a01643\u00a000", SensitiveKind.IBAN),
        ("mijn wachtwoord is geheim", SensitiveKind.PASSWORD),
        ("wachtwoord Feyenoord1908", SensitiveKind.PASSWORD),
        ("Ik ben diabetespatiënt", SensitiveKind.MEDICAL),
        ("ik had een burn out", SensitiveKind.MEDICAL),
        ("Ik ben herstellende van borstkanker", SensitiveKind.MEDICAL),
        ("Ik heb een depressieve periode gehad", SensitiveKind.MEDICAL),
        ("Mijn dochter is dia\u00adbetespatiënt", SensitiveKind.MEDICAL),
    ],
)
def test_probes_that_once_passed_are_found(text: str, kind: SensitiveKind) -> None:
    """Each was accepted before issue 11: separators, phone prefixes, inflections, compounds."""
    assert kind in kinds_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "Bel +31 6 12345678 en 0031 (0)6-12345678",
        "Bereikbaar op 06\u00a012\u00a034\u00a056\u00a078",
        "Beschikbaar 12-05 2024, salaris € 3.200 - € 4.100",
        "Mijn wachtwoord is verlopen, ik zit in de WW",
        "Kunnen jullie mijn oude sollicitaties archiveren?",
        "Vacature nautisch officier",
        "Is de vacature voor diabetesverpleegkundige nog open?",
        "Mijn zus is psychiatrisch verpleegkundige",
        "Bieden jullie een arbeidsongeschiktheidsverzekering aan?",
    ],
)
def test_look_alikes_of_the_probes_pass(text: str) -> None:
    assert kinds_in(text) == set()


def test_findings_name_the_field_and_kind_never_the_text() -> None:
    findings = find_sensitive_data(
        {"first_name": "Anna", "message": "BSN 111222333 en NL91ABNA0417164300", "company": None}
    )

    assert findings == [
        Finding(field="message", kind=SensitiveKind.BSN),
        Finding(field="message", kind=SensitiveKind.IBAN),
    ]
    assert "111222333" not in repr(findings)


def test_a_kind_found_twice_in_a_field_is_named_once() -> None:
    findings = find_sensitive_data({"message": "111222333 of 111 222 333"})

    assert findings == [Finding(field="message", kind=SensitiveKind.BSN)]


def test_redaction_replaces_each_passage_with_a_placeholder_naming_its_kind() -> None:
    redacted = redact(
        {
            "message": "Mijn BSN is 111222333, Password: hunter2, ik ben zwanger.",
            "company": "Voorbeeld B.V.",
            "found_us_via": None,
        }
    )

    assert redacted == {
        "message": (
            "Mijn BSN is [verwijderd: bsn], Password: [verwijderd: password], "
            "ik ben [verwijderd: medical]."
        ),
        "company": "Voorbeeld B.V.",
        "found_us_via": None,
    }


def test_redaction_keeps_the_visitors_own_characters_around_a_normalised_passage() -> None:
    redacted = redact({"message": "BSN 111\u00a0222\u00a0333 — ik ben diabetespatiënt."})

    assert redacted == {"message": "BSN [verwijderd: bsn] — ik ben [verwijderd: medical]."}


def test_every_kind_has_a_dutch_and_an_english_label() -> None:
    assert set(LABELS) == set(SensitiveKind)
    assert all(label.nl and label.en for label in LABELS.values())


def test_every_field_of_the_contact_form_is_screened() -> None:
    assert set(SCREENED_FOR) == set(ContactForm.model_fields)
