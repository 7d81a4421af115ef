"""Permission-checked lookups of bank rows: another business's line answers 404."""

from typing import Any

from django.shortcuts import get_object_or_404

from accounts.tenancy import business_id_of
from bank.models import BankLine


def get_line_for(user: Any, pk: int) -> BankLine:
    return get_object_or_404(BankLine.objects.select_related("business"), pk=pk, business_id=business_id_of(user))
