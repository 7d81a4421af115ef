"""Permission-checked lookups: the only way views and API routes fetch one ledger row.

Anything outside the user's business answers 404, exactly like an id that does not exist.
"""

from typing import Any

from django.shortcuts import get_object_or_404

from accounts.tenancy import business_id_of
from ledger.models import Client, Invoice, Payment


def get_client_for(user: Any, pk: int) -> Client:
    return get_object_or_404(Client.objects.select_related("business"), pk=pk, business_id=business_id_of(user))


def get_invoice_for(user: Any, pk: int) -> Invoice:
    return get_object_or_404(
        Invoice.objects.select_related("client", "business"), pk=pk, business_id=business_id_of(user)
    )


def get_payment_for(user: Any, pk: int) -> Payment:
    return get_object_or_404(
        Payment.objects.select_related("invoice", "invoice__client", "business"),
        pk=pk,
        business_id=business_id_of(user),
    )
