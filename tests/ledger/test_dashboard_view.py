import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import Business
from dunning.models import Reminder
from ledger import services
from tests.factories import make_client, make_invoice, make_reminder_row
from tests.helpers import login_url

pytestmark = pytest.mark.usefixtures("frozen_today")
URL = reverse("pages:dashboard")


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = HttpClient().get(URL)
    assert response.status_code == 302
    assert response.url == login_url(URL)


def test_wrong_method_is_405(owner_client: HttpClient) -> None:
    assert owner_client.post(URL).status_code == 405


def test_new_business_sees_the_teaching_empty_state(owner_client: HttpClient) -> None:
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert "Aucune facture — créez votre premier client puis votre première facture" in response.text
    assert reverse("ledger:client_create") in response.text


def test_revenue_counts_payments_dated_this_year_only(owner_client: HttpClient, business: Business) -> None:
    invoice = make_invoice(business, amount="5000.00", issue_date=dt.date(2025, 12, 1))
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2025, 12, 31), amount=Decimal("1000.00"))
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 1, 1), amount=Decimal("1234.56"))
    response = owner_client.get(URL)
    assert response.context["revenue"] == Decimal("1234.56")
    assert "1\u202f234,56\u202f€" in response.text
    assert response.context["ceiling"].amount == Decimal("83600")
    assert "Urssaf" in response.text
    assert '<progress value="1234.56" max="83600"' in response.text


def test_sales_activity_uses_the_sales_ceiling(owner_client: HttpClient, business: Business) -> None:
    business.activity = Business.Activity.SALES
    business.save()
    response = owner_client.get(URL)
    assert response.context["ceiling"].amount == Decimal("203100")


def test_outstanding_card_shows_total_and_late_part_and_links_to_late_payments(
    owner_client: HttpClient, business: Business
) -> None:
    make_invoice(business, amount="300.00", issue_date=dt.date(2026, 11, 20), due_date=dt.date(2026, 12, 20))
    make_invoice(business, amount="200.00", issue_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 10, 1))
    response = owner_client.get(URL)
    summary = response.context["summary"]
    assert (summary.total.invoices, summary.total.amount_due) == (2, Decimal("500.00"))
    assert (summary.late.invoices, summary.late.amount_due) == (1, Decimal("200.00"))
    assert "Factures impayées (encours)" in response.text
    assert f'href="{reverse("pages:late_payments")}"' in response.text


def test_to_do_lists_late_invoices_never_reminded_and_reminder_counts(
    owner_client: HttpClient, business: Business
) -> None:
    waiting = make_invoice(business, number="F-WAIT", issue_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 10, 1))
    reminded = make_invoice(business, number="F-DONE", issue_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 10, 1))
    make_reminder_row(reminded)
    make_reminder_row(reminded, status=Reminder.Status.DRAFT)
    make_reminder_row(reminded, status=Reminder.Status.SEND_FAILED)
    make_reminder_row(reminded, status=Reminder.Status.SEND_UNCERTAIN)
    response = owner_client.get(URL)
    assert [invoice.number for invoice in response.context["to_do"]] == ["F-WAIT"]
    assert response.context["to_do"][0].days_late == 58
    assert response.context["reminder_counts"] == {"drafts": 1, "failed": 1, "uncertain": 1}
    assert "1</strong> brouillon de relance en attente" in response.text
    assert f'name="invoice_ids" value="{waiting.pk}"' in response.text


def test_other_business_figures_never_show(owner_client: HttpClient, other_business: Business) -> None:
    make_invoice(other_business, amount="999.00", issue_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 10, 1))
    response = owner_client.get(URL)
    assert response.context["summary"].total.invoices == 0
    assert response.context["to_do"] == []


def test_query_count_does_not_grow_with_data(
    owner_client: HttpClient, business: Business, django_assert_max_num_queries: Any
) -> None:
    def load() -> int:
        with django_assert_max_num_queries(12) as context:
            assert owner_client.get(URL).status_code == 200
        return len(context.captured_queries)

    client = make_client(business)
    for index in range(5):
        make_invoice(business, client, issue_date=dt.date(2026, 8, 1) + dt.timedelta(days=index))
    few = load()
    for index in range(45):
        invoice = make_invoice(
            business, make_client(business), issue_date=dt.date(2026, 7, 1) + dt.timedelta(days=index)
        )
        services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 11, 1), amount=Decimal("10.00"))
    assert load() == few
