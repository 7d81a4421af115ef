import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from core.models import AuditEvent
from ledger import services
from ledger.models import Invoice, Payment
from tests.factories import make_invoice
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(pk: int) -> str:
    return reverse("pages:payment_create", args=[pk])


def data(**overrides: str) -> dict[str, str]:
    return {
        "payment-date": "2026-11-20",
        "payment-amount": "250,50",
        "payment-method": "transfer",
        "payment-reference": "VIR 123",
        **overrides,
    }


@pytest.fixture
def invoice(business: Business) -> Invoice:
    return make_invoice(business, amount="1000.00", issue_date=dt.date(2026, 9, 1))


def test_anonymous_is_sent_to_login(invoice: Invoice) -> None:
    response = HttpClient().post(url(invoice.pk), data())
    assert response.status_code == 302 and response.url == login_url(url(invoice.pk))
    assert not Payment.objects.exists()


def test_get_is_405(owner_client: HttpClient, invoice: Invoice) -> None:
    assert owner_client.get(url(invoice.pk)).status_code == 405


def test_outsider_gets_404_and_nothing_is_written(outsider_client: HttpClient, invoice: Invoice) -> None:
    assert outsider_client.post(url(invoice.pk), data()).status_code == 404
    assert not Payment.objects.exists()


def test_partial_payment_lowers_amount_due(owner_client: HttpClient, invoice: Invoice) -> None:
    response = owner_client.post(url(invoice.pk), data(), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("pages:invoice_detail", args=[invoice.pk]))
    assert "Règlement de 250,50\u202f€ enregistré." in response.text
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("749.50")
    payment = Payment.objects.get()
    assert (payment.business_id, payment.reference) == (invoice.business_id, "VIR 123")
    assert AuditEvent.objects.filter(action="payment_recorded", invoice=invoice).exists()


def test_over_payment_is_refused_with_the_service_message(owner_client: HttpClient, invoice: Invoice) -> None:
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 1), amount=Decimal("900.00"))
    response = owner_client.post(url(invoice.pk), data(**{"payment-amount": "100.01"}))
    assert response.status_code == 422
    assert response.context["payment_form"].errors["amount"] == [
        "Le montant dépasse le reste dû (100,00\u202f€) : un trop-perçu est refusé."
    ]
    assert "un trop-perçu est refusé" in response.text
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("100.00")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "", "Indiquez le montant reçu."),
        ("amount", "0", "Le montant doit être supérieur à zéro."),
        ("amount", "abc", "Saisissez un montant, par exemple 1 234,56."),
        ("date", "", "Indiquez la date du règlement."),
        ("date", "2026-11-29", "Un règlement ne peut pas être daté dans le futur."),
        ("date", "2026-08-31", "Le règlement ne peut pas précéder la date de la facture."),
    ],
)
def test_invalid_payment_is_422_with_french_message(
    owner_client: HttpClient, invoice: Invoice, field: str, value: str, message: str
) -> None:
    response = owner_client.post(url(invoice.pk), data(**{f"payment-{field}": value}))
    assert response.status_code == 422
    assert message in response.context["payment_form"].errors[field]
    assert not Payment.objects.exists()


def test_cancelled_invoice_refuses_payments(owner_client: HttpClient, invoice: Invoice) -> None:
    services.cancel_invoice(invoice=invoice, actor=None, reason="Doublon")
    response = owner_client.post(url(invoice.pk), data())
    assert response.status_code == 409
    assert "Cette facture est annulée : aucun règlement ne peut y être enregistré." in response.text
    assert not Payment.objects.exists()
