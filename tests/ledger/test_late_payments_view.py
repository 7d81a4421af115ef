import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from tests.factories import make_client, make_invoice
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")
URL = reverse("pages:late_payments")


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302 and response.url == login_url(URL)


def test_wrong_method_is_405(owner_client: HttpClient) -> None:
    assert owner_client.post(URL).status_code == 405


def test_cards_show_each_bucket_with_invoices_clients_and_amount(owner_client: HttpClient, business: Business) -> None:
    client = make_client(business)
    make_invoice(business, client, amount="120.00", issue_date=dt.date(2026, 10, 1), due_date=dt.date(2026, 10, 28))
    make_invoice(business, client, amount="80.00", issue_date=dt.date(2026, 10, 1), due_date=dt.date(2026, 10, 20))
    make_invoice(business, amount="50.00", issue_date=dt.date(2026, 11, 1), due_date=dt.date(2026, 11, 28))
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert response.context["nav"] == "late"
    rows = {row.key: (row.invoices, row.clients, row.amount_due) for row in response.context["summary"].buckets}
    assert rows["31-60"] == (2, 1, Decimal("200.00"))
    assert rows["not_due"] == (1, 1, Decimal("50.00"))
    for key in ["not_due", "1-30", "31-60", "61-90", "90+"]:
        assert reverse("pages:late_bucket", args=[key]) in response.text
    assert "Plus de 90 jours" in response.text
    assert "2 factures · 1 client" in response.text
    assert 'aria-current="page">Retards de paiement' in response.text


def test_no_unpaid_invoice_says_so(owner_client: HttpClient) -> None:
    assert "Aucune facture impayée 🎉" in owner_client.get(URL).text


def test_query_count_is_constant(
    owner_client: HttpClient, business: Business, django_assert_max_num_queries: Any
) -> None:
    def load() -> int:
        with django_assert_max_num_queries(8) as context:
            owner_client.get(URL)
        return len(context.captured_queries)

    for index in range(5):
        make_invoice(business, issue_date=dt.date(2026, 6, 1) + dt.timedelta(days=index * 30))
    few = load()
    for index in range(45):
        make_invoice(business, issue_date=dt.date(2026, 5, 1) + dt.timedelta(days=index * 4))
    assert load() == few


def test_cached_page_follows_every_write_and_the_language(
    owner_client: HttpClient, business: Business, owner: Any
) -> None:
    """The page's body is cached under the summary's key: a payment, then a language switch,
    each shows at once."""
    from ledger import services

    invoice = make_invoice(business, amount="1000.00", due_date=dt.date(2026, 11, 1))
    assert "1\u202f000,00\u202f€" in owner_client.get(URL).text
    services.record_payment(invoice=invoice, actor=owner, date=dt.date(2026, 11, 20), amount=Decimal("400.00"))
    french = owner_client.get(URL).text
    assert "600,00\u202f€" in french and "1\u202f000,00\u202f€" not in french
    owner_client.post(reverse("set_language"), {"language": "en", "next": URL})
    english = owner_client.get(URL).text
    assert "Dont en retard" not in english and "600,00" in english
