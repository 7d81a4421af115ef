"""Read-side queries of reminders, shared by pages and API."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    Field,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.utils import timezone

from accounts.models import Business
from dunning.choices import Level
from dunning.models import Reminder, ReminderInvoice
from ledger.models import Invoice


def _latest_frozen(column: str, output_field: Field[Any, Any]) -> RawSQL:
    """One column of the invoice's latest saved or sent reminder, as a correlated subquery.

    Written out rather than built with `Subquery(OuterRef)`: the ORM took about 1.3 ms a page
    to build and compile the three of them (cProfile, PostgreSQL, 25 rows), more than the
    database takes to answer. The outer reference is the invoice table's own name, which is
    its alias in a query over invoices; so the annotated queryset is for listing, never for
    use inside another query (where the ORM would rename that alias).
    """
    reminder, line, invoice = Reminder._meta.db_table, ReminderInvoice._meta.db_table, Invoice._meta.db_table
    # Only table and column names of our own models are spliced in; the status is a parameter.
    sql = (
        f'SELECT {column} FROM "{reminder}" r JOIN "{line}" l ON l.reminder_id = r.id '  # noqa: S608
        f'WHERE l.invoice_id = "{invoice}".id AND r.status <> %s ORDER BY r.frozen_at DESC, r.id DESC LIMIT 1'
    )
    return RawSQL(sql, (Reminder.Status.DRAFT.value,), output_field=output_field)  # noqa: S611 (no user text)


def with_last_reminder(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate each invoice with its latest saved or sent reminder (level, status, date).

    Deactivated reminders count: they were sent or printed, so the client did receive them.
    """
    return invoices.annotate(
        last_reminder_level=_latest_frozen("r.level", IntegerField()),
        last_reminder_status=_latest_frozen("r.status", CharField()),
        last_reminder_at=_latest_frozen("COALESCE(r.sent_at, r.frozen_at)", DateTimeField()),
    )


def collection_candidates(business: Business) -> QuerySet[Invoice]:
    """Open invoices whose latest saved or sent reminder is a formal notice, and that no open
    collection case holds yet: what a collection agency or a court would take next."""
    latest = Reminder.objects.frozen().filter(lines__invoice=OuterRef("pk")).order_by("-frozen_at", "-id")
    return (
        Invoice.objects.open()
        .filter(business=business, in_collection_since__isnull=True)
        .annotate(last_level=Subquery(latest.values("level")[:1], output_field=IntegerField()))
        .filter(last_level=Level.FORMAL_NOTICE)
        .select_related("client")
        .order_by("due_date", "number")
    )


def formal_notices(invoices: Sequence[Invoice]) -> dict[int, Reminder]:
    """The latest saved or sent formal notice of each invoice (one query), for its LRAR proof."""
    lines = (
        ReminderInvoice.objects.filter(invoice__in=list(invoices), reminder__level=Level.FORMAL_NOTICE)
        .exclude(reminder__status=Reminder.Status.DRAFT)
        .select_related("reminder")
        .order_by("reminder__frozen_at", "reminder_id")
    )
    # Oldest first: the latest notice of each invoice is the one the dictionary keeps.
    return {line.invoice_id: line.reminder for line in lines}


def never_reminded_late_invoices(business: Business, as_of: dt.date) -> QuerySet[Invoice]:
    """Late invoices no saved or sent reminder quotes yet, that nothing holds back today
    (dispute, pause on the invoice or the client), the most overdue first."""
    reminded = ReminderInvoice.objects.filter(invoice=OuterRef("pk")).exclude(reminder__status=Reminder.Status.DRAFT)
    client_paused = Q(client__reminders_paused=True) & (
        Q(client__pause_until__isnull=True) | Q(client__pause_until__gte=as_of)
    )
    return (
        Invoice.objects.late_on(as_of)
        .filter(business=business, disputed=False)
        .exclude(reminders_paused_until__gte=as_of)
        .exclude(client_paused)
        .exclude(Exists(reminded))
        .select_related("client")
        .order_by("due_date", "id")
    )


def reminder_history(
    business: Business,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    client_id: int | None = None,
    level: int | None = None,
    channel: str | None = None,
    status: str | None = None,
    show_deactivated: bool = False,
) -> QuerySet[Reminder]:
    """The history of the page and the API: saved and sent reminders, newest first, each with
    its client and its invoices (two queries in all).

    Drafts are not history yet: they are listed only when `status` asks for them, dated by
    their creation and the last edited first. The dates are days in the project's time zone.
    """
    if status == Reminder.Status.DRAFT:
        reminders = Reminder.objects.drafts().filter(business=business)
        day_field, order = "created_at", ("-updated_at", "-id")
    else:
        reminders = Reminder.objects.frozen().filter(business=business)
        day_field, order = "frozen_at", ("-frozen_at", "-id")
        if status:
            reminders = reminders.filter(status=status)
    if not show_deactivated:
        reminders = reminders.filter(deactivated_at__isnull=True)
    if date_from:
        reminders = reminders.filter(**{f"{day_field}__date__gte": date_from})
    if date_to:
        reminders = reminders.filter(**{f"{day_field}__date__lte": date_to})
    if client_id:
        reminders = reminders.filter(client_id=client_id)
    if level:
        reminders = reminders.filter(level=level)
    if channel:
        reminders = reminders.filter(channel=channel)
    lines = (
        ReminderInvoice.objects.select_related("invoice")
        .only("reminder_id", "invoice_id", "invoice__number")
        .order_by("invoice__due_date", "invoice__number")
    )
    return reminders.select_related("client").prefetch_related(Prefetch("lines", queryset=lines)).order_by(*order)


def reminder_counts(business: Business) -> dict[str, int]:
    return Reminder.objects.filter(business=business).aggregate(
        drafts=Count("id", filter=Q(status=Reminder.Status.DRAFT)),
        failed=Count("id", filter=Q(status=Reminder.Status.SEND_FAILED)),
        uncertain=Count("id", filter=Q(status=Reminder.Status.SEND_UNCERTAIN)),
    )


def next_reference(business: Business, year: int) -> str:
    """R-2026-0001, R-2026-0002…, per business and year: a gapless sequence of frozen reminders."""
    prefix = f"R-{year}-"
    # Longest first: "R-2026-10000" comes after "R-2026-9999", which a plain text sort would invert.
    last = (
        Reminder.objects.filter(business=business, reference__startswith=prefix)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) if last else 0
    return f"{prefix}{number + 1:04d}"


def provisional_reference(reminder: Reminder) -> str:
    """The reference a draft would get if frozen now (shown on its preview)."""
    return reminder.reference or next_reference(reminder.business, timezone.localdate().year)


# The archive's selection

# What went out: a draft has no letter, and a reminder still being sent or whose sending failed
# has not reached the client.
ARCHIVED_STATUSES = (Reminder.Status.SAVED, Reminder.Status.SENT)


def _paris_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first midnight, midnight after the last day) in Paris time, so the (business, frozen_at) index serves."""
    paris = timezone.get_default_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=paris)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=paris)
    return start, end


def archived_reminders(
    *, business_id: int, date_from: dt.date, date_to: dt.date, include_inactive: bool
) -> QuerySet[Reminder]:
    """Saved and sent reminders frozen between the two Paris dates (inclusive), oldest first."""
    start, end = _paris_bounds(date_from, date_to)
    reminders = Reminder.objects.filter(
        business_id=business_id, status__in=ARCHIVED_STATUSES, frozen_at__gte=start, frozen_at__lt=end
    )
    if not include_inactive:
        reminders = reminders.filter(deactivated_at__isnull=True)
    return reminders.order_by("frozen_at", "id")
