"""Permission-checked lookups: the only way views and API routes fetch one import.

Anything outside the user's business answers 404, exactly like an id that does not exist.
"""

from typing import Any

from django.shortcuts import get_object_or_404

from accounts.tenancy import business_id_of
from imports.models import CsvImport


def get_csv_import_for(user: Any, pk: int) -> CsvImport:
    return get_object_or_404(CsvImport.objects.select_related("business"), pk=pk, business_id=business_id_of(user))
