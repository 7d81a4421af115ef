"""Permission-checked lookups: another business's export answers 404, like one that does not exist."""

from typing import Any

from django.shortcuts import get_object_or_404

from accounts.tenancy import business_id_of
from exports.models import AccountExport


def get_account_export_for(user: Any, pk: int) -> AccountExport:
    return get_object_or_404(
        AccountExport.objects.select_related("requested_by"), pk=pk, business_id=business_id_of(user)
    )
