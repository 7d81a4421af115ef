from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Business
from core.models import AuditEvent
from ledger import services
from ledger.models import Invoice, Payment
from tests.factories import make_invoice
from tests.helpers import ApiClient, errors_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(business: Business) -> Invoice:
    return make_invoice(business, amount="1000.00")


def test_record_a_partial_payment(api: ApiClient, invoice: Invoice) -> None:
    response = api.post(
        f"/invoices/{invoice.pk}/payments",
        {"date": "2026-09-15", "amount": "400.50", "method": "cheque", "reference": "Chèque 1234"},
    )

    assert response.status_code == 201, response.content
    assert response.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "invoice_id": invoice.pk,
        "date": "2026-09-15",
        "amount": "400.50",
        "method": "cheque",
        "reference": "Chèque 1234",
        "created_at": "",
    }
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("599.50")
    assert api.get(f"/invoices/{invoice.pk}").json()["amount_due"] == "599.50"
    assert AuditEvent.objects.filter(invoice=invoice, action="payment_recorded").count() == 1


def test_payment_method_defaults_to_transfer(api: ApiClient, invoice: Invoice) -> None:
    response = api.post(f"/invoices/{invoice.pk}/payments", {"date": "2026-09-15", "amount": 10})

    assert response.json()["method"] == "transfer"


def test_over_payment_is_422_at_amount(api: ApiClient, invoice: Invoice) -> None:
    services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("900.00"))

    response = api.post(f"/invoices/{invoice.pk}/payments", {"date": "2026-09-15", "amount": "100.01"})

    assert errors_at(response, "amount") == [
        "Le montant dépasse le reste dû (100,00\u202f€) : un trop-perçu est refusé."
    ]
    assert invoice.payments.count() == 1


def test_payment_before_the_invoice_date_is_422_at_date(api: ApiClient, invoice: Invoice) -> None:
    response = api.post(f"/invoices/{invoice.pk}/payments", {"date": "2026-08-31", "amount": "10"})

    assert errors_at(response, "date") == ["Le règlement ne peut pas précéder la date de la facture."]


def test_payment_with_unknown_method_and_three_decimals_is_422(api: ApiClient, invoice: Invoice) -> None:
    response = api.post(
        f"/invoices/{invoice.pk}/payments", {"date": "2026-09-15", "amount": "1.999", "method": "bitcoin"}
    )

    assert errors_at(response, "amount") == ["Deux décimales au maximum (les centimes)."]
    assert errors_at(response, "method") == [
        "Valeur non autorisée : choisissez parmi transfer, cheque, card, cash, direct_debit, other."
    ]
    assert not Payment.objects.exists()


def test_payment_of_zero_is_422(api: ApiClient, invoice: Invoice) -> None:
    response = api.post(f"/invoices/{invoice.pk}/payments", {"date": "2026-09-15", "amount": "0.00"})

    assert errors_at(response, "amount") == ["Le montant doit être supérieur à zéro."]


def test_payment_on_a_cancelled_invoice_is_409(api: ApiClient, invoice: Invoice) -> None:
    services.cancel_invoice(invoice=invoice, actor=None, reason="Doublon")

    response = api.post(f"/invoices/{invoice.pk}/payments", {"date": "2026-09-15", "amount": "10"})

    assert response.status_code == 409
    assert response.json() == {"detail": "Cette facture est annulée : aucun règlement ne peut y être enregistré."}


def test_payment_on_another_business_invoice_is_404(outsider_api: ApiClient, invoice: Invoice) -> None:
    response = outsider_api.post(f"/invoices/{invoice.pk}/payments", {"date": "2026-09-15", "amount": "10"})

    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_list_payments_of_an_invoice(api: ApiClient, invoice: Invoice, business: Business) -> None:
    services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("100"))
    services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("50.5"))
    other = make_invoice(business)
    services.record_payment(invoice=other, actor=None, date=other.issue_date, amount=Decimal("1"))

    response = api.get(f"/invoices/{invoice.pk}/payments")

    assert response.status_code == 200
    assert [payment["amount"] for payment in response.json()] == ["100.00", "50.50"]


def test_list_payments_of_another_business_invoice_is_404(outsider_api: ApiClient, invoice: Invoice) -> None:
    assert outsider_api.get(f"/invoices/{invoice.pk}/payments").status_code == 404


def test_list_payments_runs_the_same_number_of_queries_for_3_or_30(
    api: ApiClient, business: Business, django_assert_max_num_queries: Any
) -> None:
    invoice = make_invoice(business, amount="10000.00")
    for _ in range(3):
        services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("1"))
    api.get(f"/invoices/{invoice.pk}/payments")  # records the token's first use
    with CaptureQueriesContext(connection) as few:
        api.get(f"/invoices/{invoice.pk}/payments")
    for _ in range(27):
        services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("1"))

    with django_assert_max_num_queries(len(few)):
        response = api.get(f"/invoices/{invoice.pk}/payments")

    assert len(response.json()) == 30
    assert len(few) <= 3


def test_delete_payment_restores_the_amount_due(api: ApiClient, invoice: Invoice) -> None:
    payment = services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("300"))

    response = api.delete(f"/invoices/{invoice.pk}/payments/{payment.pk}")

    assert response.status_code == 204
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("1000.00")
    assert AuditEvent.objects.filter(invoice=invoice, action="payment_deleted").count() == 1


def test_delete_payment_of_another_business_is_404(outsider_api: ApiClient, invoice: Invoice) -> None:
    payment = services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("300"))

    assert outsider_api.delete(f"/invoices/{invoice.pk}/payments/{payment.pk}").status_code == 404
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_delete_payment_through_another_invoice_of_the_same_business_is_404(
    api: ApiClient, invoice: Invoice, business: Business
) -> None:
    payment = services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("300"))
    other = make_invoice(business)

    assert api.delete(f"/invoices/{other.pk}/payments/{payment.pk}").status_code == 404
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_delete_payment_with_own_invoice_but_foreign_payment_is_404(
    api: ApiClient, invoice: Invoice, other_business: Business
) -> None:
    foreign_invoice = make_invoice(other_business)
    foreign = services.record_payment(
        invoice=foreign_invoice, actor=None, date=foreign_invoice.issue_date, amount=Decimal("5")
    )

    assert api.delete(f"/invoices/{invoice.pk}/payments/{foreign.pk}").status_code == 404
    assert Payment.objects.filter(pk=foreign.pk).exists()


def test_patch_on_a_payment_is_405(api: ApiClient, invoice: Invoice) -> None:
    payment = services.record_payment(invoice=invoice, actor=None, date=invoice.issue_date, amount=Decimal("3"))

    assert api.patch(f"/invoices/{invoice.pk}/payments/{payment.pk}", {"amount": "4"}).status_code == 405
