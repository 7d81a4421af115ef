"""Server time of the late-payments page and of a bucket listing, against the bare SQL they need.

The page goes through Django's test client: the whole middleware stack (sessions, auth,
CSRF, locale, messages, security headers), the view, the template. The baseline is the SQL
the page cannot do without, written by hand and run on a raw cursor of the same, already open
connection. The two alternate request by request, so a burst of load from elsewhere on the
machine hits both alike. Before timing, each bare query is checked to give the page's figures.
"""

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Business, User
from bench.common import (
    Context,
    Result,
    Target,
    below,
    median,
    milliseconds,
    percentile,
    ratio_at_most,
    same_as_baseline,
)
from core.formats import quantize
from core.paging import PAGE_SIZE
from dunning.models import Reminder, ReminderInvoice
from ledger import buckets, queries
from ledger.models import Client, Invoice

WARMUP = 3
# Zero bound as the ORM binds it: SQLite adapts it to the string '0', which is how the partial
# index on open invoices writes its condition (`amount_due > '0'`), so the planner may use it.
# Decimal("0.00") would become '0.00' and rule that index out.
NOTHING_DUE = Decimal(0)


def _basis(business: Business) -> str:
    return "issue_date" if business.bucket_basis == Business.BucketBasis.ISSUE_DATE else "due_date"


def _bucket_condition(
    business: Business, bucket: buckets.Bucket, as_of: dt.date, alias: str = ""
) -> tuple[str, list[Any]]:
    """The rule of `ledger.queries.bucket_filter`, in SQL."""
    if not bucket.is_late:
        return f"{alias}due_date >= %s", [as_of]
    earliest, latest = bucket.date_range(as_of)
    field = alias + _basis(business)
    condition, params = f"{alias}due_date < %s AND {field} <= %s", [as_of, latest]
    if earliest is not None:
        condition += f" AND {field} >= %s"
        params.append(earliest)
    return condition, params


def _open_invoices(alias: str = "") -> str:
    """Parameters: the business, then `NOTHING_DUE`."""
    return f"{alias}business_id = %s AND {alias}cancelled_at IS NULL AND {alias}amount_due > %s"


def summary_sql(business: Business, as_of: dt.date) -> tuple[str, list[Any]]:
    """Invoices, distinct clients and amount due of the total, the late part and every bucket, in one scan."""
    parts: list[tuple[str, list[Any]]] = [("1 = 1", []), ("due_date < %s", [as_of])]
    parts += [_bucket_condition(business, bucket, as_of) for bucket in buckets.definitions(business.bounds)]
    columns: list[str] = []
    params: list[Any] = []
    for condition, values in parts:
        columns += [
            f"COUNT(*) FILTER (WHERE {condition})",
            f"COUNT(DISTINCT client_id) FILTER (WHERE {condition})",
            f"SUM(amount_due) FILTER (WHERE {condition})",
        ]
        params += values * 3
    # Only table names and fixed fragments are spliced in; every value is a query parameter.
    sql = f"SELECT {', '.join(columns)} FROM {Invoice._meta.db_table} WHERE {_open_invoices()}"  # noqa: S608
    return sql, [*params, business.pk, NOTHING_DUE]


def _last_reminder(column: str) -> str:
    reminder, line = Reminder._meta.db_table, ReminderInvoice._meta.db_table
    return (
        f"(SELECT {column} FROM {reminder} r JOIN {line} l ON l.reminder_id = r.id "  # noqa: S608
        "WHERE l.invoice_id = i.id AND r.status <> 'draft' ORDER BY r.frozen_at DESC, r.id DESC LIMIT 1)"
    )


def listing_sql(business: Business, bucket: buckets.Bucket, as_of: dt.date, page: int) -> list[tuple[str, list[Any]]]:
    """The bucket's size (for the pagination) and one page of its rows, most overdue first, with the last reminder."""
    condition, params = _bucket_condition(business, bucket, as_of, "i.")
    where = f"{_open_invoices('i.')} AND {condition}"
    count = f"SELECT COUNT(*) FROM {Invoice._meta.db_table} i WHERE {where}"  # noqa: S608
    rows = (
        "SELECT i.id, i.number, i.issue_date, i.due_date, i.total_incl_tax, i.amount_due, i.disputed, "  # noqa: S608
        f"i.client_id, c.name, {_last_reminder('r.level')}, {_last_reminder('r.status')}, "
        f"{_last_reminder('COALESCE(r.sent_at, r.frozen_at)')} "
        f"FROM {Invoice._meta.db_table} i JOIN {Client._meta.db_table} c ON c.id = i.client_id "
        f"WHERE {where} ORDER BY i.due_date, i.id LIMIT %s OFFSET %s"
    )
    return [
        (count, [business.pk, NOTHING_DUE, *params]),
        (rows, [business.pk, NOTHING_DUE, *params, PAGE_SIZE, (page - 1) * PAGE_SIZE]),
    ]


def _run(statements: list[tuple[str, list[Any]]]) -> list[list[Any]]:
    results = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
    return results


def _money(value: Any) -> Decimal:
    return quantize(Decimal(str(value))) if value is not None else Decimal("0.00")


def check_summary_sql(business: Business, as_of: dt.date) -> None:
    summary = queries.late_payment_summary(business, as_of)
    row = _run([summary_sql(business, as_of)])[0][0]
    expected = []
    for part in [summary.total, summary.late, *summary.buckets]:
        expected += [part.invoices, part.clients, part.amount_due]
    got = [value if index % 3 != 2 else _money(value) for index, value in enumerate(row)]
    if got != expected:
        raise AssertionError(f"The bare aggregate disagrees with the page: {got} != {expected}")


def check_listing_sql(business: Business, bucket: buckets.Bucket, as_of: dt.date, page: int) -> None:
    invoices = queries.bucket_invoices(business, bucket.key, as_of).order_by("due_date", "id")
    expected_ids = list(invoices.values_list("pk", flat=True)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    count, rows = _run(listing_sql(business, bucket, as_of, page))
    if count[0][0] != invoices.count() or [row[0] for row in rows] != expected_ids:
        raise AssertionError(f"The bare listing disagrees with the page for bucket {bucket.key}, page {page}.")


def _logged_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _get(http: HttpClient, url: str) -> None:
    response = http.get(url)
    if response.status_code != 200:
        raise AssertionError(f"GET {url} answered {response.status_code}")


def _query_count(http: HttpClient, url: str) -> int:
    """Queries of one request with the summary to compute, as after a write: a cached one would
    hide the aggregate of one business and not of the other."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        _get(http, url)
    return len(captured.captured_queries)


def _alternate(count: int, page: Callable[[], object], bare: Callable[[], object]) -> tuple[list[float], list[float]]:
    """Page and bare query in turn, starting with either every other time; after a warm-up."""
    for _ in range(WARMUP):
        page()
        bare()
    page_times: list[float] = []
    bare_times: list[float] = []
    for index in range(count):
        connection.ensure_connection()
        if index % 2:
            page_times.append(milliseconds(page))
            bare_times.append(milliseconds(bare))
        else:
            bare_times.append(milliseconds(bare))
            page_times.append(milliseconds(page))
    return page_times, bare_times


def _with_statistics(http: HttpClient, url: str, count: int) -> list[float]:
    """The page's times once SQLite knows its tables' sizes; the statistics are removed afterwards,
    so that the other measures see the database as the product leaves it. Nothing on PostgreSQL,
    whose autovacuum gathers them by itself (the run analyses it after loading)."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()  # a connection reads the statistics when it opens
    try:
        for _ in range(WARMUP):
            _get(http, url)
        return [milliseconds(partial(_get, http, url)) for _ in range(count)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat4")
        connection.close()


def _page_against_sql(
    prefix: str, business: Business, user: User, count: int, ratio_target: Target | None, p95_target: Target
) -> tuple[list[Result], HttpClient]:
    """The page (its summary cached after the first request, as users get it) and the same page
    with the cache emptied before each request, both against the bare aggregate."""
    as_of = timezone.localdate()
    check_summary_sql(business, as_of)
    statement = summary_sql(business, as_of)
    url = reverse("pages:late_payments")
    http = _logged_in(user)
    page_times, bare_times = _alternate(count, partial(_get, http, url), partial(_run, [statement]))

    def uncached() -> None:
        cache.clear()
        _get(http, url)

    cold_times, cold_bare_times = _alternate(count, uncached, partial(_run, [statement]))
    invoices = Invoice.objects.filter(business=business).count()
    samples = f"{len(page_times)} requests, {invoices:,} invoices in the business"
    return [
        Result(
            f"{prefix}.median",
            median(page_times),
            "ms",
            median(bare_times),
            ratio_target,
            note=f"{samples}; baseline: the one aggregate query on a raw cursor",
        ),
        Result(f"{prefix}.p95", percentile(page_times, 0.95), "ms", percentile(bare_times, 0.95), p95_target),
        Result(
            f"{prefix}.median.uncached",
            median(cold_times),
            "ms",
            median(cold_bare_times),
            note=(
                f"the summary computed at every request (cache emptied first): what the first view after a "
                f"write costs; p95 {percentile(cold_times, 0.95):.1f} ms vs {percentile(cold_bare_times, 0.95):.1f} ms"
            ),
        ),
    ], http


def measure_late_payments(context: Context) -> list[Result]:
    business = Business.objects.get(pk=context.business_id)
    url = reverse("pages:late_payments")
    results, http = _page_against_sql(
        "late_payments",
        business,
        User.objects.get(pk=context.user_id),
        context.scale.requests,
        ratio_at_most(1.5),
        below(100, "ms"),
    )
    analyzed_times = _with_statistics(http, url, context.scale.requests)
    queries_big = _query_count(http, url)
    queries_small = _query_count(_logged_in(User.objects.get(pk=context.small_user_id)), url)
    small_invoices = Invoice.objects.filter(business_id=context.small_business_id).count()
    median_business = Business.objects.get(pk=context.median_business_id)
    # A business of a few hundred invoices is answered by its aggregate in well under a
    # millisecond: there the target is the time a user waits, not a ratio to that.
    median_results, _ = _page_against_sql(
        "late_payments.median_business",
        median_business,
        User.objects.get(pk=context.median_user_id),
        context.scale.requests,
        None,
        below(20, "ms"),
    )
    return [
        *results,
        *(
            [
                Result(
                    "late_payments.median.with_statistics",
                    median(analyzed_times),
                    "ms",
                    results[0].value,
                    note=(
                        "the same page once SQLite has planner statistics (ANALYZE, which nothing in the product "
                        f"runs; removed again after); p95 {percentile(analyzed_times, 0.95):.1f} ms; "
                        "baseline: the page as shipped (the median above)"
                    ),
                )
            ]
            if analyzed_times
            else []
        ),
        Result(
            "late_payments.queries",
            queries_big,
            "queries",
            queries_small,
            same_as_baseline(),
            note=f"baseline: the same page for a business of {small_invoices:,} invoices",
        ),
        *median_results,
    ]


def _largest_late_bucket(business: Business, as_of: dt.date) -> tuple[buckets.Bucket, int]:
    rows = [row for row in queries.late_payment_buckets(business, as_of) if row.is_late]
    row = max(rows, key=lambda row: row.invoices)
    return queries.find_bucket(business, row.key), row.invoices


def _listing_against_sql(
    prefix: str, business: Business, user: User, count: int, ratio_target: Target | None
) -> list[Result]:
    as_of = timezone.localdate()
    bucket, size = _largest_late_bucket(business, as_of)
    last_page = max(1, math.ceil(size / PAGE_SIZE))
    http = _logged_in(user)
    base_url = reverse("pages:late_bucket", args=[bucket.key])
    results = []
    pages = (("page1", 1), ("deep_page", last_page)) if last_page > 1 else (("page1", 1),)
    for label, page in pages:
        check_listing_sql(business, bucket, as_of, page)
        statements = listing_sql(business, bucket, as_of, page)
        url = f"{base_url}?page={page}"
        page_times, bare_times = _alternate(count, partial(_get, http, url), partial(_run, statements))
        results.append(
            Result(
                f"{prefix}.{label}.median",
                median(page_times),
                "ms",
                median(bare_times),
                ratio_target,
                note=(
                    f"bucket {bucket.key} ({size:,} invoices), page {page}/{last_page}; "
                    "baseline: COUNT + the page's rows with their last reminder"
                ),
            )
        )
        results.append(
            Result(f"{prefix}.{label}.p95", percentile(page_times, 0.95), "ms", percentile(bare_times, 0.95))
        )
    return results


def measure_bucket_listing(context: Context) -> list[Result]:
    business = Business.objects.get(pk=context.business_id)
    small = Business.objects.get(pk=context.small_business_id)
    as_of = timezone.localdate()
    bucket, _ = _largest_late_bucket(business, as_of)
    http = _logged_in(User.objects.get(pk=context.user_id))
    base_url = reverse("pages:late_bucket", args=[bucket.key])
    count = context.scale.listing_requests
    results = _listing_against_sql(
        "bucket_listing", business, User.objects.get(pk=context.user_id), count, ratio_at_most(2)
    )
    small_invoices = Invoice.objects.filter(business=small).count()
    results.append(
        Result(
            "bucket_listing.queries",
            _query_count(http, base_url),
            "queries",
            _query_count(_logged_in(small.users.get()), base_url),
            same_as_baseline(),
            note=f"page 1; baseline: the same bucket of a business of {small_invoices:,} invoices",
        )
    )
    median_business = Business.objects.get(pk=context.median_business_id)
    median_user = User.objects.get(pk=context.median_user_id)
    results += _listing_against_sql("bucket_listing.median_business", median_business, median_user, count, None)
    results.append(_logged_in_hello(http, count))
    return results


def _logged_in_hello(http: HttpClient, count: int) -> Result:
    """The floor of any page: session, user and business read, a one-word answer, in the same
    process as the pages above. A page's own work is what it takes beyond this."""
    url = reverse("bench_hello_user")
    for _ in range(WARMUP):
        _get(http, url)
    times = [milliseconds(partial(_get, http, url)) for _ in range(count)]
    return Result(
        "logged_in_hello.median",
        median(times),
        "ms",
        note=f"/bench/hello-user/ through the test client; p95 {percentile(times, 0.95):.2f} ms",
    )
