import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from core.models import AuditEvent
from ledger import services
from ledger.models import Payment
from tests.factories import make_invoice
from tests.helpers import login_url


@pytest.fixture
def payment(business: Business) -> Payment:
    invoice = make_invoice(business, amount="500.00", issue_date=dt.date(2026, 9, 1))
    return services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 9, 10), amount=Decimal("200.00"))


def url(pk: int) -> str:
    return reverse("pages:payment_delete", args=[pk])


def test_anonymous_is_sent_to_login(payment: Payment) -> None:
    response = HttpClient().post(url(payment.pk))
    assert response.status_code == 302 and response.url == login_url(url(payment.pk))
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_get_is_405(owner_client: HttpClient, payment: Payment) -> None:
    assert owner_client.get(url(payment.pk)).status_code == 405


def test_outsider_gets_404(outsider_client: HttpClient, payment: Payment) -> None:
    assert outsider_client.post(url(payment.pk)).status_code == 404
    assert Payment.objects.filter(pk=payment.pk).exists()


def test_deleting_restores_amount_due_and_is_logged(owner_client: HttpClient, payment: Payment) -> None:
    response = owner_client.post(url(payment.pk))
    assert response.status_code == 302
    assert not Payment.objects.filter(pk=payment.pk).exists()
    payment.invoice.refresh_from_db()
    assert payment.invoice.amount_due == Decimal("500.00")
    assert AuditEvent.objects.filter(action="payment_deleted", invoice=payment.invoice).exists()
