"""Every field of the contact form is screened before anything is published (statement §2b)."""

import pytest
from litestar.testing import AsyncTestClient
from privacyhub.gateway.app import create_app
from privacyhub.gateway.contact.controllers import screened
from privacyhub.gateway.contact.schemas import ContactForm
from privacyhub.gateway.errors import SensitiveDataRefused

from tests.support.offline_gateway import offline_gateway

FORM = {
    "email": "anna@example.nl",
    "first_name": "Anna",
    "last_name": "de Vries",
    "message": "Wanneer begint de vacature?",
}


@pytest.mark.parametrize(
    ("field", "value", "label", "secret"),
    [
        ("device", "iPhone 13, BSN 111222333", "burgerservicenummer (BSN)", "111222333"),
        (
            "device",
            "Tablet met grote letters, ik ben slechtziend",
            "medische gegevens",
            "slechtziend",
        ),
        ("email", "111222333@example.nl", "burgerservicenummer (BSN)", "111222333"),
        ("email", "bsn111222333@example.nl", "burgerservicenummer (BSN)", "111222333"),
        ("email", "4111111111111111@example.nl", "betaalkaartnummer", "4111111111111111"),
        ("email", "nl91abna0417164300@example.nl", "bankrekeningnummer (IBAN)", "nl91abna"),
    ],
)
async def test_the_device_and_the_address_are_refused_naming_field_and_kind_only(
    field: str, value: str, label: str, secret: str
) -> None:
    async with AsyncTestClient(create_app(offline_gateway())) as client:
        response = await client.post("/v1/contact", json={**FORM, field: value})

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "sensitive_data"
    [problem] = response.json()["errors"]
    assert problem["field"] == field
    assert label in problem["problem"]
    assert secret not in response.text.lower()


def test_with_the_redact_policy_the_device_is_redacted() -> None:
    form = ContactForm(**FORM, device="Pixel 7, BSN 111 222 333")

    published = screened(form, offline_gateway(sensitive_data_policy="redact"))

    assert published.device == "Pixel 7, BSN [verwijderd: bsn]"


def test_with_the_redact_policy_an_address_holding_sensitive_data_is_still_refused() -> None:
    """A redacted address reaches nobody, and the answer must reach the visitor."""
    form = ContactForm(**{**FORM, "email": "111222333@example.nl"})

    with pytest.raises(SensitiveDataRefused) as refused:
        screened(form, offline_gateway(sensitive_data_policy="redact"))

    assert [problem.field for problem in refused.value.problems] == ["email"]


def test_an_ordinary_address_and_device_pass() -> None:
    form = ContactForm(
        **{**FORM, "email": "j.devries1985@gmail.com"}, device="Firefox 128 op Windows 11"
    )

    assert screened(form, offline_gateway()) == form


def test_a_name_that_is_also_a_disease_passes_but_a_number_in_a_name_does_not() -> None:
    named = ContactForm(
        **{**FORM, "email": "james.parkinson@example.co.uk", "last_name": "Parkinson"}
    )
    numbered = ContactForm(**{**FORM, "first_name": "Anna 111 222 333"})

    assert screened(named, offline_gateway()) == named
    with pytest.raises(SensitiveDataRefused) as refused:
        screened(numbered, offline_gateway())
    assert [problem.field for problem in refused.value.problems] == ["first_name"]
