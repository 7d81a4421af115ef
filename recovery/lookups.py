"""Permission-checked lookups: the only way views and API routes fetch one recovery row.

Anything outside the user's business answers 404, exactly like an id that does not exist.
"""

from typing import Any

from django.shortcuts import get_object_or_404

from accounts.tenancy import business_id_of
from recovery.models import Agency, CollectionCase


def get_agency_for(user: Any, pk: int) -> Agency:
    return get_object_or_404(Agency.objects.select_related("business"), pk=pk, business_id=business_id_of(user))


def get_case_for(user: Any, pk: int) -> CollectionCase:
    return get_object_or_404(
        CollectionCase.objects.select_related("business", "client", "agency"), pk=pk, business_id=business_id_of(user)
    )
