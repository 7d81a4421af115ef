import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business, User
from ledger import services
from tests.factories import make_client, make_invoice, make_reminder_row
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(pk: int) -> str:
    return reverse("pages:client_detail", args=[pk])


def test_anonymous_is_sent_to_login(business: Business) -> None:
    client = make_client(business)
    response = HttpClient().get(url(client.pk))
    assert response.status_code == 302 and response.url == login_url(url(client.pk))


def test_outsider_gets_404(outsider_client: HttpClient, business: Business) -> None:
    assert outsider_client.get(url(make_client(business).pk)).status_code == 404


def test_wrong_method_is_405(owner_client: HttpClient, business: Business) -> None:
    assert owner_client.post(url(make_client(business).pk)).status_code == 405


def test_shows_identity_balance_invoices_payments_and_history(
    owner_client: HttpClient, business: Business, owner: User
) -> None:
    client = make_client(business, name="Boulangerie Martin", siren="732829320")
    late = make_invoice(business, client, number="F-LATE", amount="400.00", issue_date=dt.date(2026, 9, 1))
    make_invoice(business, client, number="F-NEW", amount="100.00", issue_date=dt.date(2026, 11, 20))
    services.record_payment(invoice=late, actor=owner, date=dt.date(2026, 10, 5), amount=Decimal("150.00"))
    make_reminder_row(late, level=2)
    response = owner_client.get(url(client.pk))
    assert response.status_code == 200
    assert response.context["balance"] == Decimal("350.00")
    assert response.context["late_amount"] == Decimal("250.00")
    assert "732829320" in response.text
    assert "F-LATE" in response.text and "F-NEW" in response.text
    assert "En retard" in response.text and "Non échue" in response.text
    assert "Seconde relance" in response.text
    assert "Règlement enregistré" in response.text
    assert "owner@relance.test" in response.text
    assert "Client créé" in response.text


def test_pause_is_shown_with_reason_and_end(owner_client: HttpClient, business: Business) -> None:
    client = make_client(
        business, reminders_paused=True, pause_reason="Litige en cours", pause_until=dt.date(2026, 12, 31)
    )
    response = owner_client.get(url(client.pk))
    assert "Relances en pause" in response.text
    assert "Litige en cours" in response.text and "31/12/2026" in response.text


def test_delete_button_only_without_invoices(owner_client: HttpClient, business: Business) -> None:
    empty = make_client(business)
    busy = make_client(business)
    make_invoice(business, busy)
    assert reverse("ledger:client_delete", args=[empty.pk]) in owner_client.get(url(empty.pk)).text
    assert reverse("ledger:client_delete", args=[busy.pk]) not in owner_client.get(url(busy.pk)).text


def test_query_count_is_constant(
    owner_client: HttpClient, business: Business, django_assert_max_num_queries: Any
) -> None:
    client = make_client(business)

    def load() -> int:
        with django_assert_max_num_queries(12) as context:
            owner_client.get(url(client.pk))
        return len(context.captured_queries)

    for index in range(3):
        invoice = make_invoice(business, client, issue_date=dt.date(2026, 8, 1) + dt.timedelta(days=index))
        services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 9, 1), amount=Decimal("10.00"))
    few = load()
    for index in range(20):
        invoice = make_invoice(business, client, issue_date=dt.date(2026, 6, 1) + dt.timedelta(days=index))
        services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 9, 1), amount=Decimal("10.00"))
        make_reminder_row(invoice)
    assert load() == few
