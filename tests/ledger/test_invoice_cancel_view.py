import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from core.models import AuditEvent
from ledger import queries
from ledger.models import Invoice
from tests.factories import make_invoice
from tests.helpers import TODAY, login_url

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(pk: int) -> str:
    return reverse("pages:invoice_cancel", args=[pk])


@pytest.fixture
def invoice(business: Business) -> Invoice:
    return make_invoice(business, issue_date=dt.date(2026, 9, 1))


def test_anonymous_is_sent_to_login(invoice: Invoice) -> None:
    response = HttpClient().post(url(invoice.pk), {"cancel-cancel_reason": "x"})
    assert response.status_code == 302 and response.url == login_url(url(invoice.pk))


def test_get_is_405(owner_client: HttpClient, invoice: Invoice) -> None:
    assert owner_client.get(url(invoice.pk)).status_code == 405


def test_outsider_gets_404(outsider_client: HttpClient, invoice: Invoice) -> None:
    assert outsider_client.post(url(invoice.pk), {"cancel-cancel_reason": "x"}).status_code == 404
    invoice.refresh_from_db()
    assert invoice.cancelled_at is None


def test_cancel_with_reason_takes_it_out_of_the_outstanding(
    owner_client: HttpClient, business: Business, invoice: Invoice
) -> None:
    response = owner_client.post(url(invoice.pk), {"cancel-cancel_reason": "Facture en double"}, follow=True)
    assert "annulée" in response.text
    invoice.refresh_from_db()
    assert invoice.cancelled_at is not None and invoice.cancel_reason == "Facture en double"
    assert queries.late_payment_summary(business, TODAY).total.invoices == 0
    assert AuditEvent.objects.filter(action="cancelled", invoice=invoice).exists()
    assert "Motif : Facture en double" in response.text


def test_cancel_without_reason_is_422(owner_client: HttpClient, invoice: Invoice) -> None:
    response = owner_client.post(url(invoice.pk), {"cancel-cancel_reason": " "})
    assert response.status_code == 422
    assert response.context["cancel_form"].errors["cancel_reason"] == ["Indiquez le motif de l’annulation."]
    invoice.refresh_from_db()
    assert invoice.cancelled_at is None


def test_cancelling_twice_is_409(owner_client: HttpClient, invoice: Invoice) -> None:
    owner_client.post(url(invoice.pk), {"cancel-cancel_reason": "Doublon"})
    response = owner_client.post(url(invoice.pk), {"cancel-cancel_reason": "Encore"})
    assert response.status_code == 409
    assert "Cette facture est déjà annulée." in response.text
