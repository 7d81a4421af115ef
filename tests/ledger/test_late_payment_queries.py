"""Lateness buckets from the database: boundaries, counts, one aggregate query."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from accounts.models import Business
from dunning import queries as dunning_queries
from ledger import queries, services
from ledger.models import Invoice
from tests.factories import make_client, make_invoice, make_reminder_row
from tests.helpers import TODAY

pytestmark = pytest.mark.django_db


def _invoice_due(business: Business, due: dt.date, amount: str = "100.00", **kwargs: Any) -> Invoice:
    return make_invoice(business, amount=amount, issue_date=due - dt.timedelta(days=30), due_date=due, **kwargs)


def _row(business: Business, key: str, as_of: dt.date = TODAY) -> queries.BucketRow:
    return next(row for row in queries.late_payment_buckets(business, as_of) if row.key == key)


@pytest.mark.parametrize(
    ("due", "key"),
    [
        (dt.date(2026, 11, 28), "not_due"),
        (dt.date(2026, 11, 27), "1-30"),
        (dt.date(2026, 10, 29), "1-30"),
        (dt.date(2026, 10, 28), "31-60"),
        (dt.date(2026, 8, 30), "61-90"),
        (dt.date(2026, 8, 29), "90+"),
    ],
)
def test_acceptance_boundaries_as_of_2026_11_28(business: Business, due: dt.date, key: str) -> None:
    _invoice_due(business, due)
    rows = {row.key: row.invoices for row in queries.late_payment_buckets(business, TODAY)}
    assert rows == {k: (1 if k == key else 0) for k in ["not_due", "1-30", "31-60", "61-90", "90+"]}


def test_buckets_count_invoices_distinct_clients_and_amount_due(business: Business) -> None:
    alice, bob = make_client(business, name="Alice"), make_client(business, name="Bob")
    _invoice_due(business, dt.date(2026, 11, 1), "100.00", client=alice)
    _invoice_due(business, dt.date(2026, 11, 10), "250.50", client=alice)
    _invoice_due(business, dt.date(2026, 11, 20), "49.50", client=bob)
    row = _row(business, "1-30")
    assert (row.invoices, row.clients, row.amount_due) == (3, 2, Decimal("400.00"))
    assert row.label == "1 à 30 jours" and row.is_late


def test_amount_due_is_what_remains_after_payments_and_credit_notes(business: Business) -> None:
    invoice = _invoice_due(business, dt.date(2026, 10, 1), "1000.00")
    services.record_payment(invoice=invoice, actor=None, date=dt.date(2026, 10, 5), amount=Decimal("300.00"))
    services.record_credit_note(
        invoice=invoice, actor=None, number="AV-1", date=dt.date(2026, 10, 6), amount=Decimal("100.10")
    )
    assert _row(business, "31-60").amount_due == Decimal("599.90")


def test_paid_and_cancelled_invoices_are_left_out(business: Business) -> None:
    paid = _invoice_due(business, dt.date(2026, 10, 1), "100.00")
    services.record_payment(invoice=paid, actor=None, date=dt.date(2026, 10, 2), amount=Decimal("100.00"))
    cancelled = _invoice_due(business, dt.date(2026, 10, 1), "100.00")
    services.cancel_invoice(invoice=cancelled, actor=None, reason="Erreur de saisie")
    summary = queries.late_payment_summary(business, TODAY)
    assert summary.total.invoices == 0
    assert summary.total.amount_due == Decimal("0.00")


def test_total_and_late_part_count_each_client_once(business: Business) -> None:
    client = make_client(business)
    _invoice_due(business, dt.date(2026, 12, 15), "100.00", client=client)
    _invoice_due(business, dt.date(2026, 11, 1), "200.00", client=client)
    _invoice_due(business, dt.date(2026, 7, 1), "300.00", client=client)
    summary = queries.late_payment_summary(business, TODAY)
    assert (summary.total.invoices, summary.total.clients, summary.total.amount_due) == (3, 1, Decimal("600.00"))
    assert (summary.late.invoices, summary.late.clients, summary.late.amount_due) == (2, 1, Decimal("500.00"))


def test_other_business_invoices_are_not_counted(business: Business, other_business: Business) -> None:
    _invoice_due(other_business, dt.date(2026, 11, 1))
    assert queries.late_payment_summary(business, TODAY).total.invoices == 0


def test_custom_bounds_give_custom_buckets(business: Business) -> None:
    business.bucket_bounds = "15,45"
    business.save()
    _invoice_due(business, dt.date(2026, 11, 13))  # 15 days
    _invoice_due(business, dt.date(2026, 11, 12))  # 16 days
    _invoice_due(business, dt.date(2026, 10, 13))  # 46 days
    rows = {row.key: row.invoices for row in queries.late_payment_buckets(business, TODAY)}
    assert rows == {"not_due": 0, "1-15": 1, "16-45": 1, "45+": 1}


def test_issue_date_basis_counts_age_from_the_invoice_date(business: Business) -> None:
    business.bucket_basis = Business.BucketBasis.ISSUE_DATE
    business.save()
    # 5 days late, but issued 65 days ago: in 61-90 when counted from the invoice date.
    make_invoice(business, issue_date=dt.date(2026, 9, 24), due_date=dt.date(2026, 11, 23))
    # Issued long ago but not due yet: never late, whatever the basis.
    make_invoice(business, issue_date=dt.date(2026, 6, 1), due_date=dt.date(2026, 12, 31))
    rows = {row.key: row.invoices for row in queries.late_payment_buckets(business, TODAY)}
    assert rows == {"not_due": 1, "1-30": 0, "31-60": 0, "61-90": 1, "90+": 0}


def test_summary_is_one_query_whatever_the_number_of_invoices(
    business: Business, django_assert_num_queries: Any
) -> None:
    client = make_client(business)
    for offset in range(0, 150, 3):
        _invoice_due(business, TODAY - dt.timedelta(days=offset), client=client)
    with django_assert_num_queries(1):
        summary = queries.late_payment_summary(business, TODAY)
    assert summary.total.invoices == 50
    assert sum(row.invoices for row in summary.buckets) == 50


def test_bucket_invoices_lists_the_bucket_only(business: Business) -> None:
    inside = _invoice_due(business, dt.date(2026, 10, 28))
    _invoice_due(business, dt.date(2026, 10, 29))
    assert list(queries.bucket_invoices(business, "31-60", TODAY)) == [inside]


def test_bucket_invoices_refuses_an_unknown_key(business: Business) -> None:
    with pytest.raises(queries.UnknownBucket):
        queries.bucket_invoices(business, "1-45", TODAY)


def test_last_reminder_annotation_takes_the_latest_frozen_one(business: Business) -> None:
    from dunning.models import Reminder

    invoice = _invoice_due(business, dt.date(2026, 9, 1))
    first = dt.datetime(2026, 9, 10, 9, 0, tzinfo=dt.UTC)
    second = dt.datetime(2026, 10, 12, 9, 0, tzinfo=dt.UTC)
    make_reminder_row(invoice, level=1, at=first)
    make_reminder_row(invoice, level=2, status=Reminder.Status.SAVED, at=second)
    make_reminder_row(invoice, level=3, status=Reminder.Status.DRAFT)
    annotated = dunning_queries.with_last_reminder(Invoice.objects.filter(pk=invoice.pk)).get()
    assert annotated.last_reminder_level == 2  # type: ignore[attr-defined]
    assert annotated.last_reminder_status == "saved"  # type: ignore[attr-defined]
    assert annotated.last_reminder_at == second  # type: ignore[attr-defined]


def test_last_reminder_annotation_counts_deactivated_ones_and_breaks_ties_by_creation(business: Business) -> None:
    from dunning.models import Reminder

    invoice = _invoice_due(business, dt.date(2026, 9, 1))
    other = _invoice_due(business, dt.date(2026, 9, 2))
    same_moment = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)
    make_reminder_row(invoice, level=1, at=same_moment)
    make_reminder_row(invoice, level=2, status=Reminder.Status.SAVED, at=same_moment, deactivated=True)
    annotated = dunning_queries.with_last_reminder(Invoice.objects.filter(business=business)).order_by("due_date")
    # Counted and sliced as the API's pagination does, each row with its own invoice's reminder.
    assert annotated.count() == 2
    first, second = annotated[0:2]
    assert (first.pk, first.last_reminder_level, first.last_reminder_status) == (invoice.pk, 2, "saved")  # type: ignore[attr-defined]
    assert first.last_reminder_at == same_moment  # type: ignore[attr-defined]
    assert (second.pk, second.last_reminder_level, second.last_reminder_at) == (other.pk, None, None)  # type: ignore[attr-defined]


def test_never_reminded_list_skips_reminded_disputed_and_paused(business: Business) -> None:
    waiting = _invoice_due(business, dt.date(2026, 10, 1))
    reminded = _invoice_due(business, dt.date(2026, 9, 1))
    make_reminder_row(reminded)
    disputed = _invoice_due(business, dt.date(2026, 9, 1))
    Invoice.objects.filter(pk=disputed.pk).update(disputed=True)
    paused_client = make_client(business, reminders_paused=True, pause_reason="Négociation")
    _invoice_due(business, dt.date(2026, 9, 1), client=paused_client)
    _invoice_due(business, dt.date(2026, 12, 1))
    assert list(dunning_queries.never_reminded_late_invoices(business, TODAY)) == [waiting]
