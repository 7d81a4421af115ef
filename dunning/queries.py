"""Read-side queries of reminders, shared by pages and API."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Length
from django.utils import timezone

from accounts.models import Business
from dunning.models import Reminder, ReminderInvoice
from ledger.models import Invoice


def with_last_reminder(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate each invoice with its latest saved or sent reminder (level, status, date).

    Deactivated reminders count: they were sent or printed, so the client did receive them.
    """
    latest = Reminder.objects.frozen().filter(lines__invoice=OuterRef("pk")).order_by("-frozen_at", "-id")
    return invoices.annotate(
        last_reminder_level=Subquery(latest.values("level")[:1]),
        last_reminder_status=Subquery(latest.values("status")[:1]),
        last_reminder_at=Subquery(latest.annotate(at=Coalesce("sent_at", "frozen_at")).values("at")[:1]),
    )


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
