import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Business, PaymentTerms
from core.models import AuditEvent
from dunning.models import Reminder, ReminderInvoice
from ledger import services
from ledger.models import Invoice
from tests.factories import make_client, make_invoice
from tests.helpers import ApiClient, errors_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def business(business: Business) -> Business:
    """Subject to VAT, since the payloads carry VAT (a business in VAT franchise cannot: tests/rules)."""
    business.vat_status = Business.VatStatus.VAT
    business.vat_number = "FR40123456824"
    business.save()
    return business


def invoice_payload(client_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "number": "F-2026-001",
        "issue_date": "2026-03-02",
        "total_excl_tax": "1000.00",
        "vat_amount": "200.00",
        **fields,
    }


def freeze_reminder(invoice: Invoice) -> None:
    reminder = Reminder.objects.create(
        business=invoice.business,
        client=invoice.client,
        level=1,
        status=Reminder.Status.SAVED,
        subject="Relance",
        body="Texte",
        frozen_at=timezone.now(),
    )
    ReminderInvoice.objects.create(reminder=reminder, invoice=invoice)
    # What dunning's save service does when it freezes a reminder.
    Invoice.objects.filter(pk=invoice.pk).update(quoted_at=reminder.frozen_at)


# Create


def test_create_invoice_computes_due_date_and_total_incl_tax(api: ApiClient, business: Business) -> None:
    business.payment_terms = PaymentTerms.DAYS_60
    business.save()
    client = make_client(business)

    response = api.post("/invoices", invoice_payload(client.pk))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["due_date"] == "2026-05-01"
    assert (body["total_excl_tax"], body["vat_amount"], body["total_incl_tax"]) == ("1000.00", "200.00", "1200.00")
    assert body["amount_due"] == "1200.00"
    assert body["client_id"] == client.pk
    invoice = Invoice.objects.get(pk=body["id"], business=business)
    assert invoice.total_incl_tax == Decimal("1200.00")
    assert AuditEvent.objects.filter(invoice=invoice, action="created").exists()


def test_create_invoice_accepts_numbers_and_keeps_cents_exact(api: ApiClient, business: Business) -> None:
    client = make_client(business)

    response = api.post("/invoices", invoice_payload(client.pk, total_excl_tax=100.1, vat_amount=20.02))

    assert response.status_code == 201, response.content
    assert response.json()["total_incl_tax"] == "120.12"
    assert Invoice.objects.get().total_incl_tax == Decimal("120.12")


def test_create_invoice_keeps_an_explicit_due_date(api: ApiClient, business: Business) -> None:
    client = make_client(business)

    response = api.post("/invoices", invoice_payload(client.pk, due_date="2026-03-15"))

    assert response.json()["due_date"] == "2026-03-15"


def test_create_invoice_for_another_business_client_is_422_and_leaks_nothing(
    api: ApiClient, other_business: Business
) -> None:
    foreign = make_client(other_business, name="Secret SARL")

    response = api.post("/invoices", invoice_payload(foreign.pk))

    assert errors_at(response, "client_id") == ["Client introuvable."]
    assert b"Secret" not in response.content
    assert not Invoice.objects.exists()


def test_create_invoice_with_a_duplicate_number_is_422_at_number(api: ApiClient, business: Business) -> None:
    client = make_client(business)
    make_invoice(business, client, number="F-2026-001")

    response = api.post("/invoices", invoice_payload(client.pk))

    assert errors_at(response, "number") == ["Une facture n° F-2026-001 existe déjà."]
    assert Invoice.objects.count() == 1


def test_the_same_number_in_another_business_is_allowed(
    api: ApiClient, business: Business, other_business: Business
) -> None:
    make_invoice(other_business, number="F-2026-001")

    response = api.post("/invoices", invoice_payload(make_client(business).pk))

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("02/03/2026", "Date invalide (format AAAA-MM-JJ)."),
        ("2026-02-30", "Date invalide (format AAAA-MM-JJ)."),
        ("2026-03-02T00:00:00", "Date invalide (format AAAA-MM-JJ)."),
        (1772409600, "Date invalide (format AAAA-MM-JJ)."),
        ("9999-12-31", "Date hors limites : l’année doit être comprise entre 1900 et 2100."),
    ],
)
def test_create_invoice_with_a_bad_date_is_422_at_the_date(
    api: ApiClient, business: Business, value: Any, message: str
) -> None:
    response = api.post("/invoices", invoice_payload(make_client(business).pk, issue_date=value))

    assert errors_at(response, "issue_date") == [message]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12,50", "Nombre invalide : un montant s’écrit par exemple 1234.50."),
        ("douze", "Nombre invalide : un montant s’écrit par exemple 1234.50."),
        ("1e3", "Nombre invalide : un montant s’écrit par exemple 1234.50."),
        (True, "Nombre invalide : un montant s’écrit par exemple 1234.50."),
        ("10.005", "Deux décimales au maximum (les centimes)."),
        (10.005, "Deux décimales au maximum (les centimes)."),
        ("-5.00", "Le montant ne peut pas être négatif."),
        ("10000000000.00", "Montant trop élevé (10 chiffres au maximum avant la virgule)."),
        (1e300, "Montant trop élevé (10 chiffres au maximum avant la virgule)."),
        (None, "Ce champ ne peut pas être null."),
    ],
)
def test_create_invoice_with_a_bad_amount_is_422_at_the_amount(
    api: ApiClient, business: Business, value: Any, message: str
) -> None:
    response = api.post("/invoices", invoice_payload(make_client(business).pk, total_excl_tax=value))

    assert errors_at(response, "total_excl_tax") == [message]
    assert not Invoice.objects.exists()


def test_create_invoice_with_a_zero_amount_is_422(api: ApiClient, business: Business) -> None:
    response = api.post("/invoices", invoice_payload(make_client(business).pk, total_excl_tax="0", vat_amount="0"))

    assert "Le montant doit être supérieur à zéro." in errors_at(response, "total_excl_tax")


def test_create_invoice_due_before_issue_is_422_at_due_date(api: ApiClient, business: Business) -> None:
    response = api.post("/invoices", invoice_payload(make_client(business).pk, due_date="2026-03-01"))

    assert errors_at(response, "due_date") == ["L’échéance ne peut pas précéder la date de facture."]


def test_create_invoice_with_inconsistent_totals_is_422_at_total_incl_tax(api: ApiClient, business: Business) -> None:
    response = api.post("/invoices", invoice_payload(make_client(business).pk, total_incl_tax="1100.00"))

    assert errors_at(response, "total_incl_tax") == ["Le total TTC doit être égal au total HT plus la TVA."]


def test_create_invoice_with_missing_fields_lists_each_of_them(api: ApiClient) -> None:
    response = api.post("/invoices", {})

    assert response.status_code == 422
    missing = {error["loc"][1] for error in response.json()["detail"] if error["msg"] == "Champ obligatoire."}
    assert missing == {"client_id", "number", "issue_date", "total_excl_tax"}


# Read


def test_get_invoice_gives_status_and_days_late_for_the_paris_date(api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business, issue_date=dt.date(2026, 2, 8), due_date=dt.date(2026, 3, 10))

    # 23:30 UTC on 10 March is already 11 March in Paris: the invoice is one day late.
    with time_machine.travel(dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False):
        body = api.get(f"/invoices/{invoice.pk}").json()

    assert (body["status"], body["days_late"]) == ("late", 1)
    assert body["amount_due"] == "1000.00"


def test_get_invoice_due_today_is_not_due(api: ApiClient, business: Business, today: dt.date) -> None:
    invoice = make_invoice(business, issue_date=today - dt.timedelta(days=30), due_date=today)

    body = api.get(f"/invoices/{invoice.pk}").json()

    assert (body["status"], body["days_late"]) == ("not_due", 0)


def test_get_another_business_invoice_is_404(outsider_api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business)

    response = outsider_api.get(f"/invoices/{invoice.pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Introuvable."}


def test_delete_on_an_invoice_is_405(api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business)

    assert api.delete(f"/invoices/{invoice.pk}").status_code == 405
    assert Invoice.objects.filter(pk=invoice.pk).exists()


# List


@pytest.fixture
def four_statuses(business: Business, today: dt.date) -> dict[str, Invoice]:
    client = make_client(business)
    last_month = today - dt.timedelta(days=40)
    late = make_invoice(business, client, number="LATE", issue_date=last_month, due_date=today - dt.timedelta(days=1))
    not_due = make_invoice(business, client, number="NOTDUE", issue_date=last_month, due_date=today)
    paid = make_invoice(business, client, number="PAID", issue_date=last_month, due_date=today - dt.timedelta(days=5))
    services.record_payment(invoice=paid, actor=None, date=today, amount=paid.total_incl_tax)
    cancelled = make_invoice(business, client, number="CANCELLED", issue_date=last_month)
    services.cancel_invoice(invoice=cancelled, actor=None, reason="Erreur de saisie")
    return {"late": late, "not_due": not_due, "paid": paid, "cancelled": cancelled}


@pytest.mark.parametrize("status", ["late", "not_due", "paid", "cancelled"])
def test_list_invoices_filters_by_status_of_today(
    api: ApiClient, four_statuses: dict[str, Invoice], status: str
) -> None:
    body = api.get("/invoices", {"status": status}).json()

    assert [item["number"] for item in body["items"]] == [four_statuses[status].number]
    assert body["items"][0]["status"] == status
    assert body["count"] == 1


def test_list_invoices_filters_by_client_and_number(api: ApiClient, business: Business) -> None:
    alice, bob = make_client(business), make_client(business)
    make_invoice(business, alice, number="A-001")
    make_invoice(business, alice, number="A-002")
    make_invoice(business, bob, number="B-001")

    assert api.get("/invoices", {"client_id": alice.pk}).json()["count"] == 2
    assert [i["number"] for i in api.get("/invoices", {"q": "b-0"}).json()["items"]] == ["B-001"]


def test_list_invoices_never_shows_another_business(
    api: ApiClient, business: Business, other_business: Business
) -> None:
    make_invoice(business, number="MINE")
    foreign = make_invoice(other_business, number="THEIRS")

    assert [i["number"] for i in api.get("/invoices").json()["items"]] == ["MINE"]
    assert api.get("/invoices", {"client_id": foreign.client_id}).json() == {"count": 0, "items": []}


def test_list_invoices_refuses_an_unknown_status(api: ApiClient) -> None:
    response = api.get("/invoices", {"status": "overdue"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "status"]
    assert response.json()["detail"][0]["msg"] == (
        "Valeur non autorisée : choisissez parmi not_due, late, paid, cancelled."
    )


def test_list_invoices_runs_the_same_number_of_queries_for_3_or_30_invoices(
    api: ApiClient, business: Business, django_assert_max_num_queries: Any
) -> None:
    clients = [make_client(business) for _ in range(3)]
    for index in range(3):
        make_invoice(business, clients[index % 3])
    api.get("/invoices")  # records the token's first use, a write later requests skip
    with CaptureQueriesContext(connection) as few:
        api.get("/invoices", {"status": "late"})
    for index in range(27):
        make_invoice(business, clients[index % 3])

    with django_assert_max_num_queries(len(few)):
        response = api.get("/invoices", {"status": "late"})

    assert len(response.json()["items"]) == 30
    assert len(few) <= 3


# Update


def test_patch_invoice_recomputes_total_incl_tax_when_excl_tax_changes(api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business, amount="100.00")

    response = api.patch(f"/invoices/{invoice.pk}", {"total_excl_tax": "150.00", "vat_amount": "30.00"})

    assert response.status_code == 200, response.content
    assert (response.json()["total_incl_tax"], response.json()["amount_due"]) == ("180.00", "180.00")
    invoice.refresh_from_db()
    assert invoice.total_incl_tax == Decimal("180.00")


def test_patch_invoice_below_what_was_paid_is_422_and_writes_nothing(api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business, amount="100.00")
    services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("80.00"))

    response = api.patch(f"/invoices/{invoice.pk}", {"total_excl_tax": "50.00", "number": "RENAMED"})

    assert errors_at(response, "total_incl_tax") == [
        "Le total TTC ne peut pas être inférieur aux règlements et avoirs déjà enregistrés."
    ]
    invoice.refresh_from_db()
    assert invoice.total_incl_tax == Decimal("100.00")
    assert invoice.number != "RENAMED"


def test_patch_invoice_to_another_business_client_is_422(
    api: ApiClient, business: Business, other_business: Business
) -> None:
    invoice = make_invoice(business)
    foreign = make_client(other_business)

    response = api.patch(f"/invoices/{invoice.pk}", {"client_id": foreign.pk})

    assert errors_at(response, "client_id") == ["Client introuvable."]
    invoice.refresh_from_db()
    assert invoice.client.business_id == business.pk


def test_patch_invoice_to_a_used_number_is_422(api: ApiClient, business: Business) -> None:
    make_invoice(business, number="TAKEN")
    invoice = make_invoice(business, number="MINE")

    assert errors_at(api.patch(f"/invoices/{invoice.pk}", {"number": "TAKEN"}), "number") == [
        "Une facture n° TAKEN existe déjà."
    ]


def test_patch_invoice_quoted_by_a_saved_reminder_is_409(api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business, amount="100.00")
    freeze_reminder(invoice)

    response = api.patch(f"/invoices/{invoice.pk}", {"total_excl_tax": "90.00"})

    assert response.status_code == 409
    assert "relance enregistrée ou envoyée" in response.json()["detail"]
    invoice.refresh_from_db()
    assert invoice.total_excl_tax == Decimal("100.00")


def test_patch_cancelled_invoice_is_409(api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business)
    services.cancel_invoice(invoice=invoice, actor=None, reason="Doublon")

    response = api.patch(f"/invoices/{invoice.pk}", {"notes": "trop tard"})

    assert response.status_code == 409
    assert response.json() == {"detail": "Cette facture est annulée : elle ne peut plus être modifiée."}


def test_patch_another_business_invoice_is_404(outsider_api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business)

    assert outsider_api.patch(f"/invoices/{invoice.pk}", {"notes": "x"}).status_code == 404
    invoice.refresh_from_db()
    assert invoice.notes == ""


# Cancel


def test_cancel_invoice(api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business)

    response = api.post(f"/invoices/{invoice.pk}/cancel", {"reason": "Facture émise par erreur"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == ("cancelled", "Facture émise par erreur")
    invoice.refresh_from_db()
    assert invoice.cancelled_at is not None


def test_cancel_invoice_without_reason_is_422_at_reason(api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business)

    assert errors_at(api.post(f"/invoices/{invoice.pk}/cancel", {"reason": "  "}), "reason") == [
        "Indiquez le motif de l’annulation."
    ]
    invoice.refresh_from_db()
    assert invoice.cancelled_at is None


def test_cancel_cancelled_invoice_is_409(api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business)
    services.cancel_invoice(invoice=invoice, actor=None, reason="Doublon")

    response = api.post(f"/invoices/{invoice.pk}/cancel", {"reason": "Encore"})

    assert response.status_code == 409
    assert response.json() == {"detail": "Cette facture est déjà annulée."}


def test_cancel_another_business_invoice_is_404(outsider_api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business)

    assert outsider_api.post(f"/invoices/{invoice.pk}/cancel", {"reason": "Non"}).status_code == 404
    invoice.refresh_from_db()
    assert invoice.cancelled_at is None


def test_get_on_cancel_is_405(api: ApiClient, business: Business) -> None:
    invoice = make_invoice(business)

    assert api.get(f"/invoices/{invoice.pk}/cancel").status_code == 405
