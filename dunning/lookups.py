"""Permission-checked lookups: the only way views and API routes fetch one reminder.

Anything outside the user's business answers 404, exactly like an id that does not exist.
"""

from typing import Any

from django.shortcuts import get_object_or_404

from accounts.tenancy import business_id_of
from dunning.models import ArchiveExport, Reminder, ReminderTemplate


def get_reminder_for(user: Any, pk: int) -> Reminder:
    return get_object_or_404(
        Reminder.objects.select_related("client", "business", "created_by"), pk=pk, business_id=business_id_of(user)
    )


def get_template_for(user: Any, level: int) -> ReminderTemplate:
    return get_object_or_404(ReminderTemplate, level=level, business_id=business_id_of(user))


def get_archive_export_for(user: Any, pk: int) -> ArchiveExport:
    return get_object_or_404(
        ArchiveExport.objects.select_related("requested_by"), pk=pk, business_id=business_id_of(user)
    )
