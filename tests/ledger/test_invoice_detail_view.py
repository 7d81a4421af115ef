import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business, User
from ledger import services
from ledger.models import Invoice
from tests.factories import make_invoice, make_reminder_row
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")


def url(pk: int) -> str:
    return reverse("pages:invoice_detail", args=[pk])


@pytest.fixture
def invoice(business: Business) -> Invoice:
    return make_invoice(business, number="F-1", amount="1000.00", issue_date=dt.date(2026, 9, 1))


def test_anonymous_is_sent_to_login(invoice: Invoice) -> None:
    response = HttpClient().get(url(invoice.pk))
    assert response.status_code == 302 and response.url == login_url(url(invoice.pk))


def test_outsider_gets_404(outsider_client: HttpClient, invoice: Invoice) -> None:
    assert outsider_client.get(url(invoice.pk)).status_code == 404


def test_wrong_method_is_405(owner_client: HttpClient, invoice: Invoice) -> None:
    assert owner_client.post(url(invoice.pk)).status_code == 405


def test_shows_amounts_status_days_late_payments_credit_notes_and_history(
    owner_client: HttpClient, invoice: Invoice, owner: User
) -> None:
    services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 10, 5), amount=Decimal("300.00"))
    services.record_credit_note(
        invoice=invoice, actor=owner, number="AV-1", date=dt.date(2026, 10, 6), amount=Decimal("100.00")
    )
    response = owner_client.get(url(invoice.pk))
    assert response.status_code == 200
    assert (response.context["paid"], response.context["credited"]) == (Decimal("300.00"), Decimal("100.00"))
    assert response.context["status_label"] == "En retard"
    assert response.context["days_late"] == 58
    assert "600,00\u202f€" in response.text
    assert "58 jours de retard" in response.text
    assert "AV-1" in response.text
    assert "Règlement enregistré" in response.text and "Avoir AV-1 enregistré" in response.text
    assert "Montant : 300,00\u202f€" in response.text
    assert "owner@relance.test" in response.text
    assert "Enregistrer un règlement" in response.text and "Ajouter un avoir" in response.text
    assert reverse("ledger:invoice_edit", args=[invoice.pk]) in response.text
    assert f'action="{reverse("dunning:reminder_create")}"' in response.text


def test_locked_invoice_explains_what_is_still_possible(owner_client: HttpClient, invoice: Invoice) -> None:
    make_reminder_row(invoice, level=1)
    response = owner_client.get(url(invoice.pk))
    assert response.context["locked"]
    assert "elle n’est plus modifiable" in response.text
    assert reverse("ledger:invoice_edit", args=[invoice.pk]) not in response.text
    assert "Relance amiable" in response.text


def test_paid_invoice_offers_no_payment_form(owner_client: HttpClient, invoice: Invoice) -> None:
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 5), amount=Decimal("1000.00"))
    response = owner_client.get(url(invoice.pk))
    assert response.context["status_label"] == "Payée"
    assert "Enregistrer un règlement" not in response.text


def test_query_count_is_constant(
    owner_client: HttpClient, invoice: Invoice, owner: User, django_assert_max_num_queries: Any
) -> None:
    def load() -> int:
        with django_assert_max_num_queries(14) as context:
            owner_client.get(url(invoice.pk))
        return len(context.captured_queries)

    services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 10, 1), amount=Decimal("1.00"))
    load()  # The first late invoice shown in a process also fills the rate tables' cache.
    few = load()
    for day in range(2, 30):
        services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 10, day), amount=Decimal("1.00"))
    make_reminder_row(invoice)
    assert load() == few
