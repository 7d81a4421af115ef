"""Permission-checked lookups: another business's automatic reminder or plan answers 404."""

from typing import Any

from django.shortcuts import get_object_or_404

from accounts.tenancy import business_id_of
from automation.models import AutoReminder, Plan


def get_auto_reminder_for(user: Any, pk: int) -> AutoReminder:
    return get_object_or_404(
        AutoReminder.objects.select_related("client", "business", "reminder"), pk=pk, business_id=business_id_of(user)
    )


def get_plan_for(user: Any, pk: int) -> Plan:
    return get_object_or_404(Plan.objects.select_related("business"), pk=pk, business_id=business_id_of(user))
