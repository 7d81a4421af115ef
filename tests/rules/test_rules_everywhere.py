"""Each rule on input refuses the same bad value with the same French message, whichever way it
comes in: the page (a form post), the API, or the service called directly (the CLI's way).

The page answers 422 with the message at its field, the API 422 with the field in `loc`, the
service a ValidationError naming the field. Nothing is written.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.urls import reverse

from ledger import services
from ledger.models import Client, CreditNote, Invoice, Payment
from tests.helpers import errors_at
from tests.rules.conftest import World

FUTURE = "Un règlement ne peut pas être daté dans le futur."
DIGITS = "Écrivez le montant avec les chiffres 0 à 9."
FRANCHISE = (
    "Votre entreprise est en franchise en base de TVA (art. 293 B du CGI) : la facture ne peut pas porter de TVA."
)
PAST_PAUSE = "Cette date est déjà passée : choisissez une date à venir ou laissez vide."
OUT_OF_RANGE = "Date hors limites : l’année doit être comprise entre 1900 et 2100."
ONE_LINE = "Ce champ tient sur une ligne : retirez les retours à la ligne et les caractères de contrôle."


@dataclass(frozen=True)
class Page:
    url: Callable[[World], str]
    data: dict[str, Any]
    form: str = "form"
    prefix: str = ""


@dataclass(frozen=True)
class Rule:
    field: str
    message: str
    model: type[Model]
    page: Page
    api: tuple[Callable[[World], str], dict[str, Any]]
    service: Callable[[World], Any]


def payment_page(**data: str) -> Page:
    fields = {"date": "2026-11-02", "amount": "10,00", "method": "transfer", **data}
    return Page(
        lambda w: reverse("pages:payment_create", args=[w.invoice.pk]),
        {f"payment-{k}": v for k, v in fields.items()},
        form="payment_form",
    )


def payment_api(**data: Any) -> tuple[Callable[[World], str], dict[str, Any]]:
    return (lambda w: f"/invoices/{w.invoice.pk}/payments", {"date": "2026-11-02", "amount": "10.00", **data})


def record_payment(**data: Any) -> Callable[[World], Any]:
    fields = {"date": dt.date(2026, 11, 2), "amount": Decimal("10.00"), **data}
    return lambda w: services.record_payment(invoice=w.invoice, actor=w.owner, **fields)


def credit_page(**data: str) -> Page:
    fields = {"number": "AV-1", "date": "2026-11-02", "amount": "10,00", **data}
    return Page(
        lambda w: reverse("pages:credit_note_create", args=[w.invoice.pk]),
        {f"credit-{k}": v for k, v in fields.items()},
        form="credit_form",
    )


def credit_api(**data: Any) -> tuple[Callable[[World], str], dict[str, Any]]:
    return (
        lambda w: f"/invoices/{w.invoice.pk}/credit-notes",
        {"number": "AV-1", "date": "2026-11-02", "amount": "10.00", **data},
    )


def record_credit_note(**data: Any) -> Callable[[World], Any]:
    fields = {"number": "AV-1", "date": dt.date(2026, 11, 2), "amount": Decimal("10.00"), **data}
    return lambda w: services.record_credit_note(invoice=w.invoice, actor=w.owner, **fields)


def invoice_page(**data: str) -> Page:
    fields = {"number": "F-2026-002", "issue_date": "2026-11-02", "due_date": "", "total_excl_tax": "500,00", **data}
    return Page(lambda w: reverse("ledger:invoice_create"), {"client": "{client}", **fields})


def invoice_api(**data: Any) -> tuple[Callable[[World], str], dict[str, Any]]:
    return (
        lambda w: "/invoices",
        {
            "client_id": "{client}",
            "number": "F-2026-002",
            "issue_date": "2026-11-02",
            "total_excl_tax": "500.00",
            **data,
        },
    )


def create_invoice(**data: Any) -> Callable[[World], Any]:
    fields = {"number": "F-2026-002", "issue_date": dt.date(2026, 11, 2), "total_excl_tax": Decimal("500.00"), **data}
    return lambda w: services.create_invoice(business=w.business, actor=w.owner, client=w.client, **fields)


PAUSED = {"reminders_paused": True, "pause_reason": "Litige en cours"}


def client_page(**data: str) -> Page:
    fields = {"kind": "business", "name": "Garage Dupont", "country": "France", **data}
    return Page(lambda w: reverse("ledger:client_create"), fields)


def client_api(**data: Any) -> tuple[Callable[[World], str], dict[str, Any]]:
    return (lambda w: "/clients", {"name": "Garage Dupont", **data})


def create_client(**data: Any) -> Callable[[World], Any]:
    fields = {"kind": Client.Kind.BUSINESS, "name": "Garage Dupont", **data}
    return lambda w: services.create_client(business=w.business, actor=w.owner, **fields)


RULES = {
    "payment dated tomorrow": Rule(
        "date",
        FUTURE,
        Payment,
        payment_page(date="2026-11-29"),
        payment_api(date="2026-11-29"),
        record_payment(date=dt.date(2026, 11, 29)),
    ),
    "payment in Arabic-Indic digits": Rule(
        "amount", DIGITS, Payment, payment_page(amount="١٠٠"), payment_api(amount="١٠٠"), record_payment(amount="١٠٠")
    ),
    "payment in full-width digits": Rule(
        "amount",
        DIGITS,
        Payment,
        payment_page(amount="１００"),
        payment_api(amount="１００"),
        record_payment(amount="１００"),
    ),
    "payment dated before 1900": Rule(
        "date",
        OUT_OF_RANGE,
        Payment,
        payment_page(date="1899-12-31"),
        payment_api(date="1899-12-31"),
        record_payment(date=dt.date(1899, 12, 31)),
    ),
    "payment reference with an escape character": Rule(
        "reference",
        ONE_LINE,
        Payment,
        payment_page(reference="VIR\x1b[2J 42"),
        payment_api(reference="VIR\x1b[2J 42"),
        record_payment(reference="VIR\x1b[2J 42"),
    ),
    "credit note in Devanagari digits": Rule(
        "amount", DIGITS, CreditNote, credit_page(amount="१०"), credit_api(amount="१०"), record_credit_note(amount="१०")
    ),
    "credit note number with a line break": Rule(
        "number",
        ONE_LINE,
        CreditNote,
        credit_page(number="AV-1\nAV-2"),
        credit_api(number="AV-1\nAV-2"),
        record_credit_note(number="AV-1\nAV-2"),
    ),
    "invoice total in full-width digits": Rule(
        "total_excl_tax",
        DIGITS,
        Invoice,
        invoice_page(total_excl_tax="５００"),
        invoice_api(total_excl_tax="５００"),
        create_invoice(total_excl_tax="５００"),
    ),
    "VAT on an invoice of a business in VAT franchise": Rule(
        "vat_amount",
        FRANCHISE,
        Invoice,
        invoice_page(vat_amount="100,00"),
        invoice_api(vat_amount="100.00"),
        create_invoice(vat_amount=Decimal("100.00")),
    ),
    "invoice due on 9999-12-31": Rule(
        "due_date",
        OUT_OF_RANGE,
        Invoice,
        invoice_page(due_date="9999-12-31"),
        invoice_api(due_date="9999-12-31"),
        create_invoice(due_date=dt.date(9999, 12, 31)),
    ),
    "invoice dated 2101": Rule(
        "issue_date",
        OUT_OF_RANGE,
        Invoice,
        invoice_page(issue_date="2101-01-01"),
        invoice_api(issue_date="2101-01-01"),
        create_invoice(issue_date=dt.date(2101, 1, 1)),
    ),
    "invoice number with CR LF": Rule(
        "number",
        ONE_LINE,
        Invoice,
        invoice_page(number="F-3\r\nBcc: tous@exemple.fr"),
        invoice_api(number="F-3\r\nBcc: tous@exemple.fr"),
        create_invoice(number="F-3\r\nBcc: tous@exemple.fr"),
    ),
    "client paused until yesterday": Rule(
        "pause_until",
        PAST_PAUSE,
        Client,
        client_page(reminders_paused="on", pause_reason="Litige en cours", pause_until="2026-11-27"),
        client_api(**PAUSED, pause_until="2026-11-27"),
        create_client(**PAUSED, pause_until=dt.date(2026, 11, 27)),
    ),
    "client name with a C1 control": Rule(
        "name",
        ONE_LINE,
        Client,
        client_page(name="Garage\x85Dupont"),
        client_api(name="Garage\x85Dupont"),
        create_client(name="Garage\x85Dupont"),
    ),
    "client city with a line separator": Rule(
        "city",
        ONE_LINE,
        Client,
        client_page(city="Lyon\u2028Cedex"),
        client_api(city="Lyon\u2028Cedex"),
        create_client(city="Lyon\u2028Cedex"),
    ),
}


def _with_ids(data: dict[str, Any], world: World) -> dict[str, Any]:
    return {key: world.client.pk if value == "{client}" else value for key, value in data.items()}


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_page_api_and_service_refuse_with_the_same_message(world: World, rule: Rule) -> None:
    rows = rule.model._default_manager.count()  # type: ignore[attr-defined]

    page = world.page.post(rule.page.url(world), _with_ids(rule.page.data, world))
    assert page.status_code == 422
    assert page.context[rule.page.form].errors.get(rule.field) == [rule.message]
    assert rule.message in page.text

    path, payload = rule.api
    api = world.api.post(path(world), _with_ids(payload, world))
    assert errors_at(api, rule.field) == [rule.message]

    with pytest.raises(ValidationError) as refused:
        rule.service(world)
    assert refused.value.message_dict == {rule.field: [rule.message]}

    assert rule.model._default_manager.count() == rows  # type: ignore[attr-defined]
