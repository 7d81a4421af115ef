"""One-line texts refuse line breaks and control characters, wherever they are typed.

An invoice number holding CR LF was stored, then reached the subject of a reminder e-mail
(its placeholders quote the number) and broke the message's headers when sending.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from accounts import services as account_services
from core.text import is_one_line
from dunning import services as dunning_services
from dunning.models import Reminder
from ledger import services
from tests.helpers import errors_at
from tests.rules.conftest import World

ONE_LINE = "Ce champ tient sur une ligne : retirez les retours à la ligne et les caractères de contrôle."
CONTROLS = [chr(code) for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]] + ["\u2028", "\u2029"]


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_every_control_character_and_line_separator_is_refused(char: str) -> None:
    assert not is_one_line(f"F-2026{char}001")


@pytest.mark.parametrize(
    "text",
    [
        "Société Générale – Agence n° 12",
        "L’Atelier d’Émilie",
        "1\u00a0234,56\u202f€",
        "Ørsted ÅB 🚚",
        "F-2026/001 (avoir)",
        "",
    ],
)
def test_ordinary_text_is_one_line(text: str) -> None:
    assert is_one_line(text)


def _draft(world: World) -> Reminder:
    return dunning_services.create_reminder(business=world.business, actor=world.owner, invoice_ids=[world.invoice.pk])


def _notice(world: World) -> Reminder:
    reminder = dunning_services.create_reminder(
        business=world.business, actor=world.owner, invoice_ids=[world.invoice.pk], level=3
    )
    return dunning_services.save_reminder(reminder=reminder, actor=world.owner)


@dataclass(frozen=True)
class Field:
    field: str
    page: Callable[[World], tuple[str, dict[str, Any], str]]
    service: Callable[[World], Any]
    api: Callable[[World], tuple[str, str, dict[str, Any]]] | None = None
    anonymous: bool = False


BAD = "Relance\r\nBcc: tous@exemple.fr"
FIELDS = {
    "invoice number, on edit": Field(
        "number",
        lambda w: (
            reverse("ledger:invoice_edit", args=[w.invoice.pk]),
            {"client": w.client.pk, "number": BAD, "issue_date": "2026-09-01", "total_excl_tax": "1000"},
            "form",
        ),
        lambda w: services.update_invoice(invoice=w.invoice, actor=w.owner, number=BAD),
        lambda w: ("patch", f"/invoices/{w.invoice.pk}", {"number": BAD}),
    ),
    "client name, on edit": Field(
        "name",
        lambda w: (
            reverse("ledger:client_edit", args=[w.client.pk]),
            {"kind": "business", "name": BAD, "country": "France"},
            "form",
        ),
        lambda w: services.update_client(client=w.client, actor=w.owner, name=BAD),
        lambda w: ("patch", f"/clients/{w.client.pk}", {"name": BAD}),
    ),
    "cancellation reason": Field(
        "cancel_reason",
        lambda w: (reverse("pages:invoice_cancel", args=[w.invoice.pk]), {"cancel-cancel_reason": BAD}, "cancel_form"),
        lambda w: services.cancel_invoice(invoice=w.invoice, actor=w.owner, reason=BAD),
    ),
    "business name in the settings": Field(
        "legal_name",
        lambda w: (
            reverse("accounts:settings"),
            {"legal_name": BAD, "vat_status": "franchise", "activity": "services"},
            "form",
        ),
        lambda w: account_services.update_business(business=w.business, actor=w.owner, legal_name=BAD),
    ),
    "e-mail sender name": Field(
        "sender_name",
        lambda w: (reverse("accounts:settings_email"), {"sender_name": BAD}, "form"),
        lambda w: account_services.update_business(business=w.business, actor=w.owner, sender_name=BAD),
    ),
    "business name at sign-up": Field(
        "business_name",
        lambda w: (
            reverse("accounts:signup"),
            {
                "email": "nouvelle@relance.test",
                "password1": "motdepasse-solide-42",
                "password2": "motdepasse-solide-42",
                "business_name": BAD,
            },
            "form",
        ),
        lambda w: account_services.signup(
            email="nouvelle@relance.test", password="motdepasse-solide-42", business_name=BAD
        ),
        anonymous=True,
    ),
    "API token name": Field(
        "name",
        lambda w: (reverse("accounts:tokens"), {"name": BAD}, "form"),
        lambda w: account_services.create_token(user=w.owner, name=BAD),
    ),
    "e-mail subject of a template": Field(
        "email_subject",
        lambda w: (
            reverse("dunning:template_edit", args=[1]),
            {"letter_subject": "Rappel", "letter_body": "Bonjour", "email_subject": BAD, "email_body": "Bonjour"},
            "form",
        ),
        lambda w: dunning_services.update_template(
            template=dunning_services.template_for(w.business, 1), actor=w.owner, email_subject=BAD
        ),
    ),
    "subject of a draft reminder": Field(
        "subject",
        lambda w: (
            reverse("dunning:reminder_edit", args=[_draft(w).pk]),
            {
                "channel": "email",
                "subject": BAD,
                "body": "Bonjour",
                "letter_subject": "Rappel",
                "letter_body": "Bonjour",
                "invoice_ids": [w.invoice.pk],
            },
            "form",
        ),
        lambda w: dunning_services.update_draft(reminder=_draft(w), actor=w.owner, subject=BAD),
        lambda w: ("patch", f"/reminders/{_draft(w).pk}", {"subject": BAD}),
    ),
    "registered letter number": Field(
        "number",
        lambda w: (
            reverse("dunning:reminder_registered", args=[_notice(w).pk]),
            {"number": "1A\n234"},
            "registered_form",
        ),
        lambda w: dunning_services.record_registered_letter(
            reminder=_notice(w), actor=w.owner, number="1A\n234", receipt_date=None
        ),
        lambda w: ("post", f"/reminders/{_notice(w).pk}/registered-letter", {"number": "1A\n234"}),
    ),
}


@pytest.mark.parametrize("case", FIELDS.values(), ids=FIELDS.keys())
def test_the_page_refuses_a_line_break_at_the_field(world: World, case: Field) -> None:
    url, data, form = case.page(world)
    http = HttpClient() if case.anonymous else world.page
    response = http.post(url, data)
    assert response.status_code == 422
    assert response.context[form].errors.get(case.field) == [ONE_LINE]


@pytest.mark.parametrize("case", FIELDS.values(), ids=FIELDS.keys())
def test_the_service_refuses_a_line_break_at_the_field(world: World, case: Field) -> None:
    with pytest.raises(ValidationError) as refused:
        case.service(world)
    assert refused.value.message_dict == {case.field: [ONE_LINE]}


API_FIELDS = {name: case for name, case in FIELDS.items() if case.api is not None}


@pytest.mark.parametrize("case", API_FIELDS.values(), ids=API_FIELDS.keys())
def test_the_api_refuses_a_line_break_at_the_field(world: World, case: Field) -> None:
    assert case.api is not None
    method, path, payload = case.api(world)
    response = getattr(world.api, method)(path, payload)
    assert errors_at(response, case.field) == [ONE_LINE]
