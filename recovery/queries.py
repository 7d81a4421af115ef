"""Read-side queries of recovery, shared by the pages, the CSV export and the API."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Min, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Business
from core.formats import quantize
from law.limitation import limitation_deadline
from ledger.models import ZERO
from recovery.models import OPEN_STATUSES, Agency, CaseEvent, CaseInvoice, CollectionCase

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum(queryset: QuerySet[CaseInvoice] | QuerySet[CaseEvent], field: str) -> Coalesce:
    total = queryset.values("case").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def with_figures(cases: QuerySet[CollectionCase]) -> QuerySet[CollectionCase]:
    """Each case with its amounts, in the same query: claimed (what the invoices owed when the
    case was transmitted), recovered (the events' amounts), outstanding (what the invoices owe
    now, whoever was paid), and the oldest due date (for the limitation deadline)."""
    lines = CaseInvoice.objects.filter(case=OuterRef("pk"))
    oldest = lines.values("case").annotate(day=Min("invoice__due_date")).values("day")
    return cases.annotate(
        claimed=_sum(lines, "amount_claimed"),
        recovered=_sum(CaseEvent.objects.filter(case=OuterRef("pk")), "amount"),
        outstanding=_sum(lines, "invoice__amount_due"),
        oldest_due_date=Subquery(oldest),
    )


def search_cases(
    business: Business,
    *,
    status: str | None = None,
    agency_id: int | None = None,
    judicial: bool = False,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[CollectionCase]:
    """The tab's list (one query whatever its size), newest transmission first."""
    cases = CollectionCase.objects.filter(business=business)
    if status:
        cases = cases.filter(status=status)
    if judicial:
        cases = cases.filter(agency__isnull=True)
    elif agency_id:
        cases = cases.filter(agency_id=agency_id)
    if date_from:
        cases = cases.filter(transmitted_on__gte=date_from)
    if date_to:
        cases = cases.filter(transmitted_on__lte=date_to)
    return with_figures(cases.select_related("client", "agency")).order_by("-transmitted_on", "-id")


def commission_of(case: CollectionCase) -> Decimal:
    """The agency's share of what it recovered: the business's cost, never the debtor's."""
    recovered: Decimal = getattr(case, "recovered", ZERO)
    return quantize(recovered * case.commission_rate / 100)


def limitation_of(case: CollectionCase) -> dt.date | None:
    """The earliest limitation deadline of the case's invoices (their oldest due date)."""
    oldest: dt.date | None = getattr(case, "oldest_due_date", None)
    return limitation_deadline(oldest, case.client.kind) if oldest else None


def age_of(case: CollectionCase, today: dt.date) -> int:
    return max((today - case.transmitted_on).days, 0)


@dataclass(frozen=True)
class Totals:
    count: int
    claimed: Decimal
    recovered: Decimal
    outstanding: Decimal
    commission: Decimal


def totals(cases: QuerySet[CollectionCase]) -> Totals:
    """The figures of every case of a (filtered) list, in one query; the commission is summed
    case by case, each rounded to the cent as shown on its row."""
    # Typed loosely: the annotations of `with_figures` are unknown to the type checker.
    annotated: Any = cases
    rows = list(annotated.values_list("recovered", "commission_rate", "claimed", "outstanding"))
    return Totals(
        count=len(rows),
        claimed=sum((row[2] for row in rows), ZERO),
        recovered=sum((row[0] for row in rows), ZERO),
        outstanding=sum((row[3] for row in rows), ZERO),
        commission=sum((quantize(row[0] * row[1] / 100) for row in rows), ZERO),
    )


def agencies(business: Business) -> QuerySet[Agency]:
    return Agency.objects.filter(business=business).order_by("name", "id")


def open_case_of_invoice(business: Business, invoice_id: int) -> CollectionCase | None:
    return (
        CollectionCase.objects.filter(business=business, lines__invoice_id=invoice_id, status__in=OPEN_STATUSES)
        .order_by("-id")
        .first()
    )
