from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Business
from core.models import AuditEvent
from ledger import services
from ledger.models import CreditNote, Invoice
from tests.factories import make_invoice
from tests.helpers import ApiClient, errors_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(business: Business) -> Invoice:
    return make_invoice(business, amount="1000.00")


def note(invoice: Invoice, number: str, amount: str = "10.00") -> CreditNote:
    return services.record_credit_note(
        invoice=invoice, actor=None, number=number, date=invoice.issue_date, amount=Decimal(amount)
    )


def test_record_a_credit_note(api: ApiClient, invoice: Invoice) -> None:
    response = api.post(
        f"/invoices/{invoice.pk}/credit-notes",
        {"number": "AV-001", "date": "2026-09-10", "amount": "250.00", "reason": "Remise commerciale"},
    )

    assert response.status_code == 201, response.content
    assert response.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "invoice_id": invoice.pk,
        "number": "AV-001",
        "date": "2026-09-10",
        "amount": "250.00",
        "reason": "Remise commerciale",
        "created_at": "",
    }
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("750.00")
    assert AuditEvent.objects.filter(invoice=invoice, action="credit_note_recorded").count() == 1


def test_credit_note_above_the_amount_due_is_422_at_amount(api: ApiClient, invoice: Invoice) -> None:
    services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("600.00"))

    response = api.post(
        f"/invoices/{invoice.pk}/credit-notes", {"number": "AV-002", "date": "2026-09-10", "amount": "400.01"}
    )

    assert errors_at(response, "amount") == ["Un avoir ne peut pas dépasser le reste dû (400,00\u202f€)."]
    assert not CreditNote.objects.exists()


def test_credit_note_with_a_used_number_is_422_at_number(api: ApiClient, invoice: Invoice, business: Business) -> None:
    note(make_invoice(business), "AV-001")

    response = api.post(
        f"/invoices/{invoice.pk}/credit-notes", {"number": "AV-001", "date": "2026-09-10", "amount": "1"}
    )

    assert errors_at(response, "number") == ["Un avoir n° AV-001 existe déjà."]


def test_credit_note_with_bad_date_and_amount_is_422(api: ApiClient, invoice: Invoice) -> None:
    response = api.post(
        f"/invoices/{invoice.pk}/credit-notes", {"number": "AV-1", "date": "10/09/2026", "amount": "1,5"}
    )

    assert errors_at(response, "date") == ["Date invalide (format AAAA-MM-JJ)."]
    assert errors_at(response, "amount") == ["Nombre invalide : un montant s’écrit par exemple 1234.50."]


def test_credit_note_on_a_cancelled_invoice_is_409(api: ApiClient, invoice: Invoice) -> None:
    services.cancel_invoice(invoice=invoice, actor=None, reason="Doublon")

    response = api.post(f"/invoices/{invoice.pk}/credit-notes", {"number": "AV-1", "date": "2026-09-10", "amount": "1"})

    assert response.status_code == 409
    assert response.json() == {"detail": "Cette facture est annulée : aucun avoir ne peut y être ajouté."}


def test_credit_note_on_another_business_invoice_is_404(outsider_api: ApiClient, invoice: Invoice) -> None:
    response = outsider_api.post(
        f"/invoices/{invoice.pk}/credit-notes", {"number": "AV-1", "date": "2026-09-10", "amount": "1"}
    )

    assert response.status_code == 404
    assert not CreditNote.objects.exists()


def test_list_credit_notes_of_an_invoice(api: ApiClient, invoice: Invoice, business: Business) -> None:
    note(invoice, "AV-1", "5.00")
    note(invoice, "AV-2", "7.25")
    note(make_invoice(business), "AV-3")

    response = api.get(f"/invoices/{invoice.pk}/credit-notes")

    assert response.status_code == 200
    assert [(n["number"], n["amount"]) for n in response.json()] == [("AV-1", "5.00"), ("AV-2", "7.25")]


def test_list_credit_notes_of_another_business_invoice_is_404(outsider_api: ApiClient, invoice: Invoice) -> None:
    assert outsider_api.get(f"/invoices/{invoice.pk}/credit-notes").status_code == 404


def test_list_credit_notes_runs_the_same_number_of_queries_for_3_or_30(
    api: ApiClient, invoice: Invoice, django_assert_max_num_queries: Any
) -> None:
    for index in range(3):
        note(invoice, f"AV-{index}")
    api.get(f"/invoices/{invoice.pk}/credit-notes")  # records the token's first use
    with CaptureQueriesContext(connection) as few:
        api.get(f"/invoices/{invoice.pk}/credit-notes")
    for index in range(3, 30):
        note(invoice, f"AV-{index}")

    with django_assert_max_num_queries(len(few)):
        response = api.get(f"/invoices/{invoice.pk}/credit-notes")

    assert len(response.json()) == 30
    assert len(few) <= 3


def test_delete_on_credit_notes_is_405(api: ApiClient, invoice: Invoice) -> None:
    assert api.delete(f"/invoices/{invoice.pk}/credit-notes").status_code == 405
