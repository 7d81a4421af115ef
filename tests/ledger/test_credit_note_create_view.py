import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from ledger import services
from ledger.models import CreditNote, Invoice
from tests.factories import make_invoice
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(pk: int) -> str:
    return reverse("pages:credit_note_create", args=[pk])


def data(**overrides: str) -> dict[str, str]:
    return {
        "credit-number": "AV-1",
        "credit-date": "2026-11-20",
        "credit-amount": "100",
        "credit-reason": "Remise",
        **overrides,
    }


@pytest.fixture
def invoice(business: Business) -> Invoice:
    return make_invoice(business, amount="300.00", issue_date=dt.date(2026, 9, 1))


def test_anonymous_is_sent_to_login(invoice: Invoice) -> None:
    response = HttpClient().post(url(invoice.pk), data())
    assert response.status_code == 302 and response.url == login_url(url(invoice.pk))


def test_get_is_405(owner_client: HttpClient, invoice: Invoice) -> None:
    assert owner_client.get(url(invoice.pk)).status_code == 405


def test_outsider_gets_404(outsider_client: HttpClient, invoice: Invoice) -> None:
    assert outsider_client.post(url(invoice.pk), data()).status_code == 404
    assert not CreditNote.objects.exists()


def test_credit_note_lowers_amount_due(owner_client: HttpClient, invoice: Invoice) -> None:
    response = owner_client.post(url(invoice.pk), data(), follow=True)
    assert "Avoir n° AV-1 de 100,00\u202f€ enregistré." in response.text
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("200.00")


def test_credit_note_above_amount_due_is_refused(owner_client: HttpClient, invoice: Invoice) -> None:
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 1), amount=Decimal("250.00"))
    response = owner_client.post(url(invoice.pk), data(**{"credit-amount": "50,01"}))
    assert response.status_code == 422
    assert response.context["credit_form"].errors["amount"] == [
        "Un avoir ne peut pas dépasser le reste dû (50,00\u202f€)."
    ]
    assert not CreditNote.objects.exists()


def test_duplicate_credit_note_number_is_refused(owner_client: HttpClient, invoice: Invoice) -> None:
    owner_client.post(url(invoice.pk), data())
    response = owner_client.post(url(invoice.pk), data(**{"credit-amount": "10"}))
    assert response.status_code == 422
    assert response.context["credit_form"].errors["number"] == ["Un avoir n° AV-1 existe déjà."]
    assert CreditNote.objects.count() == 1


def test_missing_number_is_refused(owner_client: HttpClient, invoice: Invoice) -> None:
    response = owner_client.post(url(invoice.pk), data(**{"credit-number": ""}))
    assert response.status_code == 422
    assert response.context["credit_form"].errors["number"] == ["Indiquez le numéro de l’avoir."]
