"""The late-payment summary is cached under the version of the books: every write draws a new one.

The list of writes is taken from `ledger.services` itself: a new public function there fails
`test_every_write_of_the_ledger_is_checked` until it is added below (or named as no write).
"""

import datetime as dt
import inspect
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Business
from ledger import queries, services
from ledger.models import Invoice, Payment
from tests.factories import make_client, make_invoice
from tests.helpers import TODAY

pytestmark = pytest.mark.django_db

# Public functions of ledger.services that write nothing.
READS = {"default_due_date", "invoice_is_locked"}
# Writes of what the summary does not show: the mark of an invoice quoted by a reminder, and
# an invoice's entry into (or exit from) a collection case, which leaves its amounts and its
# lateness as they were.
NOT_IN_SUMMARY = {"mark_quoted", "enter_collection", "leave_collection"}


# Writes whose effect the summary does not show: clients, and opening the books for writes to come.
NOT_SHOWN = {
    "create_client",
    "create_clients",
    "update_client",
    "delete_client",
    "restore_client_pause",
    "writing_books",
}


def _open_the_books(business: Business) -> None:
    with services.writing_books(business):
        pass


def _late_invoice(business: Business) -> Invoice:
    return make_invoice(business, amount="500.00", issue_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 10, 1))


def _payment(invoice: Invoice) -> Payment:
    return services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 5), amount="100.00")


# Each write of the ledger, applied to a business that has one late invoice with a payment.
WRITES: dict[str, Callable[[Business, Invoice, Payment], object]] = {
    "create_client": lambda business, invoice, payment: services.create_client(
        business=business, actor=None, kind="business", name="Nouveau client"
    ),
    "writing_books": lambda business, invoice, payment: _open_the_books(business),
    "update_client": lambda business, invoice, payment: services.update_client(
        client=invoice.client, actor=None, name="Autre nom"
    ),
    "delete_client": lambda business, invoice, payment: services.delete_client(
        client=make_client(business), actor=None
    ),
    "create_clients": lambda business, invoice, payment: services.create_clients(
        business=business, actor=None, items=[{"name": "Nouveau client"}]
    ),
    "create_invoice": lambda business, invoice, payment: make_invoice(business, client=invoice.client),
    "create_invoices": lambda business, invoice, payment: services.create_invoices(
        business=business,
        actor=None,
        items=[
            {
                "client": invoice.client,
                "number": "F-LOT-1",
                "issue_date": dt.date(2026, 9, 1),
                "due_date": dt.date(2026, 9, 15),
                "total_excl_tax": Decimal("300.00"),
            }
        ],
    ),
    "update_invoice": lambda business, invoice, payment: services.update_invoice(
        invoice=invoice, actor=None, due_date=dt.date(2026, 11, 20)
    ),
    "cancel_invoice": lambda business, invoice, payment: services.cancel_invoice(
        invoice=invoice, actor=None, reason="Erreur de saisie"
    ),
    "record_payment": lambda business, invoice, payment: _payment(invoice),
    "record_payments": lambda business, invoice, payment: services.record_payments(
        business=business, actor=None, items=[{"invoice": invoice, "date": dt.date(2026, 10, 6), "amount": "40.00"}]
    ),
    "delete_payment": lambda business, invoice, payment: services.delete_payment(payment=payment, actor=None),
    "record_credit_note": lambda business, invoice, payment: services.record_credit_note(
        invoice=invoice, actor=None, number="AV-9", date=dt.date(2026, 10, 6), amount="50.00"
    ),
    "restore_client_pause": lambda business, invoice, payment: services.restore_client_pause(
        client=invoice.client, actor=None, reason="Accord", until=None
    ),
    "restore_invoice_state": lambda business, invoice, payment: services.restore_invoice_state(
        invoice=invoice,
        actor=None,
        cancelled_at=dt.datetime(2026, 10, 7, 9, 0, tzinfo=dt.UTC),
        cancel_reason="Erreur",
        disputed=False,
        dispute_reason="",
        reminders_paused_until=None,
    ),
}


def _fresh(business: Business) -> Business:
    """The business as the next request reads it with its user."""
    return Business.objects.get(pk=business.pk)


def _uncached(business: Business) -> queries.LatePaymentSummary:
    cache.clear()
    return queries.late_payment_summary(_fresh(business), TODAY)


def test_every_write_of_the_ledger_is_checked() -> None:
    public = {
        name
        for name, function in inspect.getmembers(services, inspect.isfunction)
        if function.__module__ == services.__name__ and not name.startswith("_")
    }
    assert public - READS - NOT_IN_SUMMARY == set(WRITES)


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_write_draws_a_new_version_and_the_next_summary_shows_it(business: Business, name: str) -> None:
    invoice = _late_invoice(business)
    payment = _payment(invoice)
    before = queries.late_payment_summary(_fresh(business), TODAY)
    version = _fresh(business).books_version
    WRITES[name](_fresh(business), Invoice.objects.get(pk=invoice.pk), payment)
    assert _fresh(business).books_version != version
    after = queries.late_payment_summary(_fresh(business), TODAY)
    assert after == _uncached(business)
    if name not in NOT_SHOWN:
        assert after != before


def test_writes_inside_writing_books_draw_one_version_for_all(business: Business) -> None:
    invoice = _late_invoice(business)
    before = queries.late_payment_summary(_fresh(business), TODAY)
    with CaptureQueriesContext(connection) as captured, services.writing_books(business):
        _payment(invoice)
        # A refused write rolls back its own savepoint, not the version drawn around it.
        with pytest.raises(ValidationError):
            services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 5), amount="9999.00")
        make_invoice(business, client=invoice.client, amount="70.00")
    assert sum(query["sql"].startswith('UPDATE "accounts_business"') for query in captured) == 1
    after = queries.late_payment_summary(_fresh(business), TODAY)
    assert after == _uncached(business)
    assert after.total.amount_due == before.total.amount_due - Decimal("100.00") + Decimal("70.00")


def test_a_refused_write_keeps_the_version(business: Business) -> None:
    invoice = _late_invoice(business)
    version = _fresh(business).books_version
    with pytest.raises(ValidationError):
        services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 5), amount="9999.00")
    assert _fresh(business).books_version == version


def test_the_callers_copy_of_the_business_follows_its_own_writes(business: Business) -> None:
    invoice = _late_invoice(business)
    assert queries.late_payment_summary(business, TODAY).late.amount_due == Decimal("500.00")
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 5), amount="100.00")
    assert queries.late_payment_summary(business, TODAY).late.amount_due == Decimal("400.00")


def test_a_cached_summary_costs_no_query(business: Business, django_assert_num_queries: Any) -> None:
    _late_invoice(business)
    with django_assert_num_queries(1):
        first = queries.late_payment_summary(business, TODAY)
    with django_assert_num_queries(0):
        assert queries.late_payment_summary(business, TODAY) == first


def test_the_summary_is_kept_per_day_and_per_bucket_settings(business: Business) -> None:
    _late_invoice(business)
    assert queries.late_payment_summary(business, TODAY).late.invoices == 1
    assert queries.late_payment_summary(business, dt.date(2026, 9, 15)).late.invoices == 0
    business.bucket_bounds = "15,45"
    rows = {row.key: row.invoices for row in queries.late_payment_summary(business, TODAY).buckets}
    assert rows == {"not_due": 0, "1-15": 0, "16-45": 0, "45+": 1}


def test_the_page_shows_a_payment_made_since_it_was_last_seen(
    owner_client: HttpClient, business: Business, frozen_today: dt.date
) -> None:
    invoice = make_invoice(business, amount="500.00", issue_date=dt.date(2026, 9, 1), due_date=dt.date(2026, 10, 1))
    url = reverse("pages:late_payments")
    assert "500,00" in owner_client.get(url).content.decode()
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 5), amount="120.00")
    page = owner_client.get(url).content.decode()
    assert "380,00" in page and "500,00" not in page
