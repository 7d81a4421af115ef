"""What the exports read: the aged balance, and the rows of the full-account export.

The client and invoice lists are the ledger's own queries (`ledger.queries.search_clients`,
`filter_invoices`), so an export holds what the page shows.

The aged balance at a date `as_of` is what each client owed at the end of that day, split by
lateness on that day, in one query whatever the number of invoices:
- an invoice counts if it was issued on or before `as_of`, and was not cancelled by then
  (cancelled later, it was still owed that day);
- what it still owed is its total including tax, less the payments and credit notes dated on
  or before `as_of`; those dated later had not reached the books yet. An invoice that owed
  nothing that day is left out;
- its bucket is the one of the late-payments page on `as_of` (`ledger.queries.bucket_filter`):
  not yet due while the due date is `as_of` or later, else by age from the business's basis
  date (due date, or invoice date), with the business's bounds (30, 60, 90 days by default).
With `as_of` today and nothing dated in the future, the totals are those of the late-payments
page to the cent (a test compares them).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Business
from core.formats import quantize
from ledger import buckets
from ledger.models import ZERO, CreditNote, Invoice, Payment
from ledger.queries import bucket_filter

MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class AgedRow:
    client_id: int
    name: str
    siren: str
    invoices: int
    amounts: list[Decimal]  # one per bucket, in the buckets' order
    total: Decimal


@dataclass(frozen=True)
class AgedBalance:
    as_of: dt.date
    buckets: list[buckets.Bucket]
    rows: list[AgedRow]
    totals: list[Decimal]
    total: Decimal
    invoices: int
    basis: str


def _dated_sum(model: type[Payment] | type[CreditNote], as_of: dt.date) -> Coalesce:
    """The sum of one invoice's payments (or credit notes) dated on or before `as_of`."""
    rows = (
        model.objects.filter(invoice=OuterRef("pk"), date__lte=as_of)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=MONEY), Value(ZERO), output_field=MONEY)


def invoices_owed_on(business: Business, as_of: dt.date) -> QuerySet[Invoice]:
    """The business's invoices with something owed at the end of `as_of`, each with `owed_on`."""
    end_of_day = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    owed = F("total_incl_tax") - _dated_sum(Payment, as_of) - _dated_sum(CreditNote, as_of)
    return (
        Invoice.objects.filter(business=business, issue_date__lte=as_of)
        .filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=end_of_day))
        .annotate(owed_on=owed)
        .filter(owed_on__gt=0)
    )


def aged_balance(business: Business, as_of: dt.date) -> AgedBalance:
    definitions = buckets.definitions(business.bounds)
    sums: dict[str, Any] = {
        f"b{index}": Sum("owed_on", filter=bucket_filter(business, bucket, as_of), output_field=MONEY)
        for index, bucket in enumerate(definitions)
    }
    grouped: Iterable[Any] = (
        invoices_owed_on(business, as_of)
        .values("client_id", "client__name", "client__siren")
        .annotate(count=Count("id"), total=Sum("owed_on", output_field=MONEY), **sums)
        .order_by("client__name", "client_id")
    )
    rows = [
        AgedRow(
            client_id=group["client_id"],
            name=group["client__name"],
            siren=group["client__siren"],
            invoices=group["count"],
            amounts=[_money(group[f"b{index}"]) for index in range(len(definitions))],
            total=_money(group["total"]),
        )
        for group in grouped
    ]
    totals = [sum((row.amounts[index] for row in rows), ZERO) for index in range(len(definitions))]
    return AgedBalance(
        as_of=as_of,
        buckets=definitions,
        rows=rows,
        totals=totals,
        total=sum((row.total for row in rows), ZERO),
        invoices=sum(row.invoices for row in rows),
        basis=business.bucket_basis,
    )


def _money(value: Decimal | None) -> Decimal:
    return quantize(value) if value is not None else ZERO


def payments_of(business: Business) -> QuerySet[Payment]:
    return Payment.objects.filter(business=business).select_related("invoice").order_by("date", "id")
