"""Read-side queries shared by pages and API: lateness buckets, dashboard figures, lists.

Each function costs a fixed number of queries whatever the number of invoices.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, DecimalField, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import Business
from accounts.validators import normalize_identifier
from core.formats import quantize
from ledger import buckets
from ledger.models import ZERO, Client, Invoice, InvoiceStatus, Payment


class UnknownBucket(LookupError):
    """No bucket has this key with the business's bounds."""


@dataclass(frozen=True)
class BucketRow:
    key: str
    label: str
    invoices: int
    clients: int
    amount_due: Decimal
    is_late: bool


@dataclass(frozen=True)
class LatePaymentSummary:
    as_of: dt.date
    buckets: list[BucketRow]
    total: BucketRow
    late: BucketRow
    # What the figures depend on (books version, day, bucket settings): a page may cache what
    # it renders from them under the same key.
    cache_key: str = ""

    @property
    def largest_amount(self) -> Decimal:
        return max((row.amount_due for row in self.buckets), default=ZERO)


def bucket_filter(business: Business, bucket: buckets.Bucket, as_of: dt.date) -> Q:
    """Which open invoices fall in `bucket` on `as_of`.

    "Not due" means the due date is today or later, whatever the basis: an invoice is never
    late before its due date. A late invoice (due date before `as_of`) goes in the bucket of
    its age counted from the business's basis date: the due date by default, or the invoice
    date when `bucket_basis` is "issue_date" (as the seed's product splits them). Since the
    due date is never before the invoice date, a late invoice is at least one day old on
    either basis, so the late buckets cover every late invoice exactly once.
    """
    if not bucket.is_late:
        return Q(due_date__gte=as_of)
    field = "issue_date" if business.bucket_basis == Business.BucketBasis.ISSUE_DATE else "due_date"
    earliest, latest = bucket.date_range(as_of)
    condition = Q(due_date__lt=as_of, **{f"{field}__lte": latest})
    if earliest is not None:
        condition &= Q(**{f"{field}__gte": earliest})
    return condition


def _open_invoices(business: Business) -> QuerySet[Invoice]:
    return Invoice.objects.open().filter(business=business)


def _amount(value: Decimal | None) -> Decimal:
    return quantize(value) if value is not None else ZERO


# How long a summary may stay cached: its key changes with the day and every write of the books,
# so this only bounds how long an unused one takes memory.
SUMMARY_CACHE_SECONDS = 24 * 60 * 60
# The row of the one query that holds the distinct clients of the total and of the late part
# (a bucket index is never negative).
_CLIENTS_ROW = -1

# One bucket's invoices, distinct clients and amount due; then the distinct clients of the
# total and of the late part (which no sum of buckets gives: a client may be in several).
_Figures = tuple[list[tuple[int, int, Decimal]], int, int]


def _bucket_index(business: Business, definitions: list[buckets.Bucket], as_of: dt.date) -> Case:
    """The index in `definitions` of the bucket an open invoice falls in on `as_of` (each falls in one)."""
    whens = [When(bucket_filter(business, bucket, as_of), then=Value(i)) for i, bucket in enumerate(definitions)]
    return Case(*whens, output_field=IntegerField())


def _summary_figures(business: Business, definitions: list[buckets.Bucket], as_of: dt.date) -> _Figures:
    """Every bucket's figures in one grouped query, the bucket computed once per invoice.

    The totals and the late part are sums of bucket rows, except their distinct clients: a
    second SELECT of the same query (UNION ALL) counts them, on the same index.
    """
    open_invoices = _open_invoices(business)
    by_bucket = (
        open_invoices.annotate(bucket=_bucket_index(business, definitions, as_of))
        .values("bucket")
        .annotate(invoices=Count("id"), clients=Count("client", distinct=True), amount=Sum("amount_due"))
        .order_by()
    )
    clients = (
        open_invoices.annotate(bucket=Value(_CLIENTS_ROW, output_field=IntegerField()))
        .values("bucket")
        .annotate(
            invoices=Count("client", distinct=True, filter=Q(due_date__lt=as_of)),
            clients=Count("client", distinct=True),
            amount=Sum(Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2))),
        )
        .order_by()
    )
    rows = {row["bucket"]: row for row in by_bucket.union(clients, all=True)}
    per_bucket = []
    for index in range(len(definitions)):
        row = rows.get(index)
        per_bucket.append((row["invoices"], row["clients"], _amount(row["amount"])) if row else (0, 0, ZERO))
    distinct = rows[_CLIENTS_ROW]
    return per_bucket, distinct["clients"], distinct["invoices"]


def late_payment_summary(business: Business, as_of: dt.date) -> LatePaymentSummary:
    """Every bucket, the total and the late part: one grouped query, or none when cached.

    The cache key holds the version of the business's books (every write of `ledger.services`
    draws a new one in its transaction), the day and the bucket settings: a summary is never
    served for books, a day or buckets other than its own. The version is `business`'s, as read
    with the user at the start of the request (no query of its own): a caller that writes the
    books through another copy of the business must read it again before asking.
    """
    definitions = buckets.definitions(business.bounds)
    key = f"ledger:late-summary:{business.pk}:{business.books_version}:{as_of.isoformat()}:{business.bucket_basis}:{business.bucket_bounds}"
    figures: _Figures | None = cache.get(key)
    if figures is None:
        figures = _summary_figures(business, definitions, as_of)
        cache.set(key, figures, SUMMARY_CACHE_SECONDS)
    per_bucket, total_clients, late_clients = figures
    rows = [
        BucketRow(key=bucket.key, label=bucket.label, invoices=n, clients=c, amount_due=a, is_late=bucket.is_late)
        for bucket, (n, c, a) in zip(definitions, per_bucket, strict=True)
    ]
    late_rows = [row for row in rows if row.is_late]
    return LatePaymentSummary(
        as_of=as_of,
        cache_key=key,
        buckets=rows,
        total=BucketRow(
            key="total",
            label=_("Total"),
            invoices=sum(row.invoices for row in rows),
            clients=total_clients,
            amount_due=sum((row.amount_due for row in rows), ZERO),
            is_late=False,
        ),
        late=BucketRow(
            key="late",
            label=_("En retard"),
            invoices=sum(row.invoices for row in late_rows),
            clients=late_clients,
            amount_due=sum((row.amount_due for row in late_rows), ZERO),
            is_late=True,
        ),
    )


def late_payment_buckets(business: Business, as_of: dt.date) -> list[BucketRow]:
    return late_payment_summary(business, as_of).buckets


def find_bucket(business: Business, key: str) -> buckets.Bucket:
    bucket = buckets.find(business.bounds, key)
    if bucket is None:
        raise UnknownBucket(key)
    return bucket


def bucket_invoices(
    business: Business, key: str, as_of: dt.date, *, client: Client | None = None, client_name: str = ""
) -> QuerySet[Invoice]:
    """The open invoices of one bucket, of one client or of the clients whose name contains
    `client_name`; raises `UnknownBucket` for a key the bounds do not give."""
    bucket = find_bucket(business, key)
    invoices = _open_invoices(business).filter(bucket_filter(business, bucket, as_of))
    if client is not None:
        invoices = invoices.filter(client=client)
    if client_name.strip():
        invoices = invoices.filter(client__name__icontains=client_name.strip())
    return invoices


def invoices_with_status(invoices: QuerySet[Invoice], status: str, as_of: dt.date) -> QuerySet[Invoice]:
    if status == InvoiceStatus.CANCELLED:
        return invoices.filter(cancelled_at__isnull=False)
    if status == InvoiceStatus.PAID:
        return invoices.filter(cancelled_at__isnull=True, amount_due__lte=0)
    if status == InvoiceStatus.LATE:
        return invoices.filter(cancelled_at__isnull=True, amount_due__gt=0, due_date__lt=as_of)
    if status == InvoiceStatus.NOT_DUE:
        return invoices.filter(cancelled_at__isnull=True, amount_due__gt=0, due_date__gte=as_of)
    return invoices


def clients_with_balance(business: Business, as_of: dt.date) -> QuerySet[Client]:
    """Clients with their outstanding amount (encours), late amount and late invoice count."""
    open_q = Q(invoices__cancelled_at__isnull=True, invoices__amount_due__gt=0)
    late_q = open_q & Q(invoices__due_date__lt=as_of)
    money = DecimalField(max_digits=14, decimal_places=2)
    return Client.objects.filter(business=business).annotate(
        balance=Coalesce(Sum("invoices__amount_due", filter=open_q), Value(ZERO), output_field=money),
        late_amount=Coalesce(Sum("invoices__amount_due", filter=late_q), Value(ZERO), output_field=money),
        late_count=Count("invoices", filter=late_q),
        invoice_count=Count("invoices"),
    )


ClientSort = Literal["name", "-name", "-balance", "balance", "-late_count", "late_count"]
InvoiceSort = Literal[
    "-issue_date",
    "issue_date",
    "due_date",
    "-due_date",
    "-amount_due",
    "amount_due",
    "-total",
    "total",
    "number",
    "-number",
    "client",
    "-client",
]
# Each order ends with the id, so that two pages never share a row.
CLIENT_SORTS: dict[ClientSort, tuple[str, ...]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "-balance": ("-balance", "name", "id"),
    "balance": ("balance", "name", "id"),
    "-late_count": ("-late_count", "-late_amount", "name", "id"),
    "late_count": ("late_count", "name", "id"),
}
INVOICE_SORTS: dict[InvoiceSort, tuple[str, ...]] = {
    "-issue_date": ("-issue_date", "-id"),
    "issue_date": ("issue_date", "id"),
    "due_date": ("due_date", "id"),
    "-due_date": ("-due_date", "-id"),
    "-amount_due": ("-amount_due", "-id"),
    "amount_due": ("amount_due", "id"),
    "-total": ("-total_incl_tax", "-id"),
    "total": ("total_incl_tax", "id"),
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    "client": ("client__name", "-issue_date", "-id"),
    "-client": ("-client__name", "-issue_date", "-id"),
}


def search_clients(business: Business, *, as_of: dt.date, q: str = "", sort: ClientSort = "name") -> QuerySet[Client]:
    """The client list of the page and the API: a search in the name, contact, e-mail, city and
    SIREN, sorted by one of `CLIENT_SORTS`, each client with its balance as of `as_of`.

    A SIREN is often written in groups ("732 829 320"): the search compares it without its spaces.
    """
    clients = clients_with_balance(business, as_of)
    search = q.strip()
    if search:
        condition = (
            Q(name__icontains=search)
            | Q(contact_name__icontains=search)
            | Q(email__icontains=search)
            | Q(city__icontains=search)
        )
        siren = normalize_identifier(search)
        if siren.isdigit():
            condition |= Q(siren__contains=siren)
        clients = clients.filter(condition)
    return clients.order_by(*CLIENT_SORTS[sort])


def filter_invoices(
    business: Business,
    *,
    as_of: dt.date,
    status: str | None = None,
    client_id: int | None = None,
    q: str = "",
    sort: InvoiceSort = "-issue_date",
) -> QuerySet[Invoice]:
    """The invoice list of the page and the API: by status on `as_of`, client and number
    (part of it), sorted by one of `INVOICE_SORTS`, with each invoice's client."""
    invoices: QuerySet[Invoice] = Invoice.objects.filter(business=business).select_related("client")
    if status:
        invoices = invoices_with_status(invoices, status, as_of)
    if client_id:
        invoices = invoices.filter(client_id=client_id)
    search = q.strip()
    if search:
        invoices = invoices.filter(number__icontains=search)
    return invoices.order_by(*INVOICE_SORTS[sort])


def revenue_cashed(business: Business, year: int) -> Decimal:
    """What micro-entrepreneurs declare: payments received during the calendar year."""
    total = Payment.objects.filter(
        business=business, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
    ).aggregate(total=Sum("amount"))["total"]
    return _amount(total)


@dataclass(frozen=True)
class Ceiling:
    amount: Decimal
    source: str


def revenue_ceiling(business: Business) -> Ceiling | None:
    entry = settings.REVENUE_CEILINGS.get(business.activity)
    if entry is None:
        return None
    return Ceiling(amount=Decimal(entry["amount"]), source=entry["source"])


def with_status(invoices: Any, today: dt.date) -> list[Invoice]:
    """Status and days late of each invoice, computed in Python from its stored amounts."""
    rows = list(invoices)
    labels = dict(InvoiceStatus.choices)
    for invoice in rows:
        invoice.status_key = invoice.status_on(today)
        invoice.status_label = labels[invoice.status_key]
        invoice.days_late = invoice.days_late_on(today)
    return rows
