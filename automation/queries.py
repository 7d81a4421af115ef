"""Reads of the automation app, shared by the pages and the API."""

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from automation.models import AutoReminder, AutoReminderInvoice
from dunning.models import Reminder


def awaiting_approval(business_id: int) -> QuerySet[AutoReminder]:
    """The approval queue, oldest first: one query for the list, one for the invoices."""
    return (
        AutoReminder.objects.filter(business_id=business_id, status=AutoReminder.Status.AWAITING_APPROVAL)
        .select_related("client", "reminder")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=AutoReminderInvoice.objects.select_related("invoice", "step").order_by("invoice__due_date"),
            )
        )
        .order_by("planned_on", "id")
    )


def awaiting_count(business_id: int) -> int:
    """The navigation badge: one COUNT on a partial index."""
    return AutoReminder.objects.filter(business_id=business_id, status=AutoReminder.Status.AWAITING_APPROVAL).count()


def recent_failures(business_id: int, since: dt.date) -> QuerySet[AutoReminder]:
    """Automatic reminders that could not be made, or whose e-mail failed, since `since`."""
    failed_send = Q(status=AutoReminder.Status.SENT) & Q(
        reminder__status__in=[Reminder.Status.SEND_FAILED, Reminder.Status.SEND_UNCERTAIN]
    )
    return (
        AutoReminder.objects.filter(business_id=business_id, planned_on__gte=since)
        .filter(Q(status=AutoReminder.Status.FAILED) | failed_send)
        .select_related("client", "reminder")
        .order_by("-planned_on", "-id")
    )
